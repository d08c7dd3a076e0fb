"""Timetable reads: the week of one class, student, person or room, or of
the whole school.

Each function returns data with its joins applied, in a fixed number of
queries whatever the size (tests pin the counts).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from afterschool.models import Room, SchoolClass, Student, Term, User
from scheduling.attendance.selectors import PERIOD_PART, enrolled_application
from scheduling.calendar.days import DayInfo, days_between, term_schedule
from scheduling.calendar.selectors import term_classes
from scheduling.choice.selectors import allocations_by_student, published_run
from scheduling.models import Club, Period, Session, TermSchedule


@dataclass
class Entry:
    """One booking in a timetable cell."""

    kind: str  # "basic" or "club"
    title: str
    room: str
    person: str
    school_class: str = ""


@dataclass
class WeekTimetable:
    """A week of one class / person / room / the school.

    ``days``: the week's dates with service or a suspension notice (DayInfo);
    ``periods``: (value, label, start, end); ``cells[(date, period)]``: entries;
    ``rows`` (school view only): classes, with ``grid[(class_id, date, period)]``.
    """

    term: Term
    schedule: TermSchedule
    monday: datetime.date
    days: list[DayInfo]
    periods: list[tuple[str, str, datetime.time, datetime.time]]
    cells: dict[tuple, list[Entry]] = field(default_factory=dict)
    rows: list[SchoolClass] = field(default_factory=list)
    grid: dict[tuple, Entry] = field(default_factory=dict)
    clubs: list[Club] = field(default_factory=list)
    # A student's week only: False when the child has no approved
    # application for the term (no session or club is theirs to attend).
    enrolled: bool = True

    @property
    def previous_week(self) -> datetime.date | None:
        prev = self.monday - datetime.timedelta(days=7)
        return prev if prev + datetime.timedelta(days=6) >= self.term.first_day else None

    @property
    def next_week(self) -> datetime.date:
        nxt = self.monday + datetime.timedelta(days=7)
        return nxt if nxt <= self.term.last_day else None

    @property
    def sunday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=6)

    @property
    def period_rows(self) -> list[tuple[tuple, list[tuple[DayInfo, list[Entry]]]]]:
        """For templates: per period, the entries of each shown day."""
        return [
            (p, [(d, self.cells.get((d.date, p[0]), [])) for d in self.days]) for p in self.periods
        ]

    @property
    def day_rows(self) -> list[tuple[DayInfo, list[tuple[tuple, list[Entry]]]]]:
        """For the phone list: per shown day, each period with its entries
        (the grid's cells read by day instead of by period)."""
        return [
            (d, [(p, self.cells.get((d.date, p[0]), [])) for p in self.periods]) for d in self.days
        ]

    @property
    def columns(self) -> list[tuple[DayInfo, tuple]]:
        """For the school grid: (day, period) columns of service days."""
        return [(d, p) for d in self.days if d.has_service for p in self.periods]

    @property
    def class_rows(self) -> list[tuple[SchoolClass, list[tuple[Entry | None, bool]]]]:
        """For the school grid: per class, its entry in each column and
        whether the column is the featured day's slot (社团 in place of a
        session; any other empty cell is a class without service then)."""
        featured = [
            d.timetable_weekday == self.schedule.featured_weekday
            and p[0] == self.schedule.featured_period
            for d, p in self.columns
        ]
        return [
            (
                c,
                [
                    (self.grid.get((c.id, d.date, p[0])), f)
                    for (d, p), f in zip(self.columns, featured, strict=True)
                ],
            )
            for c in self.rows
        ]


def _bookings(
    term: Term,
    first: datetime.date,
    last: datetime.date,
    *,
    school_class: SchoolClass | None,
    person: User | None,
    room: Room | None,
    student: Student | None,
) -> tuple[QuerySet[Session], QuerySet[Club], bool, bool]:
    """The sessions of ``first``–``last`` and the clubs to show for one class,
    person, room or student (none of them: the whole school), whether the
    student's club is still to be allocated (no published run yet), and
    whether the student is enrolled. A student sees only the parts of the
    service their approved application takes (午间, 课后, 特色日 club); a
    child without one (returned, withdrawn, never applied) sees nothing."""
    sessions = Session.objects.filter(term=term, date__range=(first, last)).select_related(
        "school_class", "room", "supervisor"
    )
    clubs = Club.objects.filter(term=term).select_related("room", "teacher")
    pending_club = False
    enrolled = True
    if student is not None:
        school_class = student.school_class
        application = enrolled_application(student=student, term=term)
        enrolled = application is not None
        periods = [p for p, part in PERIOD_PART.items() if getattr(application, part, False)]
        sessions = sessions.filter(period__in=periods)
        if application is not None and application.wants_featured_day:
            run = published_run(term)
            placed = allocations_by_student(run, [student.pk]).get(student.pk)
            pending_club = run is None
            clubs = clubs.filter(pk=placed.pk) if placed is not None else clubs.none()
        else:
            clubs = clubs.none()
    if school_class is not None:
        sessions = sessions.filter(school_class=school_class)
        clubs = clubs.filter(min_grade__lte=school_class.grade, max_grade__gte=school_class.grade)
    if person is not None:
        sessions = sessions.filter(supervisor=person)
        clubs = clubs.filter(teacher=person)
    if room is not None:
        sessions = sessions.filter(room=room)
        clubs = clubs.filter(room=room)
    return sessions, clubs, pending_club, enrolled


def _club_entries(
    table: WeekTimetable, cells: dict[tuple, list[Entry]], pending_club: bool
) -> None:
    """Add the clubs (or 「社团（待分配）」) to the service days' cells."""
    schedule = table.schedule
    for d in table.days:
        if not d.has_service:
            continue
        if pending_club and d.timetable_weekday == schedule.featured_weekday:
            cells[(d.date, schedule.featured_period)].append(
                Entry(kind="club", title=str(_("社团（待分配）")), room="", person="")
            )
        for club in table.clubs:
            if club.weekday == d.timetable_weekday:
                cells[(d.date, club.period)].append(
                    Entry(
                        kind="club", title=club.name, room=str(club.room), person=str(club.teacher)
                    )
                )


def week_timetable(
    *,
    term: Term,
    monday: datetime.date,
    school_class: SchoolClass | None = None,
    person: User | None = None,
    room: Room | None = None,
    student: Student | None = None,
    whole_school: bool = False,
) -> WeekTimetable:
    """The week from ``monday`` of ``term`` for one class, person or room, or
    the whole school. Shows service days of the week (Monday–Friday plus
    make-up days with service) and suspended days with their notice.

    For a ``student`` (their class's week) the featured slot shows only the
    club they were placed in by the term's published allocation run; before
    any result is published it shows "社团（待分配）" on the featured weekday
    and period; a published run that placed them nowhere shows no club.

    Raises ``CalendarUnknownError`` for a week in an unknown year.
    Queries: term settings (unless loaded), the school's calendar rows and
    service changes, sessions, clubs (for a student also their approved
    application, the published run and their placement), and for the school view the classes.
    """
    schedule = term_schedule(term)
    sunday = monday + datetime.timedelta(days=6)
    first, last = max(monday, term.first_day), min(sunday, term.last_day)
    days = [
        d
        for d in days_between(term.school, first, last, schedule=schedule)
        if d.has_service or d.suspended
    ]
    periods = [
        (p.value, p.label, *schedule.period_times(p.value))
        for p in (Period.NOON, Period.AFTER_SCHOOL)
    ]
    table = WeekTimetable(term=term, schedule=schedule, monday=monday, days=days, periods=periods)
    sessions, clubs, pending_club, table.enrolled = _bookings(
        term, first, last, school_class=school_class, person=person, room=room, student=student
    )
    cells: dict[tuple, list[Entry]] = defaultdict(list)
    for s in sessions:
        entry = Entry(
            kind="basic",
            title=str(s.school_class),
            room=str(s.room or ""),
            person=str(s.supervisor or ""),
            school_class=str(s.school_class),
        )
        cells[(s.date, s.period)].append(entry)
        if whole_school:
            table.grid[(s.school_class_id, s.date, s.period)] = entry
    table.clubs = [] if pending_club else list(clubs.order_by("weekday", "period", "name"))
    _club_entries(table, cells, pending_club)
    table.cells = dict(cells)
    if whole_school:
        table.rows = list(term_classes(term).select_related("room", "homeroom_teacher"))
    return table
