"""The demo school: ``manage.py load_demo`` (demo/school.py).

The school is loaded once for the package (conftest.py), inside a transaction
rolled back at the end, so other packages never see it.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from afterschool.access import students_for_user
from afterschool.idnumbers import id_number_birth_date, id_number_problem, normalize_mobile
from afterschool.models import (
    GRADE_NAMES,
    ClassMembership,
    Guardian,
    Guardianship,
    LeaveReason,
    Role,
    Room,
    RoomKind,
    School,
    SchoolClass,
    Student,
    Term,
    User,
)
from demo import school as demo_module
from enrollment.models import Agreement, Application

LOGIN_LINE = re.compile(r"^\s+\S+\s+(?P<username>\S+)\s+密码 (?P<password>\S+)\s+—", re.M)


def _counts(school: School) -> dict[str, int]:
    return {
        "classes": SchoolClass.objects.filter(school=school).count(),
        "students": Student.objects.filter(school=school).count(),
        "guardians": Guardian.objects.filter(school=school).count(),
        "guardianships": Guardianship.objects.filter(student__school=school).count(),
        "rooms": Room.objects.filter(school=school).count(),
        "users": User.objects.count(),
        "terms": Term.objects.filter(school=school).count(),
    }


class TestLoadDemoSchool:
    def test_school_year_and_autumn_term(self, school):
        assert school.county == "XX县"
        # On 2025-01-15: autumn 2024 running, spring 2024 before it.
        assert set(Term.objects.filter(school=school).values_list("name", flat=True)) == {
            "2024年秋季学期",
            "2024年春季学期",
        }
        term = Term.objects.get(school=school, name="2024年秋季学期")
        assert term.school_year.start_year == 2024
        assert (term.first_day, term.last_day) == (
            datetime.date(2024, 9, 2),
            datetime.date(2025, 1, 17),
        )

    def test_six_grades_of_four_classes_each_with_homeroom_teacher_and_own_room(self, school):
        classes = list(
            SchoolClass.objects.filter(school=school, school_year__start_year=2024).select_related(
                "room"
            )
        )
        assert len(classes) == 24
        assert Counter(c.grade for c in classes) == dict.fromkeys(range(1, 7), 4)
        assert all(c.homeroom_teacher_id for c in classes)
        assert {c.homeroom_teacher.role for c in classes} == {Role.HOMEROOM}
        assert len({c.homeroom_teacher_id for c in classes}) == 24
        assert all(c.room and c.room.kind == RoomKind.CLASSROOM for c in classes)
        assert len({c.room_id for c in classes}) == 24

    def test_class_sizes_between_42_and_48_about_1080_students(self, school):
        sizes = Counter(
            Student.objects.filter(
                school=school, school_class__school_year__start_year=2024
            ).values_list("school_class_id", flat=True)
        )
        assert all(42 <= n <= 48 for n in sizes.values()), sizes
        assert 1040 <= sum(sizes.values()) <= 1120

    def test_every_room_kind_is_present(self, school):
        kinds = set(Room.objects.filter(school=school).values_list("kind", flat=True))
        assert kinds == set(RoomKind.values)

    def test_staff_of_every_role(self, school):
        roles = Counter(User.objects.filter(school=school).values_list("role", flat=True))
        assert roles[Role.HOMEROOM] == 24
        assert 1 <= roles[Role.ADMIN] <= 2
        assert roles[Role.TEACHER] >= 10
        assert 4 <= roles[Role.VOLUNTEER] <= 6
        classes = User.objects.get(username="hr_3_2").homeroom_classes
        assert classes.get(school_year__start_year=2024).display_name == "三年级（2）班"

    def test_id_numbers_valid_and_match_birth_date_and_gender(self, school):
        rows = list(
            Student.objects.filter(school=school).values_list(
                "id_number", "birth_date", "gender", "student_number"
            )
        )
        assert [(i, id_number_problem(i)) for i, *_ in rows if id_number_problem(i)] == []
        assert all(id_number_birth_date(i) == birth for i, birth, *_ in rows)
        # The 17th digit is odd for men and boys, even for women and girls.
        assert all((int(i[16]) % 2 == 1) == (g == "M") for i, _, g, _ in rows)
        assert all(number == "G" + i for i, *_, number in rows)
        assert len({i for i, *_ in rows}) == len(rows)

    def test_birth_dates_fit_the_grade(self, school):
        for year, grade, birth in Student.objects.filter(school=school).values_list(
            "school_class__school_year__start_year", "school_class__grade", "birth_date"
        ):
            # Grade 1 of the 2024 year was born 2017-09-01 … 2018-08-31 (the
            # 2023 year's 六年级, graduated since, a year before 2024's).
            first = datetime.date(year - 6 - grade, 9, 1)
            assert first <= birth <= datetime.date(first.year + 1, 8, 31), (grade, birth)

    def test_guardian_mobiles_valid_and_every_student_has_a_guardian(self, school):
        mobiles = list(Guardian.objects.filter(school=school).values_list("mobile", flat=True))
        assert all(normalize_mobile(m) == m for m in mobiles)
        assert not Student.objects.filter(school=school, guardians__isnull=True).exists()
        users = User.objects.filter(guardian_records__school=school)
        assert set(users.values_list("role", flat=True)) == {Role.GUARDIAN}
        assert users.count() == len(mobiles)

    def test_about_five_percent_of_students_share_a_guardian_with_a_sibling(self, school):
        per_guardian = Counter(
            Guardianship.objects.filter(student__school=school).values_list(
                "guardian_id", flat=True
            )
        )
        students = sum(per_guardian.values())
        in_sibling_families = sum(n for n in per_guardian.values() if n > 1)
        assert 0.03 <= in_sibling_families / students <= 0.07

    @pytest.mark.parametrize(
        "flag, low, high",
        [
            ("is_migrant_child", 0.05, 0.11),
            ("is_left_behind", 0.03, 0.08),
            ("is_disabled", 0.002, 0.025),
            ("is_financial_hardship", 0.015, 0.05),
            ("is_boarder", 0.015, 0.05),
        ],
    )
    def test_priority_and_boarding_rates_are_realistic(self, school, flag, low, high):
        students = Student.objects.filter(school=school)
        assert low <= students.filter(**{flag: True}).count() / students.count() <= high

    def test_no_child_is_both_migrant_and_left_behind(self, school):
        assert not Student.objects.filter(
            school=school, is_migrant_child=True, is_left_behind=True
        ).exists()

    def test_demo_families_siblings_and_only_child(self, school):
        siblings = Guardian.objects.get(school=school, mobile="13800138001")
        classes = sorted(s.school_class.display_name for s in siblings.students.all())
        assert classes == ["一年级（3）班", "三年级（2）班"]
        only = Guardian.objects.get(school=school, mobile="13800138002")
        assert [s.school_class.display_name for s in only.students.all()] == ["三年级（2）班"]
        # hr_3_2 sees both families' children of 三年级（2）班 through the access helper.
        seen = set(students_for_user(User.objects.get(username="hr_3_2")))
        assert set(siblings.students.filter(school_class__grade=3)) <= seen
        assert set(only.students.all()) <= seen


def _classes_by_year(school: School, year: int) -> dict[tuple[int, int], set[str]]:
    """(grade, number) → 学籍号 of the class's members in the school year ``year``."""
    out: dict[tuple[int, int], set[str]] = {}
    for grade, number, student_number in ClassMembership.objects.filter(
        school_class__school=school, school_class__school_year__start_year=year
    ).values_list("school_class__grade", "school_class__number", "student__student_number"):
        out.setdefault((grade, number), set()).add(student_number)
    return out


