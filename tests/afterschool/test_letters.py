"""Activation letters (致家长的一封信): codes issued, PDF rendered and read back."""

import datetime
import io
import re
import subprocess
from decimal import Decimal

import pdfplumber
import pytest
from django.utils import timezone

from afterschool.activation import (
    activation_letters_issue,
    activation_letters_pdf,
    guardian_activate,
)
from afterschool.models import ActivationCode, Guardian, SchoolClass, Term
from afterschool.roster.importer import roster_import
from afterschool.roster.parse import roster_parse
from tests import factories as f
from tests.afterschool.rosterfiles import csv_bytes, student


def imported_class(rows=None, school_name="实验小学"):
    rows = rows or [student(1, 姓名="王小丫"), student(2, 姓名="李大壮")]
    roster = roster_parse(filename="a.csv", content=csv_bytes(rows))
    roster_import(roster=roster, start_year=2024, school_name=school_name)
    return SchoolClass.objects.select_related("school", "school_year").get(grade=3, number=1)


def pdf_pages_text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        # Lines are joined: the PDF wraps sentences wherever the line ends.
        return [(page.extract_text() or "").replace("\n", "") for page in doc.pages]


@pytest.mark.django_db
class TestIssueCodes:
    def test_one_page_per_guardian_and_siblings_share_a_page(self):
        rows = [student(1), student(2), student(3, 联系电话="13800000001", 家长姓名="家长1")]
        pages = activation_letters_issue(school_class=imported_class(rows))
        assert len(pages) == 2
        assert sorted(len(p.students) for p in pages) == [1, 2]
        assert ActivationCode.objects.count() == 2

    def test_only_a_hash_is_stored_and_codes_expire_in_30_days(self):
        pages = activation_letters_issue(school_class=imported_class())
        code = ActivationCode.objects.get(user__username=pages[0].guardian.mobile)
        assert pages[0].code not in code.code_hash
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", pages[0].code)
        assert code.expires_at - code.created_at == datetime.timedelta(days=30)

    def test_printing_again_replaces_the_unused_codes(self):
        school_class = imported_class()
        first = activation_letters_issue(school_class=school_class)
        second = activation_letters_issue(school_class=school_class)
        assert ActivationCode.objects.count() == 2
        guardian = first[0].guardian
        with pytest.raises(Exception, match="手机号或激活码不正确"):
            guardian_activate(mobile=guardian.mobile, code=first[0].code, password="Qz!8long-pass")
        assert guardian_activate(
            mobile=guardian.mobile, code=second[0].code, password="Qz!8long-pass"
        ).check_password("Qz!8long-pass")

    def test_printing_a_siblings_class_keeps_the_code_on_the_other_letter(self):
        # One guardian (mobile 13800000001) with a child in class 1 and in class 2.
        rows = [
            student(1),
            student(2, 班级="三年级（2）班", 联系电话="13800000001", 家长姓名="家长1"),
        ]
        class_1 = imported_class(rows)
        class_2 = SchoolClass.objects.get(grade=3, number=2)
        first = activation_letters_issue(school_class=class_1)[0]
        second = activation_letters_issue(school_class=class_2)[0]
        assert first.guardian == second.guardian
        assert ActivationCode.objects.filter(used_at__isnull=True).count() == 2
        user = guardian_activate(mobile="13800000001", code=first.code, password="Qz!8long-pass")
        assert user.check_password("Qz!8long-pass")
        # Activated: the code on the other class's letter can no longer reset it.
        assert ActivationCode.objects.filter(used_at__isnull=True).count() == 0
        with pytest.raises(Exception, match="手机号或激活码不正确"):
            guardian_activate(mobile="13800000001", code=second.code, password="Other!pass9")

    def test_activated_guardians_get_a_page_without_a_new_code(self):
        school_class = imported_class()
        pages = activation_letters_issue(school_class=school_class)
        guardian_activate(mobile=pages[0].guardian.mobile, code=pages[0].code, password="Qz!8long")
        again = activation_letters_issue(school_class=school_class)
        by_mobile = {p.guardian.mobile: p for p in again}
        assert by_mobile[pages[0].guardian.mobile].code is None
        assert by_mobile[pages[1].guardian.mobile].code is not None
        # The used code is kept (history); one fresh code for the other guardian.
        assert ActivationCode.objects.filter(used_at__isnull=False).count() == 1
        assert ActivationCode.objects.filter(used_at__isnull=True).count() == 1


