"""Scheduling reads: terms, timetables, rota pages, clubs and notices.

Each function returns data with its joins applied, in a fixed number of
queries whatever the size (tests pin the counts).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from afterschool.access import students_for_user
from afterschool.models import Role, Room, School, SchoolClass, Student, Term, User
from enrollment.models import Application
from enrollment.models import Status as ApplicationStatus
from scheduling.attendance import approved_leave_on, is_featured_after_school, roll_students
from scheduling.calendar import DayInfo, days_between, term_schedule
from scheduling.choice_selectors import allocations_by_student, club_roster, published_run
from scheduling.models import (
    PERIOD_ORDER,
    Attendance,
    AttendanceStatus,
    Club,
    Dismissal,
    LeaveRequest,
    LeaveStatus,
    Period,
    ServiceChange,
    ServiceChangeKind,
    Session,
    StaffUnavailability,
    TermSchedule,
)
from scheduling.services import ROTA_ROLES, term_classes


def terms_of(school_id: int) -> QuerySet[Term]:
    """The school's terms with the school and the term settings joined."""
    return Term.objects.filter(school_id=school_id).select_related("school", "schedule")


def current_term(school_id: int, today: datetime.date, pk: int | str | None = None) -> Term:
    """The term ``pk`` of ``school`` if given (404 if not the school's), else the
    term containing ``today``, else the next one, else the latest. 404 when the
    school has no term. One query."""
    terms = list(terms_of(school_id).order_by("first_day"))
    if pk not in (None, ""):
        for t in terms:
            if str(t.pk) == str(pk):
                return t
        raise Http404
    if not terms:
        raise Http404
    for t in terms:
        if t.first_day <= today <= t.last_day:
            return t
    upcoming = [t for t in terms if t.first_day > today]
    return upcoming[0] if upcoming else terms[-1]


def week_start(term: Term, value: str | None, today: datetime.date) -> datetime.date:
    """The Monday of the week to show: ``value`` (an ISO date) if valid, else
    today's week, clamped into the term."""
    day = None
    if value:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        day = today
    day = min(max(day, term.first_day), term.last_day)
    return day - datetime.timedelta(days=day.weekday())


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
    def columns(self) -> list[tuple[DayInfo, tuple]]:
        """For the school grid: (day, period) columns of service days."""
        return [(d, p) for d in self.days if d.has_service for p in self.periods]

    @property
    def class_rows(self) -> list[tuple[SchoolClass, list[Entry | None]]]:
        """For the school grid: per class, its entry in each column."""
        return [
            (c, [self.grid.get((c.id, d.date, p[0])) for d, p in self.columns]) for c in self.rows
        ]


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
    service changes, sessions, clubs (for a student: the published run and
    their placement instead), and for the school view the classes.
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
    sessions = Session.objects.filter(term=term, date__range=(first, last)).select_related(
        "school_class", "room", "supervisor"
    )
    clubs = Club.objects.filter(term=term).select_related("room", "teacher")
    pending_club = False
    if student is not None:
        school_class = student.school_class
        run = published_run(term)
        placed = allocations_by_student(run, [student.pk]).get(student.pk)
        pending_club = run is None
        clubs = clubs.filter(pk=placed.pk) if placed is not None else clubs.none()
    if school_class is not None:
        sessions = sessions.filter(school_class=school_class)
        clubs = clubs.filter(min_grade__lte=school_class.grade, max_grade__gte=school_class.grade)
    if person is not None:
        sessions = sessions.filter(supervisor=person)
        clubs = clubs.filter(teacher=person)
    if room is not None:
        sessions = sessions.filter(room=room)
        clubs = clubs.filter(room=room)
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
    for d in days:
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
    table.cells = dict(cells)
    if whole_school:
        table.rows = list(term_classes(term).select_related("room", "homeroom_teacher"))
    return table


# ---------------------------------------------------------------- access


def staff_for_user(user: User) -> QuerySet[User]:
    """Staff whose timetable ``user`` may see: the whole school's staff for an
    admin, themselves for other staff, nobody for others."""
    if not user.is_authenticated or not user.is_staff_member:
        return User.objects.none()
    qs = User.objects.filter(school_id=user.school_id, role__in=[Role.ADMIN, *ROTA_ROLES])
    if user.is_school_admin:
        return qs
    return qs.filter(pk=user.pk)


