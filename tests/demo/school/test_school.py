"""The demo school: ``manage.py load_demo`` (demo/school.py).

The school is loaded once for the package (conftest.py), inside a transaction
rolled back at the end, so other packages never see it.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest

from afterschool.access import students_for_user
from afterschool.idnumbers import id_number_birth_date, id_number_problem, normalize_mobile
from afterschool.models import (
    Guardian,
    Guardianship,
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
        classes = list(SchoolClass.objects.filter(school=school).select_related("room"))
        assert len(classes) == 24
        assert Counter(c.grade for c in classes) == dict.fromkeys(range(1, 7), 4)
        assert all(c.homeroom_teacher_id for c in classes)
        assert {c.homeroom_teacher.role for c in classes} == {Role.HOMEROOM}
        assert len({c.homeroom_teacher_id for c in classes}) == 24
        assert all(c.room and c.room.kind == RoomKind.CLASSROOM for c in classes)
        assert len({c.room_id for c in classes}) == 24

    def test_class_sizes_between_42_and_48_about_1080_students(self, school):
        sizes = Counter(
            Student.objects.filter(school=school).values_list("school_class_id", flat=True)
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
        assert User.objects.get(username="hr_3_2").homeroom_classes.get().display_name == (
            "三年级（2）班"
        )

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
        for grade, birth in Student.objects.filter(school=school).values_list(
            "school_class__grade", "birth_date"
        ):
            # Grade 1 of the 2024 year was born 2017-09-01 … 2018-08-31.
            first = datetime.date(2018 - grade, 9, 1)
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
