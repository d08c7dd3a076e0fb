"""The figures behind the school's dashboards: one selector per chart, each
with a fixed number of queries whatever the size of the school.

A ``Chart`` is what both the page and the PDF read: categories (the x axis:
classes, grades, weeks, months, clubs, people), one or more named series of
numbers, and whether the numbers are shares (per cent, one decimal) or
counts / yuan. The page draws it with ECharts from ``Chart.option()`` (fed by
``json_script``) and prints the same numbers as a table beside it.

Scope: ``classes`` is the list of classes the viewer may see (the whole
school for the admin, the homeroom teacher's own class); the selectors count
only students of those classes. Nothing here names a child.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from types import EllipsisType

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.access import classes_for_user
from afterschool.models import (
    GRADE_NAMES,
    ClassMembership,
    Role,
    SchoolClass,
    Student,
    Term,
    User,
)
from afterschool.selectors import current_term
from billing.models import FeeLine, FeeStatement, LineKind, Payment, PaymentKind
from billing.money import to_fen
from enrollment.models import Agreement, Application, Status, SurveyAnswer, SurveyResponse
from overview.dashboards.figures import (
    APPLIED,
    HOMEROOM_APPROVED,
    PRIORITY_GROUPS,
    ZERO,
    full_attendance_by_week,
    participation_figures,
    share,
    week_label,
)
from scheduling.calendar.selectors import term_classes
from scheduling.homework.selectors import grade_weeks as homework_grade_weeks
from scheduling.homework.selectors import term_homework_weeks, week_flag
from scheduling.models import (
    Allocation,
    AllocationRun,
    AllocationState,
    Attendance,
    AttendanceStatus,
    Club,
    Session,
)


@dataclass
class Series:
    name: str
    values: list = field(default_factory=list)


@dataclass
class Chart:
    """One chart and its table: ``categories`` × ``series`` numbers.

    ``kind``: "bar", "stacked" (stacked bars) or "line"; ``unit``: "%",
    "人", "元", "课时", "分钟" (shown in the table head and the axis)."""

    key: str
    title: str
    categories: list[str]
    series: list[Series]
    kind: str = "bar"
    unit: str = ""
    note: str = ""
    # Breaches the chart shows (e.g. class weeks over the homework cap).
    flags: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, list]]:
        """The table: one row per category with each series' value."""
        return [(c, [s.values[i] for s in self.series]) for i, c in enumerate(self.categories)]

    @property
    def dom_id(self) -> str:
        """The id of the chart's ``json_script`` element."""
        return f"chart-data-{self.key}"

    @property
    def is_empty(self) -> bool:
        return not self.categories

    def as_data(self) -> dict:
        """The chart as plain data (str, numbers, Decimal, lists, dicts) for
        a cache; ``Chart.from_data`` makes it a chart again."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict) -> Chart:
        return cls(**{**data, "series": [Series(**s) for s in data["series"]]})

    def option(self) -> dict:
        """The chart's data for ``static/js/charts.js`` (JSON-safe: numbers
        as float, yuan as strings turned to numbers)."""
        return {
            "kind": self.kind,
            "unit": self.unit,
            "categories": self.categories,
            "series": [
                {"name": s.name, "values": [float(v) for v in s.values]} for s in self.series
            ],
        }


def _class_ids(classes) -> list[int]:
    return [c.pk for c in classes]


# ------------------------------------------------------------------ survey


def survey_chart(*, term: Term, classes: list[SchoolClass]) -> Chart:
    """Survey answers by class as shares of the class's students: 参加 /
    不参加 / 未决定 / 未填写. Classes and their children are those of the
    term's year (``ClassMembership``), here and in every chart below. Two
    queries: students per class, answers per class and answer."""
    ids = _class_ids(classes)
    students = dict(
        ClassMembership.objects.filter(school_class_id__in=ids)
        .values_list("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
    answers: dict[int, dict[str, int]] = defaultdict(dict)
    for cid, answer, n in (
        SurveyResponse.objects.filter(
            survey__term=term, student__memberships__school_class_id__in=ids
        )
        .values_list("student__memberships__school_class_id", "answer")
        .annotate(n=Count("pk"))
        .values_list("student__memberships__school_class_id", "answer", "n")
    ):
        answers[cid][answer] = n
    names = [
        (SurveyAnswer.JOIN, _("参加")),
        (SurveyAnswer.DECLINE, _("不参加")),
        (SurveyAnswer.UNDECIDED, _("未决定")),
    ]
    series = [Series(str(label)) for _a, label in names] + [Series(_("未填写"))]
    for c in classes:
        total = students.get(c.pk, 0)
        got = answers.get(c.pk, {})
        for s, (answer, _label) in zip(series, names, strict=False):
            s.values.append(share(got.get(answer, 0), total))
        series[-1].values.append(share(total - sum(got.values()), total))
    return Chart(
        "survey",
        _("问卷意向（按班级，占班级人数）"),
        [c.display_name for c in classes],
        series,
        kind="stacked",
        unit="%",
    )


# ------------------------------------------------------------------ funnel


def funnel_chart(*, term: Term, classes: list[SchoolClass]) -> Chart:
    """The term's enrolment funnel by class, in students: applied (any status
    but draft) → homeroom-approved → school-approved → agreement signed
    (online or paper received). Two queries: applications per class and
    status, signed agreements per class."""
    ids = _class_ids(classes)
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for cid, status, n in (
        Application.objects.filter(term=term, student__memberships__school_class_id__in=ids)
        .values_list("student__memberships__school_class_id", "status")
        .annotate(n=Count("pk"))
        .values_list("student__memberships__school_class_id", "status", "n")
    ):
        by_status[cid][status] = n
    signed = dict(
        Agreement.objects.filter(
            application__term=term,
            application__status=Status.APPROVED,
            application__student__memberships__school_class_id__in=ids,
        )
        .filter(Q(signed_at__isnull=False) | Q(paper_received_at__isnull=False))
        .values_list("application__student__memberships__school_class_id")
        .annotate(n=Count("pk"))
        .values_list("application__student__memberships__school_class_id", "n")
    )
    series = [
        Series(_("已申请")),
        Series(_("班主任已审核")),
        Series(_("学校已批准")),
        Series(_("已签协议")),
    ]
    for c in classes:
        got = by_status.get(c.pk, {})
        series[0].values.append(sum(n for s, n in got.items() if s in APPLIED))
        series[1].values.append(sum(n for s, n in got.items() if s in HOMEROOM_APPROVED))
        series[2].values.append(got.get(Status.APPROVED, 0))
        series[3].values.append(signed.get(c.pk, 0))
    return Chart(
        "funnel", _("报名流程（按班级）"), [c.display_name for c in classes], series, unit=_("人")
    )


# ---------------------------------------------- participation and priority


def participation_charts(*, term: Term, classes: list[SchoolClass]) -> list[Chart]:
    """参与率 by grade and by class (placed ÷ students, %), and priority-group
    coverage (children, applied, placed). One query (``participation_figures``)."""
    fig = participation_figures(term=term, class_ids=_class_ids(classes))
    grades = list(fig.by_grade)
    by_grade = Chart(
        "participation_grade",
        _("参与率（按年级）"),
        [GRADE_NAMES[g] for g in grades],
        [Series(_("参与率"), [share(p, s) for s, p in fig.by_grade.values()])],
        unit="%",
    )
    by_class = Chart(
        "participation_class",
        _("参与率（按班级）"),
        [c.display_name for c in classes],
        [
            Series(
                _("参与率"),
                [
                    share(fig.by_class.get(c.pk, (0, 0))[1], fig.by_class.get(c.pk, (0, 0))[0])
                    for c in classes
                ],
            )
        ],
        unit="%",
    )
    labels = [str(Student._meta.get_field(g).verbose_name) for g in PRIORITY_GROUPS]
    priority = Chart(
        "priority",
        _("优先保障覆盖（按群体）"),
        labels,
        [
            Series(_("人数"), [fig.priority[g][0] for g in PRIORITY_GROUPS]),
            Series(_("已申请"), [fig.priority[g][1] for g in PRIORITY_GROUPS]),
            Series(_("已安排"), [fig.priority[g][2] for g in PRIORITY_GROUPS]),
        ],
        unit=_("人"),
    )
    return [by_grade, by_class, priority]


# -------------------------------------------------------------- attendance


def attendance_week_chart(*, term: Term, classes: list[SchoolClass]) -> Chart:
    """Rolls by week: present (incl. late) / leave / absent, in
    student-periods. One query."""
    ids = _class_ids(classes)
    counts: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in (
        Attendance.objects.filter(
            date__range=(term.first_day, term.last_day),
            student__memberships__school_class_id__in=ids,
        )
        .annotate(week=TruncWeek("date"))
        .values("week", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        week = r["week"].date() if isinstance(r["week"], datetime.datetime) else r["week"]
        counts[week][r["status"]] += r["n"]
    weeks = sorted(counts)
    return Chart(
        "attendance",
        _("出勤情况（按周，人次）"),
        [week_label(w) for w in weeks],
        [
            Series(
                _("出勤"),
                [
                    counts[w][AttendanceStatus.PRESENT] + counts[w][AttendanceStatus.LATE]
                    for w in weeks
                ],
            ),
            Series(_("请假"), [counts[w][AttendanceStatus.LEAVE] for w in weeks]),
            Series(_("缺勤"), [counts[w][AttendanceStatus.ABSENT] for w in weeks]),
        ],
        kind="stacked",
        unit=_("人次"),
    )


def attendance_charts(
    *, term: Term, classes: list[SchoolClass], today: datetime.date | None = None
) -> list[Chart]:
    """Rolls by week (``attendance_week_chart``) and the share of students
    fully present each finished week (5天全勤; the current week is left out,
    ``full_attendance_until``). Two queries."""
    by_week = attendance_week_chart(term=term, classes=classes)
    full = full_attendance_by_week(term=term, class_ids=_class_ids(classes), today=today)
    full_chart = Chart(
        "full_attendance",
        _("全周全勤率（按周，仅统计已结束的周）"),
        [week_label(w) for w in full],
        [Series(_("全勤率"), [share(f, n) for n, f in full.values()])],
        kind="line",
        unit="%",
    )
    return [by_week, full_chart]


# ------------------------------------------------------------------- clubs


def latest_run(term: Term) -> AllocationRun | None:
    """The term's published allocation run, else its latest run. One query."""
    return (
        AllocationRun.objects.filter(term=term)
        .order_by("-published_at", "-created_at", "-pk")
        .first()
    )


