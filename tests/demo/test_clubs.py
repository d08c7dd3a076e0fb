"""The clubs demo step (demo/clubs.py): clubs, windows, choices
and a published allocation; idempotent. Loaded once for the module inside a
transaction rolled back at the end."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import transaction

from afterschool.models import User
from demo import clubs as demo_clubs
from demo.school import load_school as load_demo
from enrollment.models import Application, Status
from scheduling.clubs.selectors import subject_like_clubs
from scheduling.models import AllocationRun, ChoiceWindow, Club, ClubChoice

# Pinned (time-machine) to 2025-01-15, in the autumn-2024 term the assertions below describe.
PINNED = datetime.datetime(2025, 1, 15, 10, tzinfo=datetime.UTC)


def _counts(term):
    return (
        Club.objects.filter(term=term).count(),
        ChoiceWindow.objects.filter(term=term).count(),
        ClubChoice.objects.filter(term=term).count(),
        AllocationRun.objects.filter(term=term).count(),
    )


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with (
        time_machine.travel(PINNED, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        demo = load_demo()
        empty = _counts(demo.term)
        demo_clubs.build(demo)  # no enrolled students yet: clubs and windows only
        without_enrolment = _counts(demo.term)
        admin = User.objects.get(username="admin")
        Application.objects.bulk_create(
            [
                Application(
                    student=s,
                    term=demo.term,
                    status=Status.APPROVED,
                    wants_after_school=True,
                    wants_featured_day=i % 10 != 0,
                    goes_home_alone=True,
                    reason="父母下班晚",
                    created_by=admin,
                )
                for i, s in enumerate(demo.students[:800])
            ]
        )
        demo_clubs.build(demo)
        first = _counts(demo.term)
        demo_clubs.build(demo)
        second = _counts(demo.term)
        yield {
            "demo": demo,
            "empty": empty,
            "without": without_enrolment,
            "first": first,
            "second": second,
        }
        transaction.set_rollback(True)


class TestDemoClubs:
    def test_without_enrolment_only_clubs_and_windows(self, built):
        assert built["empty"][2:] == (0, 0)
        clubs, windows, choices, runs = built["without"]
        assert clubs == len(demo_clubs.CLUBS) == 20
        assert windows == 7
        assert (choices, runs) == (0, 0)

    def test_choices_for_most_enrolled_and_a_published_run(self, built, db):
        term = built["demo"].term
        choosers = ClubChoice.objects.filter(term=term).values("student").distinct().count()
        enrolled = 720  # 800 approved, 9 in 10 with the featured day
        assert 0.8 * enrolled <= choosers <= enrolled
        run = AllocationRun.objects.get(term=term)
        assert run.seed == demo_clubs.DEMO_SEED and run.published_at is not None
        assert run.students == choosers
        assert run.got_first > run.got_second > 0
        assert run.priority_placed == run.priority_students > 0

    def test_clubs_respect_rooms_and_grades(self, built, db):
        for club in Club.objects.filter(term=built["demo"].term).select_related("room"):
            assert club.room.capacity >= club.capacity
            assert club.weekday == 3 and club.period == "after"

    def test_no_club_reads_like_a_subject_lesson(self, built, db):
        """The demo shows clubs as the rules want them: none named like a
        lesson (the term settings would warn of it)."""
        assert subject_like_clubs(built["demo"].term) == []

    def test_idempotent(self, built):
        assert built["first"] == built["second"]
