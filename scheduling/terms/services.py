"""Scheduling's part of making the next term from the last: the rota
pattern (the term's schedule: featured day and period, period times,
make-up day rule) and the clubs with their teachers and rooms.

Choices, allocations, sessions and rolls are per term and start fresh: the
new term's sessions are generated from its approved applications
(``scheduling.rota.services.sessions_generate``, then ``rota_generate``).
"""

from __future__ import annotations

from collections.abc import Iterable

from afterschool.models import Term
from scheduling.calendar.days import term_schedule
from scheduling.models import Club, TermSchedule

SCHEDULE_FIELDS = (
    "service_on_makeup_days",
    "featured_weekday",
    "featured_period",
    "noon_start",
    "noon_end",
    "after_start",
    "after_end",
)
CLUB_FIELDS = (
    "name",
    "category",
    "min_grade",
    "max_grade",
    "capacity",
    "teacher_id",
    "room_id",
    "weekday",
    "period",
    "description",
)


def term_schedule_copy(*, source: Term, target: Term, changes: dict | None = None) -> TermSchedule:
    """``target``'s schedule as ``source``'s (``SCHEDULE_FIELDS``), with
    ``changes`` (e.g. ``{"featured_weekday": 2}``) applied. Two or three
    queries."""
    values = {f: getattr(term_schedule(source), f) for f in SCHEDULE_FIELDS}
    values.update({k: v for k, v in (changes or {}).items() if k in SCHEDULE_FIELDS})
    schedule, _created = TermSchedule.objects.update_or_create(term=target, defaults=values)
    return schedule


def clubs_copy(*, source: Term, target: Term, club_ids: Iterable[int] | None = None) -> int:
    """Copy ``source``'s clubs (all, or those in ``club_ids``) into
    ``target`` with their teacher, room, weekday, period, grades and
    capacity; a club whose name ``target`` already has is skipped. Two
    queries and one bulk insert; returns how many were created."""
    clubs = Club.objects.filter(term=source)
    if club_ids is not None:
        clubs = clubs.filter(pk__in=list(club_ids))
    have = set(Club.objects.filter(term=target).values_list("name", flat=True))
    rows = [
        Club(school_id=target.school_id, term=target, **{f: getattr(c, f) for f in CLUB_FIELDS})
        for c in clubs
        if c.name not in have
    ]
    Club.objects.bulk_create(rows)
    return len(rows)
