"""Billing fixtures: the autumn-2024 term (2 Sep 2024 – 17 Jan 2025) and
helpers that enrol a student on a given date the way enrollment records it
(an approved ``Application`` with its ``ApplicationEvent``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from enrollment.models import Application, ApplicationEvent, Status, WaiverRequest, WaiverStatus
from scheduling.attendance.services import leave_decide, leave_request
from scheduling.models import LeaveKind
from tests import factories as f

D = datetime.date
SEPT = D(2024, 9, 1)
BEFORE_TERM = D(2024, 8, 30)


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def enrol(
    student,
    term,
    *,
    by,
    on: datetime.date = BEFORE_TERM,
    noon: bool = True,
    after: bool = True,
    featured: bool = False,
    withdrawn_on: datetime.date | None = None,
    waiver: bool = False,
) -> Application:
    """An application approved by the school on ``on`` (and withdrawn on
    ``withdrawn_on``), with the parts chosen."""
    status = Status.WITHDRAWN if withdrawn_on else Status.APPROVED
    app = Application.objects.create(
        student=student,
        term=term,
        status=status,
        wants_noon=noon,
        wants_after_school=after,
        wants_featured_day=featured,
        goes_home_alone=True,
        reason="父母下班晚",
        waiver_requested=waiver,
        waiver_reason="低保户" if waiver else "",
        created_by=by,
    )
    ApplicationEvent.objects.create(
        application=app,
        from_status=Status.SUBMITTED_TO_SCHOOL,
        to_status=Status.APPROVED,
        by=by,
        at=at(on),
    )
    if withdrawn_on:
        ApplicationEvent.objects.create(
            application=app,
            from_status=Status.APPROVED,
            to_status=Status.WITHDRAWN,
            by=by,
            at=at(withdrawn_on),
        )
    if waiver:
        # Asked with the application and approved the same day.
        WaiverRequest.objects.create(
            application=app,
            reason="低保户",
            status=WaiverStatus.APPROVED,
            decided_by=by,
            decided_at=at(on),
            created_at=at(on),
        )
    return app


def approve_leave(student, term, first, last, *, homeroom, kind=LeaveKind.DAYS, periods=""):
    """Whole-day (or per-period) leave asked by the guardian and approved by
    the homeroom teacher through the attendance services."""
    guardian = student.guardians.first().user
    leave = leave_request(
        student=student,
        term=term,
        kind=kind,
        first_day=first,
        last_day=last,
        periods=periods,
        reason="看病",
        by=guardian,
        today=first - datetime.timedelta(days=1),
    )
    return leave_decide(leave=leave, by=homeroom, approve=True)


def money(value: str) -> Decimal:
    return Decimal(value)


def published(term, by=None):
    """``term`` with its fee published (收费公示), as billing needs."""
    from billing.publicity.services import fee_publication_publish

    fee_publication_publish(term=term, by=by)
    return term


@pytest.fixture
def term(world):
    return published(f.make_term(world.school, 2024), world.admin)


@pytest.fixture
def other_term(world):
    return published(f.make_term(world.other_school, 2024), world.other_admin)