def get_person_for_user(user: User, pk: int) -> User:
    try:
        return staff_for_user(user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


def get_club_for_admin(user: User, pk: int) -> Club:
    try:
        return Club.objects.select_related("term", "room", "teacher").get(
            pk=pk, school_id=user.school_id
        )
    except Club.DoesNotExist:
        raise Http404 from None


def clubs_of(term: Term) -> QuerySet[Club]:
    return Club.objects.filter(term=term).select_related("room", "teacher")


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
    from django.db.models import Count

    staff = list(
        User.objects.filter(school=term.school, role__in=ROTA_ROLES, is_active=True).annotate(
            periods=Count("supervised_sessions", filter=Q(supervised_sessions__term=term))
        )
    )
    return sorted(((p, p.periods) for p in staff), key=lambda x: (-x[1], x[0].pk))


def unavailabilities_of(school: School) -> QuerySet[StaffUnavailability]:
    return StaffUnavailability.objects.filter(person__school=school).select_related("person")


def suspension_notices_for_user(
    user: User, today: datetime.date, days: int = 14
) -> list[ServiceChange]:
    """Upcoming suspension notices for a guardian's (or staff member's) schools,
    for the home page. Two queries for a guardian, one for staff."""
    if not user.is_authenticated:
        return []
    if user.school_id:
        schools = [user.school_id]
    else:
        schools = list(students_for_user(user).values_list("school_id", flat=True).distinct())
    return list(
        ServiceChange.objects.filter(
            school_id__in=schools,
            kind=ServiceChangeKind.SUSPENDED,
            date__range=(today, today + datetime.timedelta(days=days)),
        )
        .select_related("school")
        .order_by("date")
    )


def club_dates(term: Term, clubs: list[Club] | None = None) -> dict[int, list[datetime.date]]:
    """Club id → the dates the club meets in ``term``: every service day whose
    timetable weekday is the club's weekday (a make-up Saturday following
    Thursday counts; suspended days do not). Clubs meet in their ``period``,
    one period (课时) per date. Queries: the term's clubs (unless given) and the
    calendar (``scheduling.calendar.term_calendar``).

    Raises ``CalendarUnknownError`` for a term in an unknown year.
    """
    from scheduling.calendar import term_calendar

    if clubs is None:
        clubs = list(Club.objects.filter(term=term))
    by_weekday: dict[int, list[datetime.date]] = defaultdict(list)
    for d in term_calendar(term):
        if d.has_service:
            by_weekday[d.timetable_weekday].append(d.date)
    return {c.pk: list(by_weekday.get(c.weekday, [])) for c in clubs}


def staff_workload(term: Term) -> dict[int, int]:
    """User id → periods (课时) of after-school service in ``term``: basic
    sessions supervised plus club meetings led (seed 三: 课时数计入工作量).
    Counts scheduled periods; attendance-based adjustments belong to roll call.
    Queries: sessions aggregate, clubs, calendar.
    """
    from django.db.models import Count

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


# ---------------------------------------------------------------- leave, absences (billing reads)


def _range_in_term(
    term: Term, start: datetime.date | None, end: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    return max(start or term.first_day, term.first_day), min(end or term.last_day, term.last_day)


def approved_leave_periods(
    *,
    term: Term,
    student_ids: list[int] | set[int] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, set[tuple[datetime.date, str]]]:
    """Student id → the (date, period) pairs covered by approved leave on the
    term's service days between ``start`` and ``end`` (inclusive, clamped to
    the term; default the whole term). ``period`` is ``Period.NOON`` or
    ``Period.AFTER_SCHOOL`` — whole-day leave covers both; which of them the
    student is enrolled (and charged) for is the caller's business. Students
    without approved leave are absent from the dict.

    Queries: the approved leave rows, and the calendar for the range
    (``days_between``: at most three). Days in a year the calendar does not
    know count as no service.
    """
    first, last = _range_in_term(term, start, end)
    out: dict[int, set[tuple[datetime.date, str]]] = defaultdict(set)
    if first > last:
        return {}
    rows = LeaveRequest.objects.filter(
        term=term, status=LeaveStatus.APPROVED, first_day__lte=last, last_day__gte=first
    )
    if student_ids is not None:
        rows = rows.filter(student_id__in=list(student_ids))
    rows = list(rows)
    if not rows:
        return {}
    service = [
        d.date
        for d in days_between(term.school, first, last, schedule=term_schedule(term), strict=False)
        if d.has_service
    ]
    for leave in rows:
        for day in service:
            if leave.first_day <= day <= leave.last_day:
                out[leave.student_id].update((day, p) for p in leave.covered_periods)
    return dict(out)


def attendance_absences(
    *,
    term: Term,
    student_ids: list[int] | set[int] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, set[tuple[datetime.date, str]]]:
    """Student id → the (date, period) pairs where a roll of ``term`` marked
    the student absent without leave (``AttendanceStatus.ABSENT``), between
    ``start`` and ``end`` inclusive (clamped to the term). Basic sessions and
    club meetings both count. One query.
    """
    first, last = _range_in_term(term, start, end)
    rows = Attendance.objects.filter(
        Q(session__term=term) | Q(club__term=term),
        status=AttendanceStatus.ABSENT,
        date__range=(first, last),
    )
    if student_ids is not None:
        rows = rows.filter(student_id__in=list(student_ids))
    out: dict[int, set[tuple[datetime.date, str]]] = defaultdict(set)
    for sid, day, period in rows.values_list("student_id", "date", "period"):
        out[sid].add((day, period))
    return dict(out)


# ---------------------------------------------------------------- roll call pages


def _roll_sessions_qs(user: User) -> QuerySet[Session]:
    """Sessions whose roll ``user`` may take (``attendance.may_take_roll``)."""
    qs = Session.objects.select_related("school_class", "room", "supervisor", "term")
    if not user.is_authenticated or not user.is_staff_member or not user.school_id:
        return qs.none()
    if user.is_school_admin:
        return qs.filter(school_class__school_id=user.school_id)
    return qs.filter(Q(supervisor=user) | Q(school_class__homeroom_teacher=user))


def roll_sessions_for_user(user: User, date: datetime.date) -> list[Session]:
    """The day's sessions whose roll ``user`` may take, noon first, with
    ``marked`` (rows saved) and ``absent`` counts. One query."""
    from django.db.models import Count

    sessions = (
        _roll_sessions_qs(user)
        .filter(date=date)
        .annotate(
            marked=Count("attendances"),
            absent=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ABSENT)),
        )
    )
    return sorted(
        sessions,
        key=lambda s: (PERIOD_ORDER[s.period], s.school_class.grade, s.school_class.number),
    )


