"""Fee publicity (收费公示): a term's fee is published before it is billed;
the public page (no login, no personal data) and its A4 notice read back."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from billing.models import BillingMode, FeePublication, FeeStatement
from billing.policy.services import fee_policy_save
from billing.publicity.services import fee_publication_publish
from billing.statements.services import settlement_generate, statements_generate
from tests import factories as f
from tests.billing.conftest import SEPT, enrol


@pytest.fixture
def unpublished(world):
    return f.make_term(world.school, 2024)


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True
    ).stdout


@pytest.mark.django_db
class TestPublishBeforeBilling:
    def test_statements_refused_for_an_unpublished_term(self, world, unpublished):
        enrol(world.child_x, unpublished, by=world.admin)
        with pytest.raises(ValidationError, match="收费尚未公示"):
            statements_generate(term=unpublished, month=SEPT)
        assert not FeeStatement.objects.exists()
        fee_policy_save(term=unpublished, data={"mode": BillingMode.PREPAY}, by=world.admin)
        with pytest.raises(ValidationError, match="收费尚未公示"):
            settlement_generate(term=unpublished)
        fee_publication_publish(term=unpublished, by=world.admin)
        statements_generate(term=unpublished, month=SEPT)
        assert FeeStatement.objects.get().total == Decimal("460.00")

    def test_publishing_twice_keeps_one_publication_and_its_date(self, world, unpublished):
        first = fee_publication_publish(term=unpublished, by=world.admin)
        again = fee_publication_publish(term=unpublished, by=world.admin, how_to_pay=" 银行代扣 ")
        assert FeePublication.objects.count() == 1
        assert again.published_at == first.published_at and again.how_to_pay == "银行代扣"
        same = fee_publication_publish(term=unpublished, by=world.admin, how_to_pay="银行代扣")
        assert same == again
        assert again.history.count() == 2

    def test_a_too_long_text_is_refused(self, world, unpublished):
        with pytest.raises(ValidationError):
            fee_publication_publish(term=unpublished, by=world.admin, how_to_pay="字" * 301)
        assert not FeePublication.objects.exists()

    def test_the_generate_button_says_why_it_refuses(self, client, world, unpublished):
        client.force_login(world.admin)
        r = client.post(
            reverse("billing:statements-generate"),
            {"term": unpublished.pk, "month": "2024-09"},
            follow=True,
        )
        assert "收费尚未公示" in r.content.decode()


@pytest.mark.django_db
class TestPublicityPage:
    def test_admin_publishes_from_the_page(self, client, world, unpublished):
        client.force_login(world.admin)
        url = reverse("billing:publicity") + f"?term={unpublished.pk}"
        assert "尚未公示" in client.get(url).content.decode()
        r = client.post(url, {"term": unpublished.pk, "how_to_pay": "通过XX银行缴纳"})
        assert r.status_code == 302
        body = client.get(url).content.decode()
        assert (
            "可以生成账单" in body and reverse("billing:fee-notice", args=[unpublished.pk]) in body
        )
        assert FeePublication.objects.get().how_to_pay == "通过XX银行缴纳"

    def test_a_too_long_text_is_shown_again_with_the_error(self, client, world, unpublished):
        client.force_login(world.admin)
        r = client.post(
            reverse("billing:publicity"), {"term": unpublished.pk, "how_to_pay": "字" * 301}
        )
        assert r.status_code == 200 and "字" * 301 in r.content.decode()
        assert not FeePublication.objects.exists()

    def test_service_error_shown_on_the_form(self, client, world, unpublished, monkeypatch):
        # The form allows 300; the service's own check answers the same way.
        from billing.publicity import forms

        monkeypatch.setattr(forms.PublishForm.base_fields["how_to_pay"], "max_length", 400)
        monkeypatch.setattr(forms.PublishForm.base_fields["how_to_pay"], "validators", [])
        client.force_login(world.admin)
        r = client.post(
            reverse("billing:publicity"), {"term": unpublished.pk, "how_to_pay": "字" * 301}
        )
        assert "最多 300 字" in r.content.decode()

    @pytest.mark.parametrize("persona", ["homeroom_a", "teacher", "guardian_x"])
    def test_wrong_personas_are_refused(self, client, world, unpublished, persona):
        user = getattr(world, persona)
        client.force_login(getattr(user, "user", user))
        url = reverse("billing:publicity")
        assert client.get(url).status_code == 403
        assert client.post(url, {"term": unpublished.pk}).status_code == 403
        client.force_login(world.other_admin)
        assert client.post(url, {"term": unpublished.pk}).status_code == 404
        assert not FeePublication.objects.exists()

    def test_anonymous_is_sent_to_log_in(self, world, unpublished):
        r = Client().get(reverse("billing:publicity"))
        assert r.status_code == 302 and r.url.startswith(reverse("login"))


@pytest.mark.django_db
class TestPublicNotice:
    @pytest.fixture
    def notice_term(self, world, term):
        world.school.fee_document = "X教发【2024】18号"
        world.school.save(update_fields=["fee_document"])
        fee_policy_save(
            term=term,
            data={"mode": BillingMode.PREPAY, "settlement_mode": "credit"},
            by=world.admin,
        )
        enrol(world.child_x, term, by=world.admin, waiver=True)
        return term

    def test_anonymous_reads_the_notice_without_personal_data(self, world, notice_term):
        r = Client().get(reverse("billing:fee-notice", args=[notice_term.pk]))
        body = r.content.decode()
        assert r.status_code == 200
        for text in (
            "实验小学2024年秋季学期课后服务收费公示",
            "每生每课时 2.30 元，每天最多收取 2 课时（每天不超过 4.60 元）",
            "依据：X教发【2024】18号",
            "学期预收，期末结算：开学时按 100 天预收",
            "抵下学期费用",
            "法定节假日、学校暂停服务日不收费；已批准的请假不收费",
            "家庭经济困难学生",
            "财政电子票据",
            'src="data:image/svg+xml',
        ):
            assert text in body, text
        child = world.child_x
        for secret in (child.name, child.id_number, child.student_number, world.guardian_x.mobile):
            assert secret not in body
        assert "低保户" not in body  # the waiver request's reason

    def test_each_mode_in_plain_words(self, world, term):
        client = Client()
        url = reverse("billing:fee-notice", args=[term.pk])
        assert "按实际服务课时收费：每月按当月实际服务日" in client.get(url).content.decode()
        fee_policy_save(
            term=term,
            data={
                "mode": BillingMode.MONTHLY,
                "monthly_amount": Decimal("90.00"),
                "monthly_reduced_amount": Decimal("30.00"),
                "allow_partial_waiver": True,
                "charge_approved_leave": True,
            },
            by=world.admin,
        )
        body = client.get(url).content.decode()
        assert "按月定额收费：每月 90.00 元；当月服务天数少于 10 天的，每月 30.00 元" in body
        assert "不超过当月实际服务天数 × 每天 4.60 元" in body
        assert "按比例减免" in body and "已批准的请假照常收费" in body
        assert "学期结束时仍有结余的，原路退还家长。不跨学期收费。" in body
        fee_policy_save(term=term, data={"settlement_mode": "credit"}, by=world.admin)
        body = client.get(url).content.decode()
        assert "学期结束时仍有结余的，按县里规定抵下学期费用" in body
        assert "不跨学期收费" not in body

    def test_unpublished_or_unknown_terms_are_not_public(self, world, unpublished):
        client = Client()
        for pk in (unpublished.pk, 999999):
            assert client.get(reverse("billing:fee-notice", args=[pk])).status_code == 404
            assert client.get(reverse("billing:fee-notice-pdf", args=[pk])).status_code == 404

    def test_a4_notice_reads_back_with_cjk_font_embedded(self, world, notice_term, tmp_path):
        r = Client().get(reverse("billing:fee-notice-pdf", args=[notice_term.pk]))
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        text = pdf_text(r.content, tmp_path)
        for part in ("课后服务收费公示", "收费上限及依据", "X教发【2024】18号", "扫码查看网上公示"):
            assert part in text, part
        assert f"/billing/fees/{notice_term.pk}/" in text
        assert world.child_x.name not in text
        fonts = pdf_fonts(r.content, tmp_path)
        rows = [ln for ln in fonts.splitlines()[2:] if ln.strip()]
        assert any("CJK-SC" in row and "CID" in row for row in rows)
        # Every font is embedded: the columns emb, sub, uni read "yes".
        assert rows and all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in rows)

    def test_qr_code_encodes_the_page(self, world, notice_term):
        from billing.publicity.selectors import qr_svg_data_uri

        assert qr_svg_data_uri("http://testserver/billing/fees/1/").startswith("data:image/svg+xml")
