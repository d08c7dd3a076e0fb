"""The scheduling demo step (demo/scheduling.py): September 2024 rolls with a
few absences and lates, leave in every state, dismissals; idempotent.

Built once for the module inside a transaction rolled back at the end. The
enrollment demo (approved applications) may not be present: the fixture
approves applications for three students in four, as that step would."""

from __future__ import annotations

import datetime
import random
from collections import Counter

import pytest
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
    with django_db_blocker.unblock(), transaction.atomic():
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
            for s in Student.objects.filter(school=demo.school).order_by("pk")
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
    def test_rolls_for_september_with_a_few_absences_and_lates(self, built):
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
        months = {d.month for d in Attendance.objects.values_list("date", flat=True).distinct()}
        assert months == {9}

    def test_leave_in_every_state_and_a_three_day_leave_marks_the_roll(self, built):
        demo, first, _ = built
        assert set(first["leave"]) == set(LeaveStatus.values)
        three = LeaveRequest.objects.get(
            term=demo.term,
            status=LeaveStatus.APPROVED,
            kind=LeaveKind.DAYS,
            first_day=datetime.date(2024, 9, 18),
        )
        assert (three.last_day - three.first_day).days == 2
        assert set(three.attendances.values_list("status", flat=True)) == {AttendanceStatus.LEAVE}
        assert three.attendances.values("date").distinct().count() == 3

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