@pytest.mark.django_db
class TestLetterPdf:
    def test_pdf_text_has_school_student_times_fee_and_a_working_code(self):
        school_class = imported_class()
        school = school_class.school
        school.fee_document = "X发【2024】7号"
        school.save()
        term = f.make_term(school)
        term.participant_arrival = datetime.time(12, 50)
        term.save()
        pdf = activation_letters_pdf(school_class=school_class, site_url="https://kfw.example.cn/")
        pages = pdf_pages_text(pdf)
        assert len(pages) == 2
        text = pages[0]
        assert "致家长的一封信" in text
        assert "实验小学" in text
        assert "三年级（1）班" in text
        assert "王小丫" in text
        assert "学生自愿，校内实施，安全共管" in text
        assert "12:50到校" in text and "18:10放学" in text
        assert "13:55到校" in text and "17:20放学" in text
        assert "2.30元/每课时/生" in text and "4.60元/天/生" in text
        assert "X发【2024】7号" in text
        assert "免收" in text
        assert "https://kfw.example.cn/activate/" in text
        guardian = Guardian.objects.get(students__name="王小丫")
        assert guardian.mobile in text
        code = re.search(r"一次性激活码\s*([A-Z2-9]{8})", text).group(1)
        user = guardian_activate(mobile=guardian.mobile, code=code, password="Qz!8long-pass")
        assert user == guardian.user
        assert user.check_password("Qz!8long-pass")

    def test_fee_figures_follow_the_school_settings(self):
        school_class = imported_class()
        school = school_class.school
        school.fee_cap_per_period = Decimal("1.50")
        school.fee_cap_periods_per_day = 2
        school.save()
        text = pdf_pages_text(
            activation_letters_pdf(school_class=school_class, site_url="http://x.cn")
        )[0]
        assert "1.50元/每课时/生" in text and "3.00元/天/生" in text

    def test_times_default_to_the_seed_when_no_term_exists(self):
        school_class = imported_class()
        assert not Term.objects.exists()
        text = pdf_pages_text(
            activation_letters_pdf(school_class=school_class, site_url="http://x.cn")
        )[0]
        assert "13:00到校" in text and "18:10放学" in text

    def test_pdffonts_shows_an_embedded_cjk_font(self, tmp_path):
        pdf = activation_letters_pdf(school_class=imported_class(), site_url="http://x.cn")
        path = tmp_path / "letters.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
        cjk = [line for line in out.stdout.splitlines() if "CJK" in line]
        assert cjk
        # columns: name type encoding emb sub uni ...; "emb" must be yes
        assert all(line.split()[-5] == "yes" for line in cjk)

    def test_expiry_date_is_printed(self):
        school_class = imported_class()
        text = pdf_pages_text(
            activation_letters_pdf(school_class=school_class, site_url="http://x.cn")
        )[0]
        expires = timezone.localtime(ActivationCode.objects.first().expires_at)
        assert f"{expires.year}年{expires.month}月{expires.day}日" in text


@pytest.mark.django_db
class TestLeaversGetNoLetter:
    """A class's letters go to the guardians of its members still in it:
    a child who has left (转学/离校, graduated) gets none."""

    @pytest.fixture
    def left(self):
        from afterschool.models import ClassMembership, LeaveReason, Student
        from afterschool.rollover.services import memberships_end

        rows = [
            student(1, 姓名="王小丫"),
            student(2, 姓名="李大壮"),
            # 李大壮's guardian also has 李小壮 in 三年级（2）班, who stays.
            student(3, 姓名="李小壮", 班级="三年级（2）班", 联系电话="13800000002"),
        ]
        school_class = imported_class(rows)
        leaver = Student.objects.get(name="李大壮")
        memberships_end(
            students=[leaver],
            school_year=school_class.school_year,
            end_date=datetime.date(2024, 11, 4),
            reason=LeaveReason.TRANSFER,
        )
        assert ClassMembership.objects.filter(student=leaver, end_date__isnull=False).exists()
        return school_class, leaver

    def test_the_class_letters_leave_out_who_has_left(self, left):
        school_class, leaver = left
        pages = activation_letters_issue(school_class=school_class)
        assert [[s.name for s in p.students] for p in pages] == [["王小丫"]]
        # No code for the leaver's guardian from this class's letters.
        assert not ActivationCode.objects.filter(
            user__username="13800000002", school_class=school_class
        ).exists()
        text = "".join(
            pdf_pages_text(activation_letters_pdf(school_class=school_class, site_url="http://x"))
        )
        assert "王小丫" in text and "李大壮" not in text

    def test_a_reset_letter_names_the_children_still_at_school(self, left):
        from afterschool.activation import guardian_login_reset

        _school_class, leaver = left
        guardian = Guardian.objects.get(mobile="13800000002")
        page = guardian_login_reset(guardian=guardian)
        assert [s.name for s in page.students] == ["李小壮"]

    def test_the_letters_page_counts_only_who_is_still_in_the_class(self, left, client):
        from django.urls import reverse

        from afterschool.models import Role

        school_class, _leaver = left
        admin = f.make_user(school_class.school, Role.ADMIN, "admin_l")
        client.force_login(admin)
        classes = client.get(reverse("roster:letters")).context["classes"]
        counts = {c.pk: (c.student_count, c.guardian_count, c.pending_count) for c in classes}
        assert counts[school_class.pk] == (1, 1, 1)
