"""Club meeting rolls (特色课程): same rules as a basic session's roll, keyed
(club, date, student); the roster comes from the club allocation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from scheduling import selectors, services
from scheduling.models import Attendance, Club, ClubCategory, LeaveKind, Period

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
