"""Club reads: the term's clubs and the dates they meet."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import QuerySet

from afterschool.models import Term
from scheduling.calendar.days import term_calendar
from scheduling.models import Club


def clubs_of(term: Term) -> QuerySet[Club]:
    return Club.objects.filter(term=term).select_related("room", "teacher")


def club_dates(term: Term, clubs: list[Club] | None = None) -> dict[int, list[datetime.date]]:
    """Club id → the dates the club meets in ``term``: every service day whose
    timetable weekday is the club's weekday (a make-up Saturday following
    Thursday counts; suspended days do not). Clubs meet in their ``period``,
    one period (课时) per date. Queries: the term's clubs (unless given) and the
    calendar (``scheduling.calendar.days.term_calendar``).

    Raises ``CalendarUnknownError`` for a term in an unknown year.
    """

    if clubs is None:
        clubs = list(Club.objects.filter(term=term))
    by_weekday: dict[int, list[datetime.date]] = defaultdict(list)
    for d in term_calendar(term):
        if d.has_service:
            by_weekday[d.timetable_weekday].append(d.date)
    return {c.pk: list(by_weekday.get(c.weekday, [])) for c in clubs}