def clubs_chart(*, term: Term) -> Chart:
    """Club places: capacity, placed and waiting list (unplaced students who
    chose the club) per club, from the published (else latest) run. Three
    queries: run, clubs, allocations."""
    run = latest_run(term)
    clubs = list(Club.objects.filter(term=term).order_by("name"))
    placed: dict[int, int] = defaultdict(int)
    waiting: dict[int, int] = defaultdict(int)
    if run is not None:
        for club_id, state, choices in Allocation.objects.filter(run=run).values_list(
            "club_id", "state", "choices"
        ):
            if state == AllocationState.PLACED:
                placed[club_id] += 1
            elif state == AllocationState.UNPLACED:
                for cid in choices or []:
                    waiting[cid] += 1
    return Chart(
        "clubs",
        _("社团名额（按社团）"),
        [c.name for c in clubs],
        [
            Series(_("名额"), [c.capacity for c in clubs]),
            Series(_("已分配"), [placed[c.pk] for c in clubs]),
            Series(_("候补"), [waiting[c.pk] for c in clubs]),
        ],
        unit=_("人"),
    )


# -------------------------------------------------------------------- fees


def fees_chart(*, term: Term, classes: list[SchoolClass]) -> Chart:
    """Fees by statement month, in yuan: charged (charge lines), waived
    (waiver lines, as a positive amount), paid (payments − refunds) and in
    arrears (billed total − paid, not below zero). Two queries."""
    ids = _class_ids(classes)
    lines: dict[datetime.date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for month, kind, amount in (
        FeeLine.objects.filter(statement__term=term, statement__school_class_id__in=ids)
        .values_list("statement__month", "kind")
        .annotate(s=Sum("amount"))
        .values_list("statement__month", "kind", "s")
        .order_by()
    ):
        lines[month][kind] += amount or ZERO
    totals = dict(
        FeeStatement.objects.filter(term=term, school_class_id__in=ids)
        .values_list("month")
        .annotate(t=Sum("total"))
        .values_list("month", "t")
        .order_by()
    )
    paid: dict[datetime.date, Decimal] = defaultdict(lambda: ZERO)
    for month, kind, amount in (
        Payment.objects.filter(statement__term=term, statement__school_class_id__in=ids)
        .values_list("statement__month", "kind")
        .annotate(s=Sum("amount"))
        .values_list("statement__month", "kind", "s")
        .order_by()
    ):
        paid[month] += (amount or ZERO) * (1 if kind == PaymentKind.PAYMENT else -1)
    months = sorted(set(lines) | set(totals))
    return Chart(
        "fees",
        _("收费情况（按月，元）"),
        [f"{m.year}年{m.month}月" for m in months],
        [
            # Sums to the fen: SQLite adds decimals as floats (40903.1999999946).
            Series(_("应收"), [to_fen(lines[m][LineKind.CHARGE]) for m in months]),
            Series(_("减免"), [to_fen(abs(lines[m][LineKind.WAIVER])) for m in months]),
            Series(_("已缴"), [to_fen(paid[m]) for m in months]),
            Series(
                _("欠费"),
                [to_fen(max((totals.get(m) or ZERO) - paid[m], ZERO)) for m in months],
            ),
        ],
        unit=_("元"),
    )


# ------------------------------------------------------------------- staff


def staff_chart(*, term: Term) -> Chart:
    """Periods per person (basic sessions supervised, the rota's count, plus
    club meetings are in the workload page) for everyone with at least one
    session in ``term``: teachers and volunteers, a volunteer marked
    「（志愿者）」. Not the county's 教师参与率, which counts teachers only
    (``teacher_participation``; volunteers are its 校外人员). Two queries."""
    per = dict(
        Session.objects.filter(term=term, supervisor__isnull=False)
        .values_list("supervisor_id")
        .annotate(n=Count("pk"))
        .values_list("supervisor_id", "n")
        .order_by()
    )
    people = list(User.objects.filter(pk__in=list(per)).order_by("name", "username"))
    return Chart(
        "staff",
        _("教师和志愿者参与（看班课时/人）"),
        [
            _("%(name)s（志愿者）") % {"name": p} if p.role == Role.VOLUNTEER else str(p)
            for p in people
        ],
        [Series(_("课时"), [per[p.pk] for p in people])],
        unit=_("课时"),
    )


# ---------------------------------------------------------------- homework


def homework_chart(
    *,
    term: Term,
    classes: list[SchoolClass],
    today: datetime.date | None = None,
    by_grade: bool = False,
) -> Chart:
    """Written homework week by week: each class's (``by_grade``: each
    grade's) average minutes a day over the week, up to ``today`` (default:
    the local date), as ``scheduling.homework.selectors`` counts it (the
    cap is a daily average checked weekly, seed 二.4; junior middle 90
    minutes, policy). ``flags`` names every class week over its grade's cap.
    Two queries: the calendar rows, the minutes per class and day."""
    weeks = term_homework_weeks(term=term, classes=classes, today=today or timezone.localdate())
    mondays = sorted({w.week for w in weeks})
    names = {c.pk: c.display_name for c in classes}
    if by_grade:
        rows = homework_grade_weeks(weeks)
        keys = sorted({g.grade for g in rows})
        value = {(g.grade, g.week): g.average for g in rows}
        series = [Series(GRADE_NAMES[k], [value.get((k, m), 0.0) for m in mondays]) for k in keys]
    else:
        value = {(w.class_id, w.week): w.average for w in weeks}
        series = [
            Series(names[c.pk], [value.get((c.pk, m), 0.0) for m in mondays]) for c in classes
        ]
    return Chart(
        "homework",
        _("书面作业每周日均时长（分钟）"),
        [week_label(m) for m in mondays],
        series,
        kind="line",
        unit=_("分钟"),
        note=_(
            "每周书面作业总时长 ÷ 当周上学天数；上限：一、二年级不布置书面作业，"
            "三至六年级每天60分钟，初中每天90分钟。"
        ),
        flags=[week_flag(names[w.class_id], w) for w in weeks if w.over_cap],
    )


# --------------------------------------------------------------- dashboards


def school_dashboard(
    *, term: Term, classes: list[SchoolClass], today: datetime.date | None = None
) -> list[Chart]:
    """Every chart of the school admin's dashboard (homework by grade, its
    flags by class; ``today`` as in ``homework_chart``). Fixed queries:
    survey 2, funnel 2, participation 1, attendance 2, clubs 3, fees 3,
    staff 2, homework 2 = 17, whatever the school's size."""
    return [
        survey_chart(term=term, classes=classes),
        funnel_chart(term=term, classes=classes),
        *participation_charts(term=term, classes=classes),
        *attendance_charts(term=term, classes=classes, today=today),
        clubs_chart(term=term),
        fees_chart(term=term, classes=classes),
        staff_chart(term=term),
        homework_chart(term=term, classes=classes, today=today, by_grade=True),
    ]


def class_dashboard(
    *, term: Term, classes: list[SchoolClass], today: datetime.date | None = None
) -> list[Chart]:
    """The homeroom teacher's charts for their own classes: survey, funnel,
    participation and priority, attendance, fees, homework by class (no club
    or staff chart: those are the school's). Fixed queries:
    2+2+1+2+3+2 = 12."""
    participation = participation_charts(term=term, classes=classes)
    return [
        survey_chart(term=term, classes=classes),
        funnel_chart(term=term, classes=classes),
        participation[1],
        participation[2],
        *attendance_charts(term=term, classes=classes, today=today),
        fees_chart(term=term, classes=classes),
        homework_chart(term=term, classes=classes, today=today),
    ]


def home_charts(*, user: User, term: Term | None, classes: list[SchoolClass]) -> list[Chart]:
    """The few charts for a home page (admin: participation by grade,
    attendance by week, fees; homeroom: participation of the class,
    attendance by week): the call the home page makes for ``_charts.html``
    (through ``overview.home.figures``, which keeps them a few minutes).
    Empty without a term. Admin 5 queries, homeroom 2."""
    if term is None or not classes:
        return []
    if user.is_school_admin:
        return [
            participation_charts(term=term, classes=classes)[0],
            attendance_week_chart(term=term, classes=classes),
            fees_chart(term=term, classes=classes),
        ]
    return [
        participation_charts(term=term, classes=classes)[1],
        attendance_week_chart(term=term, classes=classes),
    ]


def home_chart_classes(user: User, term: Term):
    """The classes ``home_charts`` counts for ``user``: the admin the
    term's classes, a homeroom teacher their own of the term's year; grade
    and number order. Lazy, no query until read."""
    if user.is_school_admin:
        classes = term_classes(term)
    else:
        classes = classes_for_user(user).filter(school_year_id=term.school_year_id)
    return classes.order_by("grade", "number")


def home_charts_for_user(
    user: User,
    *,
    today: datetime.date | None = None,
    term: Term | None | EllipsisType = ...,
) -> list[Chart]:
    """``home_charts`` for ``user``'s home page, with the term (the school's
    current one on ``today``, unless the caller passes it; ``None``: no
    term) and classes (``home_chart_classes``) found here. Empty for every
    other role. Admin 7 queries, homeroom 4 (term and classes included)."""
    if not (user.is_school_admin or (user.role == Role.HOMEROOM and user.school_id)):
        return []
    if term is ...:
        term = current_term(school=user.school_id, today=today)
    if term is None:
        return []
    return home_charts(user=user, term=term, classes=list(home_chart_classes(user, term)))