class TestLastSchoolYear:
    """On 2025-01-15 the previous term (spring 2024) belongs to the 2023—2024
    school year: its classes hold its children, one grade below this year's."""

    def test_last_years_classes_hold_this_years_children_one_grade_down(self, school):
        last, this = _classes_by_year(school, 2023), _classes_by_year(school, 2024)
        assert len(last) == len(this) == 24
        for grade in range(1, 6):
            for number in range(1, 5):
                assert last[(grade, number)] == this[(grade + 1, number)]
        # This year's 一年级 was not at school last year.
        assert not set().union(*(this[(1, n)] for n in range(1, 5))) & set().union(*last.values())

    def test_last_years_sixth_grade_graduated_and_keeps_its_class(self, school):
        rows = ClassMembership.objects.filter(
            school_class__school=school, school_class__school_year__start_year=2023
        )
        graduated = rows.filter(school_class__grade=6)
        assert 4 * 42 <= graduated.count() <= 4 * 48
        assert set(graduated.values_list("end_date", "leave_reason")) == {
            (datetime.date(2024, 9, 1), LeaveReason.GRADUATED)
        }
        assert not rows.exclude(school_class__grade=6).filter(end_date__isnull=False).exists()
        # Their latest class is the one they left; nobody of them is in a 2024 class.
        leavers = Student.objects.filter(memberships__in=graduated)
        assert set(leavers.values_list("school_class__school_year__start_year", flat=True)) == {
            2023
        }
        assert not ClassMembership.objects.filter(
            student__in=leavers, school_class__school_year__start_year=2024
        ).exists()

    def test_the_previous_terms_applications_are_of_its_years_children(self, school):
        spring = Term.objects.get(school=school, name="2024年春季学期")
        assert spring.school_year.start_year == 2023
        members = set().union(*_classes_by_year(school, 2023).values())
        applied = set(
            Application.objects.filter(term=spring).values_list(
                "student__student_number", flat=True
            )
        )
        assert len(applied) > 0.8 * len(members) and applied <= members
        # An agreement of the spring names the class the child was in then.
        agreement = (
            Agreement.objects.filter(
                application__term=spring,
                application__student__school_class__school_year__start_year=2024,
            )
            .select_related("application__student__school_class")
            .first()
        )
        now = agreement.application.student.school_class
        assert f"{GRADE_NAMES[now.grade - 1]}（{now.number}）班" in agreement.text
        assert now.display_name not in agreement.text


