"""Scheduling's part of making the next term from the last: the rota
pattern (the term's schedule: featured day and period, period times,
make-up day rule; and who supervises which class in which weekly slot) and
the clubs with their teachers and rooms.

Choices, allocations, sessions and rolls are per term and start fresh: the
new term's sessions are generated from its approved applications
(``scheduling.rota.services.sessions_generate``, then ``rota_generate``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from afterschool.models import Term
from scheduling.calendar.days import term_schedule
from scheduling.models import Club, TermSchedule, WeeklySupervisor
from scheduling.rota.selectors import rota_pattern
from scheduling.terms.selectors import pattern_targets

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


@dataclass
class PatternCopy:
    """What ``rota_pattern_copy`` wrote: ``copied`` weekly slots, and
    ``not_placed`` slots whose class has no class in the target's school
    year (graduated, or the school has not rolled over yet)."""

    copied: int = 0
    not_placed: int = 0


def rota_pattern_copy(
    *, source: Term, target: Term, keys: Iterable[str] | None = None
) -> PatternCopy:
    """Take ``source``'s weekly rota pattern (``rota_pattern``: who
    supervises which class on which weekday and period) into ``target``:
    all slots, or those whose ``PatternSlot.key`` is in ``keys``. A class
    follows its children into the target's school year (三年级（2）班's
    supervisors go with 四年级（2）班 after the rollover); a slot ``target``
    already has is kept as it is. ``rota_generate`` then gives each session
    of a slot its person when they are free. At most eight queries and one
    bulk insert."""
    slots = rota_pattern(source)
    if keys is not None:
        wanted = set(keys)
        slots = [s for s in slots if s.key in wanted]
    targets = pattern_targets(
        slots, school_id=target.school_id, start_year=target.school_year.start_year
    )
    have = WeeklySupervisor.objects.filter(term=target)
    taken_slots = set(have.values_list("school_class_id", "weekday", "period"))
    taken_people = set(have.values_list("weekday", "period", "supervisor_id"))
    result = PatternCopy()
    rows = []
    for s in slots:
        to = targets.get(s.school_class.pk)
        if to is None:
            result.not_placed += 1
            continue
        if (to.pk, s.weekday, s.period) in taken_slots or (
            s.weekday,
            s.period,
            s.supervisor.pk,
        ) in taken_people:
            continue
        rows.append(
            WeeklySupervisor(
                term=target,
                school_class=to,
                weekday=s.weekday,
                period=s.period,
                supervisor=s.supervisor,
            )
        )
    WeeklySupervisor.objects.bulk_create(rows)
    result.copied = len(rows)
    return result