def get_session_for_roll(user: User, pk: int) -> Session:
    """The session ``pk`` if ``user`` may take its roll, else ``Http404``."""
    try:
        return _roll_sessions_qs(user).get(pk=pk)
    except Session.DoesNotExist:
        raise Http404 from None


@dataclass
class RollRow:
    student: object
    status: str
    leave: LeaveRequest | None
    saved: bool

    @property
    def status_label(self) -> str:
        return str(AttendanceStatus(self.status).label)


@dataclass
class Roll:
    """A session's roll as shown: every enrolled student with their saved or
    default mark (present, or on leave where approved leave covers it)."""

    session: Session | None
    rows: list[RollRow]

    @property
    def taken(self) -> bool:
        return any(r.saved for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(AttendanceStatus.values, 0)
        for r in self.rows:
            out[r.status] += 1
        return out

    @property
    def summary(self) -> list[tuple[str, str, int]]:
        counts = self.counts
        return [(s.value, str(s.label), counts[s.value]) for s in AttendanceStatus]


def session_roll(session: Session, only: int | None = None) -> Roll:
    """The roll of ``session`` (its class and term loaded); ``only``: just
    that student's row. Queries: students, saved marks, approved leave."""
    students = roll_students(
        school_class_id=session.school_class_id, term=session.term, period=session.period
    )
    students = list(students)
    saved = {
        a.student_id: a for a in Attendance.objects.filter(session=session).select_related("leave")
    }
    leaves = approved_leave_on(
        student_ids=[s.pk for s in students], date=session.date, period=session.period
    )
    rows = []
    for s in students:
        a = saved.get(s.pk)
        if a is not None:
            rows.append(RollRow(s, a.status, a.leave, True))
        elif s.pk in leaves:
            rows.append(RollRow(s, AttendanceStatus.LEAVE, leaves[s.pk], False))
        else:
            rows.append(RollRow(s, AttendanceStatus.PRESENT, None, False))
    return Roll(session=session, rows=rows)


def roll_clubs_for_user(user: User, date: datetime.date) -> list[Club]:
    """The club meetings on ``date`` whose roll ``user`` may take (the club's
    teacher, or every club of the school for its admin): clubs of the term
    covering ``date`` whose weekday is the day's timetable weekday on a service
    day, with ``marked`` and ``absent`` counts of that date. Queries: clubs
    with counts, then (when there are any) the day's calendar (≤ 3)."""
    from django.db.models import Count

    if not user.is_authenticated or not user.is_staff_member:
        return []
    qs = Club.objects.filter(
        school_id=user.school_id, term__first_day__lte=date, term__last_day__gte=date
    ).select_related("term__school", "term__schedule", "room", "teacher")
    if not user.is_school_admin:
        qs = qs.filter(teacher=user)
    on_day = Q(attendances__date=date)
    clubs = list(
        qs.annotate(
            marked=Count("attendances", filter=on_day),
            absent=Count(
                "attendances", filter=on_day & Q(attendances__status=AttendanceStatus.ABSENT)
            ),
        )
    )
    if not clubs:
        return []
    term = clubs[0].term
    info = days_between(term.school, date, date, schedule=term_schedule(term), strict=False)
    if not info or not info[0].has_service:
        return []
    weekday = info[0].timetable_weekday
    return sorted(
        (c for c in clubs if c.weekday == weekday),
        key=lambda c: (PERIOD_ORDER[c.period], c.name),
    )


def club_roll(club: Club, date: datetime.date) -> Roll:
    """The roll of ``club``'s meeting on ``date``: the students placed in the
    club by the term's published allocation run (by class, then name), with
    their saved or default mark as in ``session_roll``. Queries: published
    run, placed students, saved marks, approved leave."""
    _run, placements = club_roster(club)
    students = [a.student for a in placements]
    saved = {
        a.student_id: a
        for a in Attendance.objects.filter(club=club, date=date).select_related("leave")
    }
    leaves = approved_leave_on(student_ids=[s.pk for s in students], date=date, period=club.period)
    rows = []
    for s in students:
        a = saved.get(s.pk)
        if a is not None:
            rows.append(RollRow(s, a.status, a.leave, True))
        elif s.pk in leaves:
            rows.append(RollRow(s, AttendanceStatus.LEAVE, leaves[s.pk], False))
        else:
            rows.append(RollRow(s, AttendanceStatus.PRESENT, None, False))
    return Roll(session=None, rows=rows)


def unexcused_absences_for_user(user: User, date: datetime.date) -> list[Attendance]:
    """The day's absences without leave that ``user`` should see: an admin
    the school's, a homeroom teacher their classes', a guardian their
    children's (DESIGN.md: an absence shows up for the homeroom teacher and
    the guardian that day). One query (a guardian's children are a subquery)."""
    qs = Attendance.objects.filter(date=date, status=AttendanceStatus.ABSENT).select_related(
        "student__school_class", "session__supervisor", "club"
    )
    if not user.is_authenticated:
        return []
    if user.is_school_admin:
        qs = qs.filter(student__school_id=user.school_id)
    elif user.role == Role.HOMEROOM and user.school_id:
        qs = qs.filter(student__school_class__homeroom_teacher=user)
    elif user.role == Role.GUARDIAN:
        qs = qs.filter(student__in=students_for_user(user).values("pk"))
    else:
        return []
    return sorted(
        qs,
        key=lambda a: (
            a.student.school_class.grade,
            a.student.school_class.number,
            a.student.student_number,
            PERIOD_ORDER[a.period],
        ),
    )


# ---------------------------------------------------------------- leave pages


def leave_requests_for_user(user: User) -> QuerySet[LeaveRequest]:
    """Leave requests ``user`` may see: a guardian their children's, a
    homeroom teacher their classes', an admin the school's; newest first,
    with student, class and decider joined."""
    qs = LeaveRequest.objects.select_related("student__school_class", "decided_by", "term")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.GUARDIAN:
        return qs.filter(student__in=students_for_user(user).values("pk"))
    if user.is_school_admin:
        return qs.filter(student__school_id=user.school_id)
    if user.role == Role.HOMEROOM and user.school_id:
        return qs.filter(student__school_class__homeroom_teacher=user)
    return qs.none()


def get_leave_for_user(user: User, pk: int) -> LeaveRequest:
    try:
        return leave_requests_for_user(user).get(pk=pk)
    except LeaveRequest.DoesNotExist:
        raise Http404 from None


# ---------------------------------------------------------------- dismissal pages


def dismissal_classes_for_user(user: User, date: datetime.date) -> QuerySet[SchoolClass]:
    """Classes whose dismissal ``user`` may record on ``date``: an admin all of
    the school's, a homeroom teacher theirs, anyone supervising one of the
    class's sessions that day."""
    qs = SchoolClass.objects.select_related("homeroom_teacher")
    if not user.is_authenticated or not user.is_staff_member or not user.school_id:
        return qs.none()
    qs = qs.filter(school_id=user.school_id)
    if user.is_school_admin:
        return qs
    return qs.filter(
        Q(homeroom_teacher=user) | Q(sessions__date=date, sessions__supervisor=user)
    ).distinct()


def get_class_for_dismissal(user: User, pk: int, date: datetime.date) -> SchoolClass:
    try:
        return dismissal_classes_for_user(user, date).get(pk=pk)
    except SchoolClass.DoesNotExist:
        raise Http404 from None


@dataclass
class DismissalRow:
    student: object
    application: object
    dismissal: object | None
    on_leave: bool
    absent: bool


@dataclass
class DismissalSheet:
    school_class: SchoolClass
    date: datetime.date
    rows: list[DismissalRow]
    boarders: list
    featured: bool

    @property
    def left(self) -> int:
        return sum(1 for r in self.rows if r.dismissal)

    @property
    def waiting(self) -> int:
        return sum(1 for r in self.rows if not r.dismissal and not r.on_leave and not r.absent)


def dismissal_sheet(
    *, school_class: SchoolClass, term: Term, date: datetime.date
) -> DismissalSheet:
    """The day's dismissal sheet of a class: students staying for the
    after-school period (or the clubs on the featured day) with their
    pick-up arrangement and dismissal if recorded; boarders separately (they
    stay, seed 二.1). Queries: calendar (≤3), applications with students,
    dismissals, approved leave, the after-school absences."""
    featured = is_featured_after_school(term, date)
    part = Q(wants_after_school=True)
    if featured:
        part |= Q(wants_featured_day=True)
    apps = list(
        Application.objects.filter(
            part,
            term=term,
            status=ApplicationStatus.APPROVED,
            student__school_class=school_class,
        )
        .select_related("student")
        .order_by("student__student_number", "student__pk")
    )
    ids = [a.student_id for a in apps]
    dismissals = {
        d.student_id: d
        for d in Dismissal.objects.filter(student_id__in=ids, date=date).select_related(
            "recorded_by"
        )
    }
    leaves = approved_leave_on(student_ids=ids, date=date, period=Period.AFTER_SCHOOL)
    absent = set(
        Attendance.objects.filter(
            student_id__in=ids,
            date=date,
            period=Period.AFTER_SCHOOL,
            status=AttendanceStatus.ABSENT,
        ).values_list("student_id", flat=True)
    )
    rows, boarders = [], []
    for a in apps:
        if a.student.is_boarder:
            boarders.append(a.student)
            continue
        rows.append(
            DismissalRow(
                student=a.student,
                application=a,
                dismissal=dismissals.get(a.student_id),
                on_leave=a.student_id in leaves,
                absent=a.student_id in absent,
            )
        )
    return DismissalSheet(
        school_class=school_class, date=date, rows=rows, boarders=boarders, featured=featured
    )
