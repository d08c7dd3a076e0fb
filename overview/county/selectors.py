"""The county supervisor's figures (县教体局, seed county plan 四: 专项督查):
per school of the county and for the county as a whole, and per grade for
one school. Counts and shares only: no child is named anywhere here, and no
personal data leaves the school through these figures.

Each school is read in its current term (``afterschool.selectors.
pick_current_term``: the term running today, else the next, else the
latest). Every function runs a fixed number of queries whatever the number
of schools and students (tests pin them).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from afterschool.models import GRADE_NAMES, Notice, Role, School, Student, Term, User
from afterschool.selectors import pick_current_term, students_of_year
from billing.models import FeePolicy, Waiver
from enrollment.models import Application, Status
from overview.dashboards.figures import (
    PRESENT,
    PRIORITY_GROUPS,
    TEACHING_ROLES,
    full_attendance_until,
    participation_figures,
    share,
)
from scheduling.calendar.days import school_days_of_schools
from scheduling.calendar.selectors import term_classes
from scheduling.homework.selectors import (
    GradeWeek,
    grade_weeks,
    homework_weeks,
    term_homework_weeks,
)
from scheduling.models import Attendance, Club, Homework, Session, TermSchedule


@dataclass
class SchoolFigures:
    """One school's row of the inspection report (or the county's total,
    ``school`` None). Shares are per cent with one decimal; money in yuan."""

    school: School | None
    term: Term | None = None
    students: int = 0
    participants: int = 0
    service_days: int = 0
    weekly_days: int = 0
    daily_minutes: int = 0
    student_weeks: int = 0
    full_weeks: int = 0
    priority_children: int = 0
    priority_placed: int = 0
    teachers: int = 0
    teachers_taking_part: int = 0
    volunteers: int = 0
    fee_rate: Decimal | None = None
    fee_document: str = ""
    billing_mode: str = ""
    waivers: int = 0
    notices_sent: int = 0
    homework_days: int = 0
    homework_minutes: int = 0
    homework_weeks_over: int = 0

    @property
    def name(self) -> str:
        return self.school.name if self.school else "全县合计"

    @property
    def participation_rate(self) -> float:
        return share(self.participants, self.students)

    @property
    def full_attendance_rate(self) -> float:
        """Share of (participant, week) pairs present at every roll of the week."""
        return share(self.full_weeks, self.student_weeks)

    @property
    def priority_coverage(self) -> float:
        return share(self.priority_placed, self.priority_children)

    @property
    def teacher_rate(self) -> float:
        return share(self.teachers_taking_part, self.teachers)

    @property
    def homework_daily_average(self) -> float:
        """Average minutes of written homework a day, over classes × days with
        homework published."""
        return round(self.homework_minutes / self.homework_days, 1) if self.homework_days else 0.0

    def as_dict(self) -> dict:
        """JSON-safe figures (the API's school object)."""
        return {
            "school": self.name,
            "term": self.term.name if self.term else None,
            "students": self.students,
            "participants": self.participants,
            "participation_rate": self.participation_rate,
            "service_days_so_far": self.service_days,
            "service_days_per_week": self.weekly_days,
            "minutes_per_day": self.daily_minutes,
            "full_attendance_rate": self.full_attendance_rate,
            "priority_children": self.priority_children,
            "priority_placed": self.priority_placed,
            "priority_coverage": self.priority_coverage,
            "teachers": self.teachers,
            "teachers_taking_part": self.teachers_taking_part,
            "teacher_participation_rate": self.teacher_rate,
            "outside_staff": self.volunteers,
            "fee_per_period_yuan": str(self.fee_rate) if self.fee_rate is not None else None,
            "fee_document": self.fee_document,
            "billing_mode": self.billing_mode,
            "waivers": self.waivers,
            "notices_sent": self.notices_sent,
            "homework_minutes_per_day": self.homework_daily_average,
            "homework_weeks_over_cap": self.homework_weeks_over,
        }


@dataclass
class CountyFigures:
    rows: list[SchoolFigures] = field(default_factory=list)
    total: SchoolFigures = field(default_factory=lambda: SchoolFigures(None))


SUMMED = (
    "students",
    "participants",
    "student_weeks",
    "full_weeks",
    "priority_children",
    "priority_placed",
    "teachers",
    "teachers_taking_part",
    "volunteers",
    "waivers",
    "notices_sent",
    "homework_days",
    "homework_minutes",
    "homework_weeks_over",
)


def _minutes(start: datetime.time, end: datetime.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def current_terms(schools: list[School], today: datetime.date) -> dict[int, Term]:
    """Each school's current term by school id. One query."""
    by_school: dict[int, list[Term]] = defaultdict(list)
    for t in Term.objects.filter(school__in=schools).order_by("first_day"):
        by_school[t.school_id].append(t)
    out = {}
    for sid, terms in by_school.items():
        term = pick_current_term(terms, today=today)
        if term is not None:
            out[sid] = term
    return out


def county_figures(schools, *, today: datetime.date | None = None) -> CountyFigures:
    """Per school of ``schools`` (a queryset or list, e.g.
    ``afterschool.access.schools_for_supervisor``) and in total: students
    of the term's school year (memberships, ``students_of_year``),
    participants (school-approved applications), service days so far (days
    with sessions up to ``today``), service days a week (weekdays of the
    timetable), minutes a day (the two periods), the
    5-day full attendance share, priority coverage, teachers and those
    taking part (supervising a session or leading a club), outside staff
    (volunteers), the fee per period with its document number and billing
    mode, waivers granted, notices sent (``_add_notices``), written homework
    minutes a day (term average over the class-days with homework published)
    and the class weeks over the grade's homework cap up to ``today``
    (``scheduling.homework.selectors``: the cap is a daily average checked
    weekly, seed 小学开展"双减"工作实施方案 二.4; junior middle 90 minutes,
    policy).

    12 queries whatever the number of schools and students (13 when a term
    runs into a year ``chinesecalendar`` does not know): terms, students,
    service days, weekdays, schedules, full attendance, staff, fee
    policies, waivers, notices, calendar rows, homework."""
    today = today or timezone.localdate()
    schools = list(schools)
    terms = current_terms(schools, today)
    term_ids = [t.pk for t in terms.values()]
    year_ids = [t.school_year_id for t in terms.values()]
    rows = {s.pk: SchoolFigures(s, terms.get(s.pk), fee_document=s.fee_document) for s in schools}

    placed = Application.objects.filter(
        student=OuterRef("pk"), term_id__in=term_ids, status=Status.APPROVED
    )
    # Each school's children of its term's school year by membership: a
    # rollover before the year is over moves the pointers to next year.
    for sid, is_placed, *flags in (
        students_of_year(year_ids)
        .filter(school__in=schools)
        .annotate(placed=Exists(placed))
        .values_list("school_id", "placed", *PRIORITY_GROUPS)
        .order_by()
    ):
        row = rows[sid]
        row.students += 1
        row.participants += int(is_placed)
        if any(flags):
            row.priority_children += 1
            row.priority_placed += int(is_placed)

    term_school = {t.pk: t.school_id for t in terms.values()}
    for tid, n in (
        Session.objects.filter(term_id__in=term_ids, date__lte=today)
        .values_list("term_id")
        .annotate(n=Count("date", distinct=True))
        .values_list("term_id", "n")
        .order_by()
    ):
        rows[term_school[tid]].service_days = n
    for tid, n in (
        Session.objects.filter(term_id__in=term_ids, weekday__lte=4)
        .values_list("term_id")
        .annotate(n=Count("weekday", distinct=True))
        .values_list("term_id", "n")
        .order_by()
    ):
        rows[term_school[tid]].weekly_days = n
    schedules = {s.term_id: s for s in TermSchedule.objects.filter(term_id__in=term_ids)}
    default = TermSchedule()
    for tid, sid in term_school.items():
        s = schedules.get(tid, default)
        rows[sid].daily_minutes = _minutes(s.noon_start, s.noon_end) + _minutes(
            s.after_start, s.after_end
        )

    _add_full_attendance(rows, terms, today)

    sessions = Session.objects.filter(term_id__in=term_ids, supervisor=OuterRef("pk"))
    clubs = Club.objects.filter(term_id__in=term_ids, teacher=OuterRef("pk"))
    for r in (
        User.objects.filter(school__in=schools, is_active=True)
        .annotate(active=Exists(sessions) | Exists(clubs))
        .values("school_id")
        .annotate(
            teachers=Count("pk", filter=Q(role__in=TEACHING_ROLES)),
            taking_part=Count("pk", filter=Q(role__in=TEACHING_ROLES, active=True)),
            volunteers=Count("pk", filter=Q(role=Role.VOLUNTEER)),
        )
        .order_by()
    ):
        row = rows[r["school_id"]]
        row.teachers, row.teachers_taking_part = r["teachers"], r["taking_part"]
        row.volunteers = r["volunteers"]

    for policy in FeePolicy.objects.filter(term_id__in=term_ids):
        row = rows[term_school[policy.term_id]]
        row.fee_rate = policy.rate_per_period
        row.billing_mode = str(policy.get_mode_display())
    for tid, n in (
        Waiver.objects.filter(term_id__in=term_ids)
        .values_list("term_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("term_id", "n")
        .order_by()
    ):
        rows[term_school[tid]].waivers = n

    _add_notices(rows, terms, today)
    _add_homework(rows, terms, today)

    out = CountyFigures(rows=[rows[s.pk] for s in schools])
    for name in SUMMED:
        setattr(out.total, name, sum(getattr(r, name) for r in out.rows))
    # Days and minutes are per school, not additive: the county's row shows
    # the least any school with a term offers (what the inspection checks).
    for name in ("service_days", "weekly_days", "daily_minutes"):
        values = [getattr(r, name) for r in out.rows if r.term]
        setattr(out.total, name, min(values) if values else 0)
    return out


def _add_notices(rows: dict[int, SchoolFigures], terms: dict[int, Term], today) -> None:
    """Notices sent per school in its term so far: every ``Notice`` (one
    per person reached, in-app; SMS and 企业微信 deliveries are copies of it)
    written from the term's first day to ``today`` or its last day. Counts
    only: a notice's title or text is never read here. One query."""
    cond = Q()
    for sid, t in terms.items():
        until = min(t.last_day, today)
        if until >= t.first_day:
            cond |= Q(
                school_id=sid,
                created_at__gte=_midnight(t.first_day),
                created_at__lt=_midnight(until + datetime.timedelta(days=1)),
            )
    if not cond:
        return
    for sid, n in (
        Notice.objects.filter(cond)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
        .order_by()
    ):
        rows[sid].notices_sent = n


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _add_homework(rows: dict[int, SchoolFigures], terms: dict[int, Term], today) -> None:
    """Written homework per school: the term average (minutes over the
    class-days with homework published) and the class weeks over the cap up
    to ``today``. Two queries (three with an unknown calendar year): the
    schools' calendar rows, the minutes per class and day."""
    if not terms:
        return
    spans = {
        sid: (t.first_day, min(t.last_day, today))
        for sid, t in terms.items()
        if min(t.last_day, today) >= t.first_day
    }
    school_days = school_days_of_schools(spans)
    first = min(t.first_day for t in terms.values())
    last = max(t.last_day for t in terms.values())
    daily: dict[int, list[tuple[int, datetime.date, int]]] = defaultdict(list)
    grades: dict[int, dict[int, int]] = defaultdict(dict)
    for sid, cid, grade, day, minutes in (
        Homework.objects.filter(
            school_id__in=list(terms), date__range=(first, last), is_written=True
        )
        .values_list("school_id", "school_class_id", "school_class__grade", "date")
        .annotate(m=Sum("minutes"))
        .values_list("school_id", "school_class_id", "school_class__grade", "date", "m")
        .order_by()
    ):
        if not terms[sid].contains(day):
            continue
        rows[sid].homework_days += 1
        rows[sid].homework_minutes += minutes
        daily[sid].append((cid, day, minutes))
        grades[sid][cid] = grade
    for sid, (t_first, until) in spans.items():
        if not daily[sid]:
            continue  # no written homework: no week can pass the cap
        weeks = homework_weeks(
            daily[sid],
            class_grades=grades[sid],
            school_days=school_days[sid],
            first=t_first,
            last=until,
        )
        rows[sid].homework_weeks_over = sum(w.over_cap for w in weeks)


def _add_full_attendance(
    rows: dict[int, SchoolFigures], terms: dict[int, Term], today: datetime.date
) -> None:
    """(participant, week) pairs and those present at every roll-call day of
    the week, per school, over finished weeks only (the dashboards' rule,
    ``full_attendance_until``: the current week's rolls are not all taken).
    One query (students × weeks rows)."""
    if not terms:
        return
    cond = Q()
    for sid, t in terms.items():
        cond |= Q(
            student__school_id=sid, date__range=(t.first_day, full_attendance_until(t, today))
        )
    per: list[tuple[int, datetime.date, int, int, int]] = []
    week_days: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for r in (
        Attendance.objects.filter(cond)
        .annotate(week=TruncWeek("date"))
        .values("student__school_id", "week", "student_id")
        .annotate(
            days=Count("date", distinct=True, filter=Q(status__in=PRESENT)),
            missed=Count("pk", filter=~Q(status__in=PRESENT)),
            all_days=Count("date", distinct=True),
        )
        .order_by()
    ):
        key = (r["student__school_id"], r["week"])
        week_days[key] = max(week_days[key], r["all_days"])
        per.append((*key, r["days"], r["missed"], 0))
    for sid, week, days, missed, _x in per:
        rows[sid].student_weeks += 1
        rows[sid].full_weeks += int(missed == 0 and days >= week_days[(sid, week)])


@dataclass
class GradeRow:
    grade: int
    students: int
    participants: int
    homework_days: int = 0
    homework_minutes: int = 0

    @property
    def name(self) -> str:
        return GRADE_NAMES[self.grade]

    @property
    def participation_rate(self) -> float:
        return share(self.participants, self.students)

    @property
    def homework_daily_average(self) -> float:
        return round(self.homework_minutes / self.homework_days, 1) if self.homework_days else 0.0


def school_grade_rows(term: Term) -> list[GradeRow]:
    """One school's figures by grade in ``term``: students, participants,
    participation rate, written homework minutes a day. Never a child's
    name. Three queries: classes, students, homework."""
    class_ids = list(term_classes(term).values_list("pk", flat=True))
    fig = participation_figures(term=term, class_ids=class_ids)
    rows = {g: GradeRow(g, s, p) for g, (s, p) in fig.by_grade.items()}
    for grade, _day, minutes in (
        Homework.objects.filter(
            school_class_id__in=class_ids,
            date__range=(term.first_day, term.last_day),
            is_written=True,
        )
        .values_list("school_class__grade", "school_class_id", "date")
        .annotate(m=Sum("minutes"))
        .values_list("school_class__grade", "date", "m")
        .order_by()
    ):
        if grade in rows:
            rows[grade].homework_days += 1
            rows[grade].homework_minutes += minutes
    return [rows[g] for g in sorted(rows)]


def priority_rows(term: Term) -> list[tuple[str, int, int, int]]:
    """Priority coverage of one school by group: (group, children, applied,
    placed). Two queries: classes, students."""
    fig = participation_figures(
        term=term, class_ids=list(term_classes(term).values_list("pk", flat=True))
    )
    return [
        (str(Student._meta.get_field(g).verbose_name), *fig.priority[g]) for g in PRIORITY_GROUPS
    ]


@dataclass
class HomeworkWeekTable:
    """One school's written homework week by week and grade: ``rows`` of
    (the week's Monday, one ``GradeWeek`` or None per grade of ``grades``)."""

    grades: list[int]
    rows: list[tuple[datetime.date, list[GradeWeek | None]]]

    @property
    def grade_names(self) -> list[str]:
        return [GRADE_NAMES[g] for g in self.grades]

    @property
    def class_weeks_over(self) -> int:
        return sum(g.classes_over for _w, cells in self.rows for g in cells if g is not None)


def school_homework_weeks(term: Term, *, today: datetime.date) -> HomeworkWeekTable:
    """One school's weekly homework check by grade in ``term`` up to
    ``today``: each grade's average written minutes a day per class over
    each week, whether it passes the grade's cap, and how many of its
    classes did (``scheduling.homework.selectors``). Grades and weeks only,
    never a child. Three queries: classes, calendar rows, homework (four
    with an unknown calendar year)."""
    classes = list(term_classes(term).order_by("grade", "number"))
    weeks = grade_weeks(term_homework_weeks(term=term, classes=classes, today=today))
    grades = sorted({g.grade for g in weeks})
    cells = {(g.week, g.grade): g for g in weeks}
    mondays = sorted({g.week for g in weeks})
    return HomeworkWeekTable(
        grades, [(m, [cells.get((m, grade)) for grade in grades]) for m in mondays]
    )
