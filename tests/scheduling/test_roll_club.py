"""Club meeting rolls (特色课程): same rules as a basic session's roll, keyed
(club, date, student); the roster comes from the club allocation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from afterschool.models import Role, RoomKind
from scheduling.attendance import selectors, services
from scheduling.models import (
    Allocation,
    AllocationRun,
    Attendance,
    Club,
    ClubCategory,
    LeaveKind,
    Period,
)
from tests import factories as f

D = datetime.date
THURSDAY = D(2024, 9, 5)


@pytest.fixture
def club(world, term, rooms):
    return Club.objects.create(
        school=world.school,
        term=term,
        name="合唱团",
        category=ClubCategory.MUSIC,
        min_grade=3,
        max_grade=3,
        capacity=30,
        teacher=world.teacher,
        room=rooms["music"],
        weekday=3,
        period=Period.AFTER_SCHOOL,
    )


@pytest.mark.django_db
class TestClubRoll:
    def test_roster_present_by_default_and_exceptions_saved(self, world, term, club):
        roster = [world.child_x, world.child_y]
        services.club_roll_save(
            club=club,
            date=THURSDAY,
            roster=roster,
            by=world.teacher,
            marks={world.child_y.pk: "absent"},
            today=THURSDAY,
        )
        marks = dict(Attendance.objects.filter(club=club).values_list("student_id", "status"))
        assert marks == {world.child_x.pk: "present", world.child_y.pk: "absent"}
        assert selectors.attendance_absences(term=term) == {
            world.child_y.pk: {(THURSDAY, Period.AFTER_SCHOOL)}
        }
        # Saving again changes nothing.
        services.club_roll_save(
            club=club,
            date=THURSDAY,
            roster=roster,
            by=world.admin,
            marks={world.child_y.pk: "absent"},
            today=THURSDAY,
        )
        assert Attendance.objects.filter(club=club).count() == 2

    def test_approved_leave_premarks(self, world, term, enroll, club):
        enroll(world.child_x, term)
        leave = services.leave_request(
            student=world.child_x,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=THURSDAY,
            last_day=THURSDAY,
            reason="看病",
            by=world.guardian_x.user,
            today=THURSDAY,
        )
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=True)
        rows = services.club_roll_save(
            club=club, date=THURSDAY, roster=[world.child_x], by=world.teacher, today=THURSDAY
        )
        assert [(r.status, r.leave) for r in rows] == [("leave", leave)]

    @pytest.mark.parametrize(
        ("who", "day", "message"),
        [
            ("homeroom_a", THURSDAY, "只有社团指导教师或学校管理员可以点名。"),
            ("other_admin", THURSDAY, "只有社团指导教师或学校管理员可以点名。"),
            ("teacher", D(2024, 9, 4), "合唱团在9月4日没有活动。"),
            ("teacher", D(2024, 9, 12), "9月12日的课时还没到，不能提前点名。"),
        ],
    )
    def test_refusals(self, world, term, club, who, day, message):
        with pytest.raises(ValidationError) as exc:
            services.club_roll_save(
                club=club,
                date=day,
                roster=[world.child_x],
                by=getattr(world, who),
                today=D(2024, 9, 5),
            )
        assert exc.value.messages == [message]
        assert Attendance.objects.count() == 0


@pytest.fixture
def placed(world, term, club):
    """A published run placing child_x and child_y in 合唱团."""
    run = AllocationRun.objects.create(
        term=term, seed=1, objective="-", tie_range=1, published_at=timezone.now()
    )
    for kid in (world.child_x, world.child_y):
        Allocation.objects.create(run=run, student=kid, club=club, rank=1, state="placed")
    return run


def club_roll_url(club, day=THURSDAY):
    return reverse("scheduling:club-roll", args=[club.pk]) + f"?date={day.isoformat()}"


@pytest.mark.django_db
class TestClubRollPages:
    def test_index_lists_the_club_meeting_for_its_teacher_and_admin(
        self, client, world, club, placed
    ):
        for who in (world.teacher, world.admin):
            client.force_login(who)
            r = client.get(reverse("scheduling:roll-index"), {"date": THURSDAY.isoformat()})
            assert [c.pk for c in r.context["clubs"]] == [club.pk]
            assert club_roll_url(club) in r.content.decode()
        client.force_login(world.teacher)
        r = client.get(reverse("scheduling:roll-index"), {"date": "2024-09-04"})  # Wednesday
        assert r.context["clubs"] == []
        client.force_login(world.homeroom_b)
        r = client.get(reverse("scheduling:roll-index"), {"date": THURSDAY.isoformat()})
        assert r.context["clubs"] == []

    def test_page_lists_the_placed_students_and_a_tap_saves(self, client, world, club, placed):
        client.force_login(world.teacher)
        r = client.get(club_roll_url(club))
        html = r.content.decode()
        assert [row.student for row in r.context["roll"].rows] == [world.child_x, world.child_y]
        assert "合唱团" in html and "全部到齐，保存点名" in html
        r = client.post(
            club_roll_url(club),
            {"student": world.child_y.pk, "status": "absent"},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200 and 'data-status="absent"' in r.content.decode()
        marks = dict(Attendance.objects.filter(club=club).values_list("student_id", "status"))
        assert marks == {world.child_x.pk: "present", world.child_y.pk: "absent"}
        assert set(Attendance.objects.values_list("date", flat=True)) == {THURSDAY}

    def test_a_day_without_the_club_is_refused_with_nothing_written(
        self, client, world, club, placed
    ):
        client.force_login(world.teacher)
        r = client.post(club_roll_url(club, D(2024, 9, 4)), follow=True)
        assert "合唱团在9月4日没有活动。" in r.content.decode()
        assert Attendance.objects.count() == 0

    @pytest.mark.parametrize("who", ["homeroom_b", "volunteer", "other_admin"])
    def test_other_staff_get_404_and_write_nothing(self, client, world, club, placed, who):
        client.force_login(getattr(world, who))
        assert client.get(club_roll_url(club)).status_code == 404
        r = client.post(club_roll_url(club), {"student": world.child_x.pk, "status": "absent"})
        assert r.status_code == 404
        assert Attendance.objects.count() == 0

    def test_guardian_gets_403(self, client, world, club, placed):
        client.force_login(world.guardian_x.user)
        assert client.get(club_roll_url(club)).status_code == 403

    @pytest.mark.parametrize("size", [3, 30])
    def test_page_queries(self, client, world, term, club, placed, size, django_assert_num_queries):
        for i in range(size):
            kid = f.make_student(world.class_a, f"学生{i:02d}")
            Allocation.objects.create(run=placed, student=kid, club=club, rank=1, state="placed")
        client.force_login(world.teacher)
        # 1 session, 2 user with school, 3 club with teacher/room/term,
        # 4 published run, 5 placed students, 6 saved marks, 7 approved leave.
        with django_assert_num_queries(7):
            r = client.get(club_roll_url(club))
        assert len(r.context["roll"].rows) == size + 2

    @pytest.mark.parametrize("clubs", [1, 4])
    def test_index_queries(
        self, client, world, term, rooms, club, clubs, django_assert_num_queries
    ):
        for i in range(clubs - 1):
            Club.objects.create(
                school=world.school,
                term=term,
                name=f"社团{i}",
                category=ClubCategory.MUSIC,
                min_grade=3,
                max_grade=3,
                capacity=30,
                teacher=f.make_user(world.school, Role.TEACHER, f"club_t{i}"),
                room=f.make_room(world.school, f"功能室{i}", RoomKind.MUSIC, 40),
                weekday=3,
                period=Period.AFTER_SCHOOL,
            )
        client.force_login(world.admin)
        # 1 session, 2 user with school, 3 sessions with counts, 4 clubs with
        # counts (term, schedule, room, teacher joined), 5 calendar rows,
        # 6 service changes.
        with django_assert_num_queries(6):
            r = client.get(reverse("scheduling:roll-index"), {"date": THURSDAY.isoformat()})
        assert len(r.context["clubs"]) == clubs
