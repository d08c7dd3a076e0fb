"""Printed agreements and blank forms: real PDFs from WeasyPrint, read back
with pdfplumber, fonts checked with poppler's ``pdffonts``."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile

import pdfplumber
import pytest
from django.urls import reverse

from enrollment.agreements.services import (
    agreement_mark_paper_received,
    agreement_sign,
    agreement_template_current,
    agreement_template_save,
)
from enrollment.models import AgreementTemplate, Status
from tests import factories as f
from tests.enrollment.conftest import drive

META_RE = re.compile(r"(\S+班) · (\S+) · 协议文本第(\d+)版")


def pdf_pages(data: bytes) -> list[str]:
    assert data[:5] == b"%PDF-"
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


def flat(text: str) -> str:
    """Text without line breaks (pdfplumber breaks long lines anywhere)."""
    return re.sub(r"\s+", "", text)


def agreement_heads(data: bytes) -> list[tuple[str, str]]:
    """(class, student) of each agreement in a batch, in order: the line
    under each agreement's title, on its first page only."""
    return [(m[1], m[2]) for page in pdf_pages(data) for m in META_RE.finditer(page)]


def pdffonts(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        return subprocess.run(
            ["pdffonts", tmp.name], capture_output=True, text=True, check=True
        ).stdout


def assert_cjk_font_embedded(data: bytes) -> None:
    rows = [line.split() for line in pdffonts(data).splitlines()[2:]]
    cjk = [r for r in rows if "CJK" in r[0]]
    assert cjk, rows
    # columns: name, type…, encoding, emb, sub, uni, object id
    assert all(r[-5] == "yes" for r in cjk), rows


def get(client, user, url, **extra):
    client.force_login(user)
    return client.get(url, **extra)


def sign(app, user, name):
    return agreement_sign(application=app, by=user, signed_name=name, consent=True, ip="10.0.0.1")


@pytest.fixture
def approved(world, term, to_status):
    return to_status(Status.APPROVED)


class TestAgreementPdf:
    def test_signed_agreement_reads_back_name_fees_and_signature(self, client, world, approved):
        sign(approved, world.guardian_x.user, "张伟")
        url = reverse("enrollment:agreement-pdf", args=[approved.pk])

        response = get(client, world.guardian_x.user, url)

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        text = flat(pdf_text(response.content))
        assert "张小明" in text
        assert "2.30元/课时/生" in text and "4.60元/天/生" in text
        assert "甲方：实验小学" in text
        assert "乙方张伟于" in text and "在线签署" in text
        assert_cjk_font_embedded(response.content)

    def test_signed_agreement_keeps_frozen_text_after_template_edit(self, client, world, approved):
        sign(approved, world.guardian_x.user, "张伟")
        body = agreement_template_current(school=world.school).body
        agreement_template_save(
            school=world.school, body=body.replace("作业辅导", "自主阅读"), by=world.admin
        )
        url = reverse("enrollment:agreement-pdf", args=[approved.pk])

        text = flat(pdf_text(get(client, world.admin, url).content))

        assert "作业辅导" in text and "自主阅读" not in text
        assert "协议文本第1版" in text

    def test_unsigned_approved_prints_current_template_with_blank_lines(
        self, client, world, approved
    ):
        body = agreement_template_current(school=world.school).body
        agreement_template_save(
            school=world.school, body=body.replace("作业辅导", "自主阅读"), by=world.admin
        )
        url = reverse("enrollment:agreement-pdf", args=[approved.pk])

        text = flat(pdf_text(get(client, world.homeroom_a, url).content))

        assert "自主阅读" in text and "协议文本第2版" in text
        assert "乙方（签字）：________" in text
        assert "本协议书尚未签署" in text

    def test_paper_received_agreement_says_who_received_it(self, client, world, approved):
        agreement_mark_paper_received(application=approved, by=world.homeroom_a)
        url = reverse("enrollment:agreement-pdf", args=[approved.pk])

        text = flat(pdf_text(get(client, world.guardian_x.user, url).content))

        assert "纸质协议书已签字收回，由李老师于" in text

    def test_not_yet_approved_application_has_no_agreement(self, client, world, to_status):
        app = to_status(Status.SUBMITTED_TO_SCHOOL)
        url = reverse("enrollment:agreement-pdf", args=[app.pk])
        assert get(client, world.admin, url).status_code == 404

    @pytest.mark.parametrize(
        "persona, status",
        [
            ("guardian_y", 404),  # a guardian of another child
            ("homeroom_b", 404),  # the homeroom teacher of another class
            ("other_admin", 404),  # another school's admin
            ("teacher", 404),  # staff who see no students
            ("guardian_x", 200),
            ("homeroom_a", 200),
            ("admin", 200),
        ],
    )
    def test_who_may_download(self, client, world, approved, persona, status):
        user = getattr(world, persona)
        user = getattr(user, "user", user)
        url = reverse("enrollment:agreement-pdf", args=[approved.pk])
        assert get(client, user, url).status_code == status

    def test_detail_pages_link_to_the_pdf(self, client, world, approved):
        sign(approved, world.guardian_x.user, "张伟")
        pdf_url = reverse("enrollment:agreement-pdf", args=[approved.pk])
        for name in ("enrollment:agreement-detail", "enrollment:application-detail"):
            page = get(client, world.guardian_x.user, reverse(name, args=[approved.pk])).text
            assert pdf_url in page, name


class TestBlankForms:
    def test_application_form_has_the_form_fields_in_order_and_an_empty_reason(
        self, client, world, term
    ):
        response = get(client, world.homeroom_a, reverse("enrollment:blank-application-form"))

        assert response.status_code == 200
        text = flat(pdf_text(response.content))
        assert "实验小学课后服务申请书" in text
        assert "13:00到校" in text and "18:10放学" in text
        labels = [
            "中午时段",
            "下午放学后时段",
            "特色课后服务日（社团）",
            "孩子自行回家",
            "接送人姓名",
            "接送人与学生关系",
            "接送人手机号",
            "健康状况说明",
            "紧急联系人",
            "紧急联系电话",
            "申请理由",
            "申请减免课后服务费（家庭经济困难）",
            "减免理由",
        ]
        positions = [text.index(label) for label in labels]
        assert positions == sorted(positions)
        # Nothing is printed in the reason box: the next words are the next field's.
        after = text[text.index("申请理由") + len("申请理由") :]
        assert after.startswith("申请减免课后服务费")
        assert "家长（监护人）签名：" in text and "日期：" in text
        assert_cjk_font_embedded(response.content)

    def test_application_form_uses_the_terms_times(self, client, world, term):
        term.participant_arrival = term.participant_arrival.replace(hour=12, minute=50)
        term.save()
        text = flat(
            pdf_text(get(client, world.admin, reverse("enrollment:blank-application-form")).content)
        )
        assert "12:50到校" in text

    def test_opt_out_form_has_the_statement_with_blank_class_and_name(self, client, world, term):
        response = get(client, world.admin, reverse("enrollment:blank-opt-out-form"))

        text = flat(pdf_text(response.content))
        assert "本人是________学生________的家长（监护人）" in text
        assert "自愿放弃参加课后服务" in text and "17:20放学" in text
        assert "家长（监护人）签名：" in text

    @pytest.mark.parametrize("name", ["blank-application-form", "blank-opt-out-form"])
    @pytest.mark.parametrize(
        "persona, status",
        [("guardian_x", 403), ("teacher", 403), ("volunteer", 403), ("other_admin", 404)],
    )
    def test_only_homeroom_and_admin_of_a_school_with_a_term(
        self, client, world, term, name, persona, status
    ):
        # other_admin's school has no term yet: nothing to print there.
        user = getattr(world, persona)
        user = getattr(user, "user", user)
        assert get(client, user, reverse(f"enrollment:{name}")).status_code == status


class TestAgreementsPdfOrder:
    def test_batch_has_one_agreement_per_approved_application_in_order(self, world, term):
        from enrollment.printing.pdf import agreements_pdf
        from enrollment.printing.selectors import agreements_to_print

        names = ["赵六", "孙七", "钱八"]
        for name in names:
            student = f.make_student(world.class_a, name)
            f.make_guardian(student, f"{name}家长")
            drive(student, term, Status.APPROVED, homeroom=world.homeroom_a, admin=world.admin)
        apps = list(
            agreements_to_print(school_id=world.school.pk, term=term, school_class=world.class_a)
        )
        template = agreement_template_current(school=world.school)

        data = agreements_pdf(apps, template=template, school=world.school, per_part=2)

        heads = agreement_heads(data)
        assert heads == [("三年级（1）班", a.student.name) for a in apps]
        assert sorted(n for _, n in heads) == sorted(names)
        assert AgreementTemplate.objects.count() == 1


class TestAgreementsOnePagePerAgreement:
    def test_class_batch_of_n_agreements_has_n_pages_with_a_waiver(self, world, term):
        # The longest agreement: waiver line, fee document, signed record.
        from enrollment.printing.pdf import agreements_pdf
        from enrollment.printing.selectors import agreements_to_print

        world.school.fee_document = "冀发改价格〔2021〕1234号文件关于课后服务收费的通知"
        world.school.save()
        for i, name in enumerate(["赵六", "孙七", "钱八"]):
            student = f.make_student(world.class_a, name, is_boarder=i == 1)
            guardian = f.make_guardian(student, f"{name}家长")
            app = drive(
                student,
                term,
                Status.APPROVED,
                homeroom=world.homeroom_a,
                admin=world.admin,
                waiver_requested=i != 2,
                waiver_reason="家庭经济困难，父亲长期患病" if i != 2 else "",
            )
            if i == 0:
                sign(app, guardian.user, guardian.name)
        apps = list(
            agreements_to_print(school_id=world.school.pk, term=term, school_class=world.class_a)
        )
        template = agreement_template_current(school=world.school)

        data = agreements_pdf(apps, template=template, school=world.school, per_part=10)

        pages = pdf_pages(data)
        assert any("待学校审核" in flat(p) for p in pages)
        assert len(pages) == len(apps)
        assert all("签署记录" in p for p in pages)
