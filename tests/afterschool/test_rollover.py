"""School-year rollover (升级): promotion, graduation, last year untouched,
the roster diff of next year's file, and the rollover page's personas."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from afterschool.models import ClassMembership, LeaveReason, Role, SchoolClass, SchoolYear
from afterschool.rollover.services import school_year_rollover
from afterschool.roster.importer import roster_import
from afterschool.roster.parse import roster_parse
from afterschool.roster.selectors import roster_diff
from afterschool.selectors import students_of_class
from tests import factories as f
from tests.afterschool.rosterfiles import csv_bytes, student


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _members(school_class) -> list[str]:
    return sorted(students_of_class(school_class).values_list("name", flat=True))


@pytest.mark.django_db
class TestSchoolYearRollover:
    def test_classes_move_up_a_grade_and_last_year_keeps_its_children(self, world):
        six = f.make_class(world.school, 6, 1)
        graduate = f.make_student(six, "毕业生")
        year = world.class_a.school_year
        result = school_year_rollover(school=world.school, from_year=year, by=world.admin)

        assert (result.classes_created, result.students_promoted, result.students_graduated) == (
            2,
            2,
            1,
        )
        new = {
            (c.grade, c.number): c
            for c in SchoolClass.objects.filter(school_year=result.school_year)
        }
        assert sorted(new) == [(4, 1), (4, 2)]
        assert _members(new[(4, 1)]) == ["张小明"]
        assert new[(4, 1)].homeroom_teacher == world.homeroom_a
        # Last year's classes still hold the same children.
        assert _members(world.class_a) == ["张小明"]
        assert _members(six) == ["毕业生"]
        world.child_x.refresh_from_db()
        assert world.child_x.school_class == new[(4, 1)]
        graduate.refresh_from_db()
        assert graduate.school_class == six  # no class in the new year
        ended = ClassMembership.objects.get(student=graduate)
        assert ended.leave_reason == LeaveReason.GRADUATED
        assert ended.end_date.isoformat() == "2025-09-01"

    def test_homeroom_teachers_are_reassigned_in_one_go(self, world):
        new_teacher = f.make_user(world.school, Role.HOMEROOM, "new_t", name="新老师")
        result = school_year_rollover(
            school=world.school,
            from_year=world.class_a.school_year,
            by=world.admin,
            homeroom_teachers={world.class_a.pk: new_teacher, world.class_b.pk: None},
        )
        got = dict(
            SchoolClass.objects.filter(school_year=result.school_year).values_list(
                "number", "homeroom_teacher"
            )
        )
        assert got == {1: new_teacher.pk, 2: None}
        world.class_a.refresh_from_db()
        assert world.class_a.homeroom_teacher == world.homeroom_a  # last year unchanged

    def test_a_second_rollover_writes_nothing(self, world):
        year = world.class_a.school_year
        school_year_rollover(school=world.school, from_year=year, by=world.admin)
        before = ClassMembership.objects.count(), SchoolClass.objects.count()
        with pytest.raises(ValidationError, match="已经升级过"):
            school_year_rollover(school=world.school, from_year=year, by=world.admin)
        assert (ClassMembership.objects.count(), SchoolClass.objects.count()) == before

    @pytest.mark.parametrize("who", ["homeroom_a", "other_admin"])
    def test_only_the_schools_admin_may_roll_over(self, world, who):
        with pytest.raises(ValidationError, match="只有本校管理员"):
            school_year_rollover(
                school=world.school, from_year=world.class_a.school_year, by=getattr(world, who)
            )
        assert not SchoolYear.objects.filter(start_year=2025).exists()

    def test_a_teacher_of_another_school_is_refused(self, world):
        with pytest.raises(ValidationError, match="本校教职工"):
            school_year_rollover(
                school=world.school,
                from_year=world.class_a.school_year,
                by=world.admin,
                homeroom_teachers={world.class_a.pk: world.other_admin},
            )
        assert not SchoolClass.objects.filter(school_year__start_year=2025).exists()


def _import(rows, year, school):
    roster = roster_parse(filename="a.csv", content=csv_bytes(rows))
    return roster_import(roster=roster, start_year=year, school=school)


def _diff(rows, year, school):
    roster = roster_parse(filename="a.csv", content=csv_bytes(rows))
    return roster_diff(roster=roster, school=school, start_year=year)


@pytest.mark.django_db
class TestRosterDiff:
    def test_new_moved_and_not_in_file_per_class(self):
        school = f.make_school("实验小学")
        c1, c2 = "三年级（1）班", "三年级（2）班"
        _import([student(1, 班级=c1), student(2, 班级=c1), student(3, 班级=c2)], 2024, school)
        # 1 stays, 2 moves to class 2, 3 is missing, 4 is new.
        diff = _diff([student(1, 班级=c1), student(2, 班级=c2), student(4, 班级=c2)], 2024, school)
        by_name = {c.name: c for c in diff.classes}
        assert [s.name for s in by_name[c2].moved_in] == ["学生2"]
        assert by_name[c2].moved_in[0].from_class == c1
        assert [s.name for s in by_name[c2].new] == ["学生4"]
        assert [s.name for s in by_name[c2].missing] == ["学生3"]
        assert by_name[c1].changed is False
        assert (diff.new_count, diff.moved_count, diff.missing_count) == (1, 1, 1)
        assert not diff.over_limit

    def test_a_class_past_the_size_limit_is_flagged(self):
        school = f.make_school("实验小学")
        school.class_size_limit_primary = 3
        school.save(update_fields=["class_size_limit_primary"])
        _import([student(n) for n in (1, 2, 3)], 2024, school)
        # A second file for the same class with other children: 2 in the
        # file + 3 not in it kept = 5 > 3.
        diff = _diff([student(n) for n in (4, 5)], 2024, school)
        (c,) = diff.classes
        assert (len(c.new), len(c.missing), c.size_if_kept, c.limit) == (2, 3, 5, 3)
        assert diff.over_limit == [c]

    def test_the_default_limits_are_the_class_size_rules(self):
        school = f.make_school("实验小学")
        assert (school.class_size_limit(3), school.class_size_limit(8)) == (45, 50)

    def test_next_years_file_matches_promoted_children_by_student_number(self, world):
        school = f.make_school("升级小学")
        admin = f.make_user(school, Role.ADMIN, "adm_up")
        c1 = "三年级（1）班"
        _import([student(1, 班级=c1), student(2, 班级=c1), student(3, 班级=c1)], 2024, school)
        year = SchoolYear.objects.get(school=school, start_year=2024)
        school_year_rollover(school=school, from_year=year, by=admin)
        up = "四年级（1）班"
        rows = [student(1, 班级=up), student(2, 班级="四年级（2）班"), student(9, 班级=up)]
        diff = _diff(rows, 2025, school)
        by_name = {c.name: c for c in diff.classes}
        assert [s.name for s in by_name[up].new] == ["学生9"]
        assert by_name[up].new[0].new_to_school
        assert [s.name for s in by_name[up].missing] == ["学生3"]
        assert [s.name for s in by_name["四年级（2）班"].moved_in] == ["学生2"]
        summary = _import(rows, 2025, school)
        assert (summary.students_created, summary.students_moved) == (1, 1)
        # Last year's class is as it was.
        old = SchoolClass.objects.get(school_year=year, grade=3, number=1)
        assert _members(old) == ["学生1", "学生2", "学生3"]

    def test_the_diff_reads_a_fixed_number_of_queries(self, django_assert_num_queries):
        school = f.make_school("实验小学")
        for size in (3, 12):
            rows = [student(n) for n in range(1, size + 1)]
            _import(rows[:-1], 2024, school)
            roster = roster_parse(filename="a.csv", content=csv_bytes(rows))
            # year; its classes; its memberships with students; the file's students.
            with django_assert_num_queries(4):
                roster_diff(roster=roster, school=school, start_year=2024)


@pytest.mark.django_db
class TestRolloverPage:
    def test_the_admin_sees_the_plan_and_rolls_over(self, world):
        client = _login(world.admin)
        page = client.get(reverse("roster:rollover"))
        assert page.status_code == 200
        body = page.content.decode()
        assert "三年级（1）班" in body and "四年级（1）班" in body
        field = f"teacher_{world.class_a.pk}"
        response = client.post(
            reverse("roster:rollover"),
            {"confirm": "on", field: world.homeroom_b.pk, f"teacher_{world.class_b.pk}": ""},
        )
        assert response.status_code == 302
        promoted = SchoolClass.objects.get(school_year__start_year=2025, number=1)
        assert promoted.homeroom_teacher == world.homeroom_b

    def test_without_the_confirmation_nothing_is_written(self, world):
        client = _login(world.admin)
        response = client.post(reverse("roster:rollover"), {})
        assert response.status_code == 200
        assert "请核对升级方案并勾选确认后再升级。" in response.content.decode()
        assert not SchoolClass.objects.filter(school_year__start_year=2025).exists()

    @pytest.mark.parametrize("who", ["homeroom_a", "teacher", "volunteer"])
    def test_staff_who_are_not_admins_get_403(self, world, who):
        client = _login(getattr(world, who))
        assert client.get(reverse("roster:rollover")).status_code == 403
        assert client.post(reverse("roster:rollover"), {"confirm": "on"}).status_code == 403
        assert not SchoolClass.objects.filter(school_year__start_year=2025).exists()

    def test_a_guardian_gets_403_and_anonymous_is_sent_to_log_in(self, world):
        guardian = _login(world.guardian_x.user)
        assert guardian.post(reverse("roster:rollover"), {"confirm": "on"}).status_code == 403
        anonymous = Client().get(reverse("roster:rollover"))
        assert anonymous.status_code == 302 and "login" in anonymous["Location"]

    def test_another_schools_admin_rolls_over_only_their_own_school(self, world):
        client = _login(world.other_admin)
        client.post(reverse("roster:rollover"), {"confirm": "on"})
        assert not SchoolClass.objects.filter(
            school=world.school, school_year__start_year=2025
        ).exists()
        assert SchoolClass.objects.filter(school=world.other_school, grade=4).exists()
