"""Rota reads: the week's sessions, each person's load and workload, the
staff a form offers.

Each function returns data with its joins applied, in a fixed number of
queries whatever the size (tests pin the counts).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from afterschool.models import School, Term, User
from scheduling.clubs.selectors import club_dates
from scheduling.models import PERIOD_ORDER, ROTA_ROLES, Club, Session


def staff_of(school: School, roles) -> QuerySet[User]:
    """Active users of ``school`` with one of ``roles``, by name (the people
    a supervisor or club-teacher select offers)."""
    return User.objects.filter(school=school, role__in=roles, is_active=True).order_by("name", "pk")


def rota_sessions(term: Term, monday: datetime.date) -> list[Session]:
    """The week's sessions of ``term`` with class, room and supervisor, by date,
    noon before after-school, then class. One query."""
    sessions = Session.objects.filter(
        term=term, date__range=(monday, monday + datetime.timedelta(days=6))
    ).select_related("school_class", "room", "supervisor")
    return sorted(
        sessions,
        key=lambda s: (
            s.date,
            PERIOD_ORDER[s.period],
            s.school_class.grade,
            s.school_class.number,
        ),
    )


def rota_load(term: Term) -> list[tuple[User, int]]:
    """(person, periods supervised in the term) for the rota staff, busiest first
    — the workload figure (课时数计入工作量, seed 三). Two queries."""

    staff = list(
        User.objects.filter(school=term.school, role__in=ROTA_ROLES, is_active=True).annotate(
            periods=Count("supervised_sessions", filter=Q(supervised_sessions__term=term))
        )
    )
    return sorted(((p, p.periods) for p in staff), key=lambda x: (-x[1], x[0].pk))


def staff_workload(term: Term) -> dict[int, int]:
    """User id → periods (课时) of after-school service in ``term``: basic
    sessions supervised plus club meetings led (seed 三: 课时数计入工作量).
    Counts scheduled periods; attendance-based adjustments belong to roll call.
    Queries: sessions aggregate, clubs, calendar.
    """

    load: dict[int, int] = defaultdict(int)
    for row in (
        Session.objects.filter(term=term, supervisor__isnull=False)
        .values("supervisor_id")
        .annotate(n=Count("id"))
    ):
        load[row["supervisor_id"]] += row["n"]
    clubs = list(Club.objects.filter(term=term))
    for club_id, dates in club_dates(term, clubs).items():
        teacher_id = next(c.teacher_id for c in clubs if c.pk == club_id)
        load[teacher_id] += len(dates)
    return dict(load)
