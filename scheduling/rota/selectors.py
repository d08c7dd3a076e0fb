"""Rota reads: the week's sessions, each person's load and workload, the
staff a form offers.

Each function returns data with its joins applied, in a fixed number of
queries whatever the size (tests pin the counts).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from afterschool.models import School, SchoolClass, Term, User
from scheduling.clubs.selectors import club_dates
from scheduling.models import (
    PERIOD_ORDER,
    ROTA_ROLES,
    Club,
    Session,
    StaffUnavailability,
    WeeklySupervisor,
    slot_label,
)


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


@dataclass
class GridCell:
    """One class's session in one (date, period) of the week grid, or none.
    ``clash``: why its supervisor cannot be there (leads a club then, is
    unavailable that day, or is booked twice), empty when fine."""

    session: Session | None
    clash: str = ""


@dataclass
class RotaGrid:
    """The week as class × (day, period): ``columns`` are (date, period)
    pairs in order, ``rows`` (class, cells in column order), ``clashes`` the
    number of cells whose supervisor cannot be there, ``unassigned`` the
    sessions without a supervisor."""

    columns: list[tuple[datetime.date, str]]
    rows: list[tuple[SchoolClass, list[GridCell]]]
    clashes: int
    unassigned: int


def rota_week_grid(term: Term, sessions: list[Session]) -> RotaGrid:
    """The week grid of ``sessions`` (``rota_sessions``' result): one row per
    class, one column per (date, period), each cell whose supervisor leads a
    club in that slot, is unavailable then (``StaffUnavailability``) or is
    booked twice marked as a clash. Two queries (clubs, unavailability)."""
    columns = sorted(
        {(s.date, s.period) for s in sessions}, key=lambda c: (c[0], PERIOD_ORDER[c[1]])
    )
    index = {c: i for i, c in enumerate(columns)}
    people = {s.supervisor_id for s in sessions if s.supervisor_id}
    clubs = {
        (c.teacher_id, c.weekday, c.period): c.name
        for c in Club.objects.filter(term=term, teacher_id__in=people)
    }
    away = defaultdict(list)
    for u in StaffUnavailability.objects.filter(person_id__in=people):
        away[u.person_id].append(u)
    booked: dict[tuple, int] = defaultdict(int)
    for s in sessions:
        if s.supervisor_id:
            booked[(s.date, s.period, s.supervisor_id)] += 1
    rows: dict[int, tuple[SchoolClass, list[GridCell]]] = {}
    clashes = unassigned = 0
    for s in sessions:
        klass = s.school_class
        if klass.pk not in rows:
            rows[klass.pk] = (klass, [GridCell(None) for _ in columns])
        clash = ""
        if s.supervisor_id:
            club = clubs.get((s.supervisor_id, s.weekday, s.period))
            if club:
                clash = _("负责社团%(club)s") % {"club": club}
            elif any(u.covers(s.date, s.weekday, s.period) for u in away[s.supervisor_id]):
                clash = _("不能值班")
            elif booked[(s.date, s.period, s.supervisor_id)] > 1:
                clash = _("同时安排了两个班")
        else:
            unassigned += 1
        clashes += bool(clash)
        rows[klass.pk][1][index[(s.date, s.period)]] = GridCell(s, clash)
    ordered = sorted(rows.values(), key=lambda r: (r[0].grade, r[0].number))
    return RotaGrid(columns=columns, rows=ordered, clashes=clashes, unassigned=unassigned)


# ---------------------------------------------------------------- the weekly pattern


@dataclass
class PatternSlot:
    """One class's weekly slot of a term's rota pattern and who supervises
    it: ``sessions`` is how many of the term's sessions in that slot the
    person supervised (0 for a slot only in the stored pattern,
    ``WeeklySupervisor``)."""

    school_class: SchoolClass
    weekday: int
    period: str
    supervisor: User
    sessions: int = 0

    @property
    def key(self) -> str:
        """``"<class pk>-<weekday>-<period>"``, the value a preview form posts."""
        return f"{self.school_class.pk}-{self.weekday}-{self.period}"

    @property
    def slot(self) -> str:
        """「周一 中午」."""
        return slot_label(self.weekday, self.period)


def rota_pattern(term: Term) -> list[PatternSlot]:
    """Who supervises which class in which weekly slot (timetable weekday ×
    period) in ``term``: for each class and slot, the person who supervised
    most of its sessions (ties: the later last date, then the lower user id);
    a slot without supervised sessions takes the term's stored pattern
    (``WeeklySupervisor``, e.g. a term made from the last one and not yet
    run). A person keeps only their busiest class of a weekly slot (one
    person cannot be in two rooms at once), and only active rota staff of
    the school count (seed 三). Ordered by weekday, period, grade, number.
    Four queries (sessions, stored pattern, classes with their year, people).
    """
    best: dict[tuple[int, int, str], tuple[int, datetime.date, int]] = {}
    rows = (
        Session.objects.filter(term=term, supervisor__isnull=False)
        .values("school_class_id", "weekday", "period", "supervisor_id")
        .annotate(n=Count("id"), last=Max("date"))
        .order_by()
    )
    for r in rows:
        key = (r["school_class_id"], r["weekday"], r["period"])
        candidate = (r["n"], r["last"], -r["supervisor_id"])
        if key not in best or candidate > best[key]:
            best[key] = candidate
    chosen = {key: (-c[2], c[0]) for key, c in best.items()}
    for w in WeeklySupervisor.objects.filter(term=term).values_list(
        "school_class_id", "weekday", "period", "supervisor_id"
    ):
        chosen.setdefault((w[0], w[1], w[2]), (w[3], 0))
    classes = SchoolClass.objects.select_related("school_year").in_bulk({k[0] for k in chosen})
    people = User.objects.filter(
        pk__in={v[0] for v in chosen.values()},
        school_id=term.school_id,
        role__in=ROTA_ROLES,
        is_active=True,
    ).in_bulk()
    taken: set[tuple[int, str, int]] = set()
    slots: list[PatternSlot] = []
    # Busiest first, so a person booked for two classes of one weekly slot
    # keeps the one they supervised most.
    for (class_id, weekday, period), (person_id, n) in sorted(
        chosen.items(), key=lambda kv: (-kv[1][1], kv[0][0], kv[0][1], kv[0][2])
    ):
        if person_id not in people or (weekday, period, person_id) in taken:
            continue
        taken.add((weekday, period, person_id))
        slots.append(PatternSlot(classes[class_id], weekday, period, people[person_id], n))
    slots.sort(
        key=lambda s: (
            s.weekday,
            PERIOD_ORDER[s.period],
            s.school_class.grade,
            s.school_class.number,
        )
    )
    return slots


@dataclass
class PatternGrid:
    """A rota pattern as class × weekly slot: ``columns`` are (weekday,
    period) pairs in order, ``rows`` (class, slots in column order, ``None``
    where the class has none)."""

    columns: list[tuple[int, str]]
    rows: list[tuple[SchoolClass, list[PatternSlot | None]]]

    @property
    def column_labels(self) -> list[str]:
        return [slot_label(w, p) for w, p in self.columns]


def rota_pattern_grid(slots: list[PatternSlot]) -> PatternGrid:
    """``rota_pattern``'s slots laid out as a grid (no query)."""
    columns = sorted(
        {(s.weekday, s.period) for s in slots}, key=lambda c: (c[0], PERIOD_ORDER[c[1]])
    )
    index = {c: i for i, c in enumerate(columns)}
    rows: dict[int, tuple[SchoolClass, list[PatternSlot | None]]] = {}
    for s in slots:
        klass = s.school_class
        if klass.pk not in rows:
            rows[klass.pk] = (klass, [None] * len(columns))
        rows[klass.pk][1][index[(s.weekday, s.period)]] = s
    ordered = sorted(rows.values(), key=lambda r: (r[0].grade, r[0].number))
    return PatternGrid(columns=columns, rows=ordered)
