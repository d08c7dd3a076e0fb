"""Classes, rooms, guardians and staff lists: content, scope and query counts."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from afterschool.models import Role, RoomKind
from afterschool.selectors import current_school_year
from tests import factories as f

pytestmark = pytest.mark.django_db


def rows_of(response):
    return list(response.context["table"].page.object_list.data)


class TestClassList:
    def test_columns_show_grade_teacher_room_and_student_count(self, client, world):
        world.class_a.room = f.make_room(world.school, "教学楼301")
        world.class_a.save(update_fields=["room"])
        f.make_student(world.class_a, "第二名")
        client.force_login(world.admin)
        response = client.get(reverse("people:class-list"))
        by_pk = {c.pk: c for c in rows_of(response)}
        assert by_pk[world.class_a.pk].student_count == 2
        assert by_pk[world.class_b.pk].student_count == 1
        html = response.content.decode()
        for text in ("三年级（1）班", "李老师", "教学楼301", "三年级"):
            assert text in html
        assert (
            f"?school_year={world.class_a.school_year_id}&amp;school_class={world.class_a.pk}"
            in html
        )

    @pytest.mark.parametrize("size", [5, 50])
    def test_query_count(self, client, world, django_assert_num_queries, size):
        for i in range(size):
            c = f.make_class(
                world.school, 1 + i % 9, 3 + i // 9, f.make_user(world.school, Role.HOMEROOM)
            )
            c.room = f.make_room(world.school)
            c.save(update_fields=["room"])
            f.make_student(c, f"学生{i}")
        client.force_login(world.admin)
        # 1 session, 2 user with school, 3 the current school year (filter default),
        # 4 that year checked by the filter form, 5 COUNT classes,
        # 6 the page of classes with year, teacher, room and student count (annotated),
        # 7 school years for the filter's choices.
        with django_assert_num_queries(7):
            response = client.get(reverse("people:class-list"))
        assert len(rows_of(response)) == min(size + 2, 50)


class TestRoomList:
    def test_kind_filter(self, client, world):
        gym = f.make_room(world.school, "风雨操场", kind=RoomKind.PLAYGROUND, capacity=300)
        f.make_room(world.school, "图书室", kind=RoomKind.LIBRARY)
        client.force_login(world.teacher)
        response = client.get(reverse("people:room-list"), {"kind": "playground"})
        assert rows_of(response) == [gym]
        assert "300" in response.content.decode()
        assert "操场" in response.content.decode()

    @pytest.mark.parametrize("size", [5, 50])
    def test_query_count(self, client, world, django_assert_num_queries, size):
        for _ in range(size):
            f.make_room(world.school)
        client.force_login(world.teacher)
        # 1 session, 2 user with school, 3 COUNT rooms, 4 the page of rooms.
        with django_assert_num_queries(4):
            response = client.get(reverse("people:room-list"))
        assert len(rows_of(response)) == min(size, 50)


class TestGuardianList:
    def test_admin_sees_full_mobile_children_and_activation(self, client, world):
        not_yet = f.make_guardian(world.child_y, "刘强", "13900000009")
        not_yet.user.password = make_password(None)  # unusable: not activated yet
        not_yet.user.save(update_fields=["password"])
        client.force_login(world.admin)
        response = client.get(reverse("people:guardian-list"))
        html = response.content.decode()
        assert world.guardian_x.mobile in html
        assert "张小明（三年级（1）班）" in html
        flags = {g.pk: g.activated for g in rows_of(response)}
        assert flags == {world.guardian_x.pk: True, world.guardian_y.pk: True, not_yet.pk: False}

    def test_filter_not_activated_and_search_by_mobile(self, client, world):
        no_login = f.make_guardian(world.child_x, "张奶奶", "13900000010", with_login=False)
        client.force_login(world.admin)
        url = reverse("people:guardian-list")
        assert rows_of(client.get(url, {"activated": "false"})) == [no_login]
        assert rows_of(client.get(url, {"q": "00000002"})) == [world.guardian_y]

    @pytest.mark.parametrize("size", [5, 50])
    def test_query_count(self, client, world, django_assert_num_queries, size):
        for i in range(size):
            child = f.make_student(world.class_a, f"学生{i}")
            f.make_guardian(child, f"家长{i}", with_login=i % 2 == 0)
        client.force_login(world.admin)
        # 1 session, 2 user with school, 3 COUNT guardians,
        # 4 the page of guardians with "activated" annotated,
        # 5 their guardianships with student and class (prefetch).
        with django_assert_num_queries(5):
            response = client.get(reverse("people:guardian-list"))
        assert len(rows_of(response)) == min(size + 2, 50)


class TestStaffList:
    def test_lists_staff_with_roles_and_classes_not_guardians(self, client, world):
        client.force_login(world.admin)
        response = client.get(reverse("people:staff-list"))
        rows = rows_of(response)
        assert set(rows) == {
            world.admin,
            world.homeroom_a,
            world.homeroom_b,
            world.teacher,
            world.volunteer,
        }
        html = response.content.decode()
        assert "三年级（1）班" in html
        assert "志愿者" in html

    def test_a_teachers_classes_are_this_years(self, client, world):
        from afterschool.rollover.services import school_year_rollover

        # After the rollover into 2025 (the latest year: no year contains
        # the test clock's date), 李老师 leads 四年级（1）班, no longer 三年级（1）班.
        school_year_rollover(
            school=world.school, from_year=world.class_a.school_year, by=world.admin
        )
        client.force_login(world.admin)
        table = client.get(reverse("people:staff-list")).context["table"]
        row = next(r for r in table.page.object_list if r.record == world.homeroom_a)
        assert row.get_cell("homeroom_of") == "四年级（1）班"

    def test_role_filter(self, client, world):
        client.force_login(world.admin)
        response = client.get(reverse("people:staff-list"), {"role": "homeroom"})
        assert set(rows_of(response)) == {world.homeroom_a, world.homeroom_b}

    @pytest.mark.parametrize("size", [5, 50])
    def test_query_count(self, client, world, django_assert_num_queries, size):
        for i in range(size):
            f.make_class(
                world.school, 1 + i % 9, 3 + i // 9, f.make_user(world.school, Role.HOMEROOM)
            )
        client.force_login(world.admin)
        # 1 session, 2 user with school, 3 the current school year, 4 COUNT
        # staff, 5 the page of staff, 6 their homeroom classes of that year
        # (prefetch).
        with django_assert_num_queries(6):
            response = client.get(reverse("people:staff-list"))
        assert len(rows_of(response)) == min(size + 5, 50)


class TestSchoolYearFilter:
    """After a roster import into the next school year the lists default to
    the current school year (the latest when none contains today)."""

    @pytest.fixture
    def next_year(self, world):
        # world's classes are in 2024; a 2025 roster with the same class names.
        new = f.make_class(world.school, 3, 1, world.homeroom_a, start_year=2025)
        f.make_student(new, "新学年学生")
        return new

    def test_class_list_defaults_to_current_year_and_shows_the_year(self, client, world, next_year):
        client.force_login(world.admin)
        response = client.get(reverse("people:class-list"))
        # No year contains today (the clock is past 2026-08): the latest is the default.
        assert rows_of(response) == [next_year]
        assert "2025—2026学年" in response.text
        response = client.get(
            reverse("people:class-list"), {"school_year": world.class_a.school_year_id}
        )
        assert set(rows_of(response)) == {world.class_a, world.class_b}
        response = client.get(reverse("people:class-list"), {"school_year": ""})
        assert len(rows_of(response)) == 3

    def test_student_list_defaults_to_current_year(self, client, world, next_year):
        client.force_login(world.admin)
        names = {s.name for s in rows_of(client.get(reverse("people:student-list")))}
        assert names == {"新学年学生"}
        names = {
            s.name
            for s in rows_of(
                client.get(
                    reverse("people:student-list"),
                    {"school_year": world.class_a.school_year_id},
                )
            )
        }
        assert names == {world.child_x.name, world.child_y.name}

    def test_current_school_year_prefers_the_one_containing_today(self, world):
        today = timezone.localdate()
        start = today.year if today.month >= 9 else today.year - 1
        f.make_year(world.school, start + 1)
        containing = f.make_year(world.school, start)
        assert current_school_year(school_id=world.school.pk) == containing
