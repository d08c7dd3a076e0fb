"""Counting each person's paid after-school periods in a month."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from afterschool.models import Term, User
from billing.models import FeePolicy
from billing.money import ZERO, line_amount
from billing.months import month_end, month_start
from billing.policy.selectors import fee_policy_of
from enrollment.models import Application
from enrollment.models import Status as ApplicationStatus
from scheduling.attendance.selectors import PERIOD_PART
from scheduling.clubs.selectors import club_dates
from scheduling.models import Attendance, Club, Session


@dataclass
class WorkloadRow:
    """One person's after-school periods in a month (课时数计入工作量)."""

    person: User
    supervised: int = 0
    rolls: int = 0
    club_sessions: int = 0
    rate: Decimal = ZERO

    @property
    def periods(self) -> int:
        return self.supervised + self.club_sessions

    @property
    def subsidy(self) -> Decimal:
        return line_amount(self.periods, self.rate)


def workload(
    *, term: Term, month: datetime.date, policy: FeePolicy | None = None
) -> list[WorkloadRow]:
    """Per person, for ``month`` of ``term``: basic sessions supervised (the
    rota), of which rolls were taken (attendance marked), and club meetings
    led (each meeting date of the person's clubs; seed 三: 课时数计入工作量),
    with the subsidy at ``FeePolicy.workload_rate_per_period`` yuan per
    period, rounded half up on the row.

    THE rule for a basic session (school policy: the subsidy pays for
    children looked after, not for an empty room): it counts only when its
    class has at least one student enrolled for that period — the roll's
    own list, ``scheduling.attendance.roll_students`` — or when a roll was
    taken for it anyway. A session whose roll says "本课时没有报名参加的学生"
    is not workload. (``scheduling.rota.selectors.staff_workload`` counts every
    scheduled session; this is the count that is paid.)

    Queries: sessions, rolls, clubs, calendar (≤ 4), people, and the policy
    unless given."""
    first, last = month_start(month), month_end(month)
    if policy is None:
        policy = fee_policy_of(term)
    rate = policy.workload_rate_per_period if policy else ZERO
    supervised, rolls = _sessions_supervised(term=term, first=first, last=last)
    led = _club_meetings_led(term=term, first=first, last=last)
    ids = set(supervised) | {k for k, v in led.items() if v}
    people = User.objects.filter(pk__in=ids).order_by("name", "username")
    return [
        WorkloadRow(
            person=p,
            supervised=supervised.get(p.pk, 0),
            rolls=rolls.get(p.pk, 0),
            club_sessions=led.get(p.pk, 0),
            rate=rate,
        )
        for p in people
    ]


def _sessions_supervised(
    *, term: Term, first: datetime.date, last: datetime.date
) -> tuple[dict[int, int], dict[int, int]]:
    """Supervisor id → basic sessions that count (the rule in ``workload``),
    and → sessions whose roll was taken. Two queries."""
    rolled = Attendance.objects.filter(session=OuterRef("pk"))
    attended = Q(Exists(rolled))
    for period, part in PERIOD_PART.items():
        enrolled = Application.objects.filter(
            term=OuterRef("term"),
            student__school_class=OuterRef("school_class"),
            status=ApplicationStatus.APPROVED,
            **{part: True},
        )
        attended |= Q(period=period) & Q(Exists(enrolled))
    supervised = dict(
        Session.objects.filter(term=term, date__range=(first, last), supervisor__isnull=False)
        .filter(attended)
        .values_list("supervisor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rolls = dict(
        Session.objects.filter(
            term=term,
            date__range=(first, last),
            supervisor__isnull=False,
            pk__in=Attendance.objects.filter(session__isnull=False).values("session_id"),
        )
        .values_list("supervisor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return supervised, rolls


def _club_meetings_led(*, term: Term, first: datetime.date, last: datetime.date) -> dict[int, int]:
    """Teacher id → meeting dates of their clubs between ``first`` and
    ``last``. One query for the clubs, and the calendar's."""
    clubs = list(Club.objects.filter(term=term))
    led: dict[int, int] = defaultdict(int)
    if clubs:
        for club_id, dates in club_dates(term, clubs).items():
            teacher = next(c.teacher_id for c in clubs if c.pk == club_id)
            led[teacher] += sum(1 for d in dates if first <= d <= last)
    return led
