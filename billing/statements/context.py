"""What the fee arithmetic reads, loaded once per term in a fixed number of
queries (calendar, enrolments and their dates, leave, absences, waivers),
and the shapes it returns.

Who is enrolled when (enrollment's records): a student is enrolled from the
date the school approved the application (its ``ApplicationEvent`` to
``approved``; the term's first day if approved before it) until the day
before it was withdrawn or terminated. Enrolment or withdrawal mid-month
therefore charges only the days enrolled. Service dates come from
``scheduling.calendar`` only (``term_calendar``: service days already
exclude holidays and suspended days).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from afterschool.models import Student, Term
from afterschool.selectors import FeeCap, school_fee_cap, year_class_annotations
from billing.models import FeePolicy, FeeRateChange, Waiver
from billing.money import ZERO, total
from billing.policy.selectors import rate_on
from enrollment.models import Application, ApplicationEvent, Status
from scheduling.attendance.selectors import approved_leave_periods, attendance_absences
from scheduling.calendar.days import DayInfo, term_calendar, term_schedule
from scheduling.models import TermSchedule


@dataclass
class Enrolment:
    """One student's enrolment in the term: the parts chosen and the
    date windows (first day, last day inclusive) in which they are enrolled."""

    student: Student
    application: Application
    windows: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)

    @property
    def school_class_id(self) -> int:
        """The student's class in the term's school year (its membership),
        else the student's latest class."""
        return getattr(self.application, "year_class_id", None) or self.student.school_class_id

    def enrolled_on(self, day: datetime.date) -> bool:
        return any(a <= day <= b for a, b in self.windows)

    def withdrawn_before(self, day: datetime.date) -> bool:
        """Enrolled at some point but no longer on ``day`` (after withdrawal)."""
        return bool(self.windows) and day > max(b for _a, b in self.windows)


@dataclass
class Line:
    """A statement line before it is saved."""

    kind: str
    description: str
    amount: Decimal = ZERO
    date: datetime.date | None = None
    quantity: Decimal = ZERO
    unit_price: Decimal = ZERO


@dataclass
class StudentBill:
    """What one statement of one student should contain."""

    enrolment: Enrolment
    lines: list[Line]
    days: int = 0
    periods: int = 0

    @property
    def total(self) -> Decimal:
        return total(line.amount for line in self.lines)


@dataclass
class DayOutcome:
    """What happened on one date for one enrolled student."""

    info: DayInfo
    wanted: tuple[str, ...] = ()
    charged: tuple[str, ...] = ()
    leave: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


@dataclass
class TermContext:
    """Everything the arithmetic needs for one term, loaded in fixed queries."""

    term: Term
    policy: FeePolicy
    schedule: TermSchedule
    calendar: dict[datetime.date, DayInfo]
    enrolments: dict[int, Enrolment]
    leave: dict[int, set[tuple[datetime.date, str]]]
    absences: dict[int, set[tuple[datetime.date, str]]]
    waivers: dict[int, list[Waiver]]
    cap: FeeCap
    rate_changes: list[FeeRateChange] = field(default_factory=list)

    def rate_on(self, day: datetime.date) -> Decimal:
        """Yuan per period in force on ``day``: the latest rate change from
        that day or before, else the policy's rate
        (``billing.policy.selectors.rate_on``)."""
        return rate_on(base=self.policy.rate_per_period, changes=self.rate_changes, day=day)

    def service_dates(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        return [d for d, info in self.calendar.items() if first <= d <= last and info.has_service]


def enrolment_windows(
    events: list[tuple[str, datetime.datetime]], term: Term
) -> list[tuple[datetime.date, datetime.date]]:
    """Date windows of enrolment from an application's status events (oldest
    first): ``approved`` opens a window (from the term's first day at the
    earliest), ``withdrawn``/``terminated`` closes it the day before."""
    windows: list[tuple[datetime.date, datetime.date]] = []
    opened: datetime.date | None = None
    for status, at in events:
        day = timezone.localdate(at)
        if status == Status.APPROVED and opened is None:
            opened = max(day, term.first_day)
        elif status in (Status.WITHDRAWN, Status.TERMINATED) and opened is not None:
            closed = min(day - datetime.timedelta(days=1), term.last_day)
            if closed >= opened:
                windows.append((opened, closed))
            opened = None
    if opened is not None and opened <= term.last_day:
        windows.append((opened, term.last_day))
    return windows


def load_enrolments(term: Term) -> dict[int, Enrolment]:
    """Student id → ``Enrolment`` of every student of the term's school whose
    application was approved at some time. Two queries."""
    apps = list(
        Application.objects.filter(
            term=term, status__in=[Status.APPROVED, Status.WITHDRAWN, Status.TERMINATED]
        )
        # The student's class in the term's year: a statement (re)computed
        # after the rollover still belongs to that year's class.
        .annotate(**year_class_annotations(student="student", school_year="term__school_year"))
        .select_related("student", "student__school_class")
    )
    events: dict[int, list[tuple[str, datetime.datetime]]] = defaultdict(list)
    for app_id, status, at in (
        ApplicationEvent.objects.filter(
            application__term=term,
            to_status__in=[Status.APPROVED, Status.WITHDRAWN, Status.TERMINATED],
        )
        .order_by("at", "pk")
        .values_list("application_id", "to_status", "at")
    ):
        events[app_id].append((status, at))
    out = {}
    for app in apps:
        windows = enrolment_windows(events.get(app.pk, []), term)
        if windows:
            out[app.student_id] = Enrolment(student=app.student, application=app, windows=windows)
    return out


def load_context(
    *,
    term: Term,
    policy: FeePolicy,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
) -> TermContext:
    """Read what the arithmetic needs for ``term`` between ``first`` and
    ``last`` (default: the whole term). Raises ``CalendarUnknownError`` when
    the term touches a year the calendar does not know. Fixed queries:
    calendar (≤ 3), term settings (≤ 1), applications, events, leave (≤ 4),
    absences, waivers, rate changes (the school's fee cap is read from
    ``term.school``)."""
    first = max(first or term.first_day, term.first_day)
    last = min(last or term.last_day, term.last_day)
    calendar = {d.date: d for d in term_calendar(term)}
    waivers: dict[int, list[Waiver]] = defaultdict(list)
    for w in Waiver.objects.filter(term=term).order_by("effective_from", "pk"):
        waivers[w.student_id].append(w)
    return TermContext(
        term=term,
        policy=policy,
        schedule=term_schedule(term),
        calendar=calendar,
        enrolments=load_enrolments(term),
        leave=approved_leave_periods(term=term, start=first, end=last),
        absences=attendance_absences(term=term, start=first, end=last),
        waivers=dict(waivers),
        cap=school_fee_cap(term.school),
        rate_changes=list(FeeRateChange.objects.filter(term=term).order_by("effective_from")),
    )
