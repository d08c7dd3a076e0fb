"""The scheduling demo step (demo/scheduling.py): rolls of the last service
days up to yesterday with a few absences and lates, leave in every state
around today, dismissals; idempotent.

Built once for the module inside a transaction rolled back at the end. The
enrollment demo (approved applications) may not be present: the fixture
approves applications for three students in four, as that step would."""

from __future__ import annotations

import datetime
import random
from collections import Counter

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from afterschool.models import Role, Student, User
from demo import scheduling as scheduling_demo
from demo.school import load_school
from enrollment.models import Application, Status
from scheduling.models import (
    Attendance,
    AttendanceStatus,
    Dismissal,
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    Session,
)

# Pinned (time-machine) to 2025-01-15, in the autumn-2024 term the assertions below describe.
PINNED = datetime.datetime(2025, 1, 15, 10, tzinfo=datetime.UTC)


def _counts(term) -> dict[str, object]:
    return {
        "sessions": Session.objects.filter(term=term).count(),
        "marks": Counter(
            Attendance.objects.filter(session__term=term).values_list("status", flat=True)
        ),
        "leave": Counter(LeaveRequest.objects.filter(term=term).values_list("status", flat=True)),
        "dismissals": Dismissal.objects.filter(student__school=term.school).count(),
    }


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with (
        time_machine.travel(PINNED, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        demo = load_school()
        rng = random.Random(4)
        admin = User.objects.filter(school=demo.school, role=Role.ADMIN).order_by("pk").first()
        Application.objects.bulk_create(
            Application(
                student=s,
                term=demo.term,
                status=Status.APPROVED,
                wants_noon=rng.random() < 0.8,
                wants_after_school=True,
                goes_home_alone=rng.random() < 0.2,
                pickup_name="家长",
                reason="父母下班晚",
                created_by=admin,
            )
            for s in Student.objects.filter(
                school=demo.school, school_class__school_year=demo.school_year
            ).order_by("pk")
            if rng.random() < 0.75
        )
        scheduling_demo.build(demo)
        first = _counts(demo.term)
        with CaptureQueriesContext(connection) as queries:
            scheduling_demo.build(demo)
        writes = [
            q["sql"][:80]
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]
        yield demo, first, (_counts(demo.term), writes)
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestSchedulingDemo:
    def test_rolls_up_to_yesterday_with_a_few_absences_and_lates(self, built):
        demo, first, _ = built
        marks = first["marks"]
        assert first["sessions"] > 0
        assert marks[AttendanceStatus.PRESENT] > 10_000
        assert (
            0
            < marks[AttendanceStatus.ABSENT]
            < marks[AttendanceStatus.LATE]
            < 0.05 * sum(marks.values())
        )
        days = sorted(set(Attendance.objects.values_list("date", flat=True)))
        assert len(days) == scheduling_demo.ROLL_DAYS
        assert days[-1] == datetime.date(2025, 1, 14)  # yesterday; today's rolls wait
        assert datetime.date(2025, 1, 1) not in days  # 元旦

    def test_leave_in_every_state_and_a_three_day_leave_marks_the_roll(self, built):
        demo, first, _ = built
        assert set(first["leave"]) == set(LeaveStatus.values)
        three = LeaveRequest.objects.get(
            term=demo.term,
            status=LeaveStatus.APPROVED,
            kind=LeaveKind.DAYS,
            reason="回老家参加婚礼",
        )
        service_days = set(
            Session.objects.filter(
                term=demo.term, date__range=(three.first_day, three.last_day)
            ).values_list("date", flat=True)
        )
        assert len(service_days) == 3
        assert set(three.attendances.values_list("status", flat=True)) == {AttendanceStatus.LEAVE}
        assert set(three.attendances.values_list("date", flat=True)) == service_days

    def test_leave_for_tomorrow_waits_for_the_homeroom_teacher(self, built):
        demo, _, _ = built
        waiting = LeaveRequest.objects.filter(term=demo.term, status=LeaveStatus.REQUESTED)
        assert set(waiting.values_list("first_day", flat=True)) == {datetime.date(2025, 1, 16)}

    def test_dismissals_skip_boarders(self, built):
        demo, first, _ = built
        assert first["dismissals"] > 0
        assert not Dismissal.objects.filter(student__is_boarder=True).exists()
        assert not Dismissal.objects.filter(alone=True, collected_by__gt="").exists()

    def test_sessions_only_for_classes_with_enrolled_pupils(self, built):
        demo, first, _again = built
        enrolled = set()
        for cid, noon, after in Application.objects.filter(
            term=demo.term, status=Status.APPROVED
        ).values_list("student__school_class_id", "wants_noon", "wants_after_school"):
            enrolled |= {(cid, "noon")} if noon else set()
            enrolled |= {(cid, "after")} if after else set()
        got = set(Session.objects.filter(term=demo.term).values_list("school_class_id", "period"))
        assert got and got <= enrolled

    def test_running_again_changes_nothing(self, built):
        _, first, (second, writes) = built
        assert first == second
        assert writes == []