class TestAnotherSchoolYear:
    def test_a_build_for_the_next_school_year_moves_the_same_children_up(self, school):
        """The database of 2025-01-15 built again on 2026-01-15 (school year
        2025—2026): the same children one grade up, the 六年级 graduated, only
        the new 一年级 added — nobody twice."""
        before = _classes_by_year(school, 2024)
        students_before = Student.objects.filter(school=school).count()
        with transaction.atomic():
            later = datetime.datetime(2026, 1, 15, 10, tzinfo=datetime.UTC)
            with time_machine.travel(later, tick=False):
                call_command("load_demo", stdout=io.StringIO())
            after = _classes_by_year(school, 2025)
            for grade in range(1, 6):
                for number in range(1, 5):
                    assert after[(grade + 1, number)] == before[(grade, number)]
            # 2024's classes as they were, their 六年级 graduated now.
            assert _classes_by_year(school, 2024) == before
            sixth = ClassMembership.objects.filter(
                school_class__school=school,
                school_class__school_year__start_year=2024,
                school_class__grade=6,
            )
            assert set(sixth.values_list("leave_reason", flat=True)) == {LeaveReason.GRADUATED}
            new_first = set().union(*(after[(1, n)] for n in range(1, 5)))
            assert Student.objects.filter(school=school).count() == (
                students_before + len(new_first)
            )
            rows = Student.objects.filter(school=school).values_list("name", "birth_date")
            assert len(set(rows)) == len(rows)
            # Each child's guardians are the drawn ones: the demo families too.
            siblings = Guardian.objects.get(school=school, mobile="13800138001")
            assert sorted(s.school_class.display_name for s in siblings.students.all()) == [
                "一年级（3）班",
                "三年级（2）班",
            ]
            assert not Student.objects.filter(school=school, guardians__isnull=True).exists()
            transaction.set_rollback(True)


class TestPrintedLogins:
    def test_printed_logins_cover_every_role_and_authenticate(self, demo_output, client, db):
        logins = LOGIN_LINE.findall(demo_output)
        usernames = [u for u, _ in logins]
        assert usernames == [
            "admin",
            "hr_3_2",
            "teacher1",
            "volunteer1",
            "13800138001",
            "13800138002",
            "root",
            "county",
            "cg2_admin",
        ]
        for username, password in logins:
            assert client.login(username=username, password=password), username
            client.logout()
        assert User.objects.get(username="root").is_superuser

    def test_login_page_accepts_guardian_mobile_typed_with_prefix(self, demo_output, client, db):
        response = client.post(
            "/login/", {"username": "+86 138-0013-8001", "password": demo_module.DEMO_PASSWORD}
        )
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(User.objects.get(username="13800138001").pk)

    def test_other_guardians_are_not_activated(self, school, client):
        user = User.objects.filter(role=Role.GUARDIAN, guardian_records__school=school).exclude(
            username__in=["13800138001", "13800138002"]
        )[0]
        assert not user.has_usable_password()
        assert not client.login(username=user.username, password=demo_module.DEMO_PASSWORD)

    def test_output_names_the_school_in_chinese(self, demo_output):
        assert "阳光实验小学" in demo_output
        assert "演示账号" in demo_output
