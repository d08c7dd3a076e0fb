"""The fee arithmetic: pure functions over data loaded once per term.

``load_context`` reads everything a month's statements need in a fixed
number of queries (calendar, enrolments and their dates, leave, absences,
waivers); ``compute_month`` / ``compute_prepay`` / ``compute_settlement``
then build each student's lines without touching the database.

Who is enrolled when (enrollment's records): a student is enrolled from the
date the school approved the application (its ``ApplicationEvent`` to
``approved``; the term's first day if approved before it) until the day
before it was withdrawn or terminated. Enrolment or withdrawal mid-month
therefore charges only the days enrolled. Service dates come from
``scheduling.calendar`` only (``term_calendar``: service days already
exclude holidays and suspended days).

Periods charged on a service day (seed 一.2 and 一.7): the parts the family
chose — the noon period, the after-school period, and on the featured
weekday the featured period (clubs) — at most ``FeePolicy.periods_per_day``.
Approved leave is not charged and unexcused absence is charged unless the
policy says otherwise.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.models import Student, Term
from billing.models import BillingMode, FeePolicy, LineKind, SettlementMode, Waiver, WaiverKind
from billing.money import ZERO, line_amount, percent_of, to_fen, total
from enrollment.models import Application, ApplicationEvent, Status
from scheduling.attendance.selectors import approved_leave_periods, attendance_absences
from scheduling.calendar.days import DayInfo, DayKind, term_calendar, term_schedule
from scheduling.models import Period, TermSchedule, Weekday

PERIOD_ORDER = (Period.NOON, Period.AFTER_SCHOOL)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    nxt = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return nxt - datetime.timedelta(days=1)


def term_months(term: Term) -> list[datetime.date]:
    """First days of the months ``term`` touches, in order."""
    out, m = [], month_start(term.first_day)
    while m <= term.last_day:
        out.append(m)
        m = month_end(m) + datetime.timedelta(days=1)
    return out


def _labels(periods) -> str:
    return "、".join(str(Period(p).label) for p in PERIOD_ORDER if p in periods)


def _day_label(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日 {Weekday(day.weekday()).label}"


@dataclass
class Enrolment:
    """One student's enrolment in the term: the parts chosen and the
    date windows (first day, last day inclusive) in which they are enrolled."""

    student: Student
    application: Application
    windows: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)

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
        ).select_related("student", "student__school_class")
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
    absences, waivers."""
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
    )


def wanted_periods(ctx: TermContext, app: Application, info: DayInfo) -> tuple[str, ...]:
    """Periods the student is enrolled for on a service day, in order, at
    most ``periods_per_day``."""
    wanted = set()
    if app.wants_noon:
        wanted.add(Period.NOON)
    if app.wants_after_school:
        wanted.add(Period.AFTER_SCHOOL)
    if app.wants_featured_day and info.timetable_weekday == ctx.schedule.featured_weekday:
        wanted.add(ctx.schedule.featured_period)
    return tuple(p for p in PERIOD_ORDER if p in wanted)[: ctx.policy.periods_per_day]


def nominal_periods(ctx: TermContext, app: Application) -> int:
    """Periods of an ordinary day (no featured day) for prepayment, at least 1."""
    n = int(app.wants_noon) + int(app.wants_after_school)
    return max(1, min(n, ctx.policy.periods_per_day))


def day_outcome(ctx: TermContext, enrolment: Enrolment, info: DayInfo) -> DayOutcome:
    """Which periods of a service day are charged, on leave or absent."""
    wanted = wanted_periods(ctx, enrolment.application, info)
    sid = enrolment.student.pk
    leave_set = ctx.leave.get(sid, set())
    absent_set = ctx.absences.get(sid, set())
    leave = tuple(p for p in wanted if (info.date, p) in leave_set)
    absent = tuple(p for p in wanted if (info.date, p) in absent_set and p not in leave)
    charged = tuple(
        p
        for p in wanted
        if (p not in leave or ctx.policy.charge_approved_leave)
        and (p not in absent or ctx.policy.charge_unexcused_absence)
    )
    return DayOutcome(info=info, wanted=wanted, charged=charged, leave=leave, absent=absent)


def _day_lines(ctx: TermContext, enrolment: Enrolment, info: DayInfo, *, priced: bool):
    """Lines for one date the student is enrolled on, and the outcome (None
    on a day without service). ``priced`` False for monthly flat billing,
    where days are listed for information only."""
    rate = ctx.policy.rate_per_period
    if info.has_service:
        out = day_outcome(ctx, enrolment, info)
        lines = []
        if out.charged and priced:
            notes = []
            if out.leave and ctx.policy.charge_approved_leave:
                notes.append(_("请假，照常收费"))
            if out.absent and ctx.policy.charge_unexcused_absence:
                notes.append(_("缺勤，照常收费"))
            note = f"（{'；'.join(notes)}）" if notes else ""
            lines.append(
                Line(
                    kind=LineKind.CHARGE,
                    date=info.date,
                    description=f"{_day_label(info.date)} {_labels(out.charged)}{note}",
                    quantity=Decimal(len(out.charged)),
                    unit_price=rate,
                    amount=line_amount(len(out.charged), rate),
                )
            )
        if out.leave and not ctx.policy.charge_approved_leave:
            lines.append(
                Line(
                    kind=LineKind.LEAVE,
                    date=info.date,
                    description=_("%(day)s %(periods)s 请假（不收费）")
                    % {"day": _day_label(info.date), "periods": _labels(out.leave)},
                    quantity=Decimal(len(out.leave)),
                    unit_price=rate,
                )
            )
        if out.absent and not ctx.policy.charge_unexcused_absence:
            lines.append(
                Line(
                    kind=LineKind.ABSENCE,
                    date=info.date,
                    description=_("%(day)s %(periods)s 缺勤（不收费）")
                    % {"day": _day_label(info.date), "periods": _labels(out.absent)},
                    quantity=Decimal(len(out.absent)),
                    unit_price=rate,
                )
            )
        return lines, out
    if info.suspended:
        notice = f"：{info.notice}" if info.notice else ""
        return [
            Line(
                kind=LineKind.SUSPENDED,
                date=info.date,
                description=_("%(day)s 暂停服务（不收费）") % {"day": _day_label(info.date)}
                + notice,
            )
        ], None
    if info.kind == DayKind.HOLIDAY and info.date.weekday() < 5:
        return [
            Line(
                kind=LineKind.HOLIDAY,
                date=info.date,
                description=_("%(day)s %(name)s放假（不收费）")
                % {"day": _day_label(info.date), "name": info.holiday_name},
            )
        ], None
    return [], None


def _not_enrolled_line(count: int) -> Line:
    return Line(
        kind=LineKind.NOT_ENROLLED,
        description=_("本月未在读的服务日 %(n)s 天（报名批准前或退出后，不收费）") % {"n": count},
        quantity=Decimal(count),
    )


def _waiver_lines(
    ctx: TermContext,
    enrolment: Enrolment,
    charges: list[tuple[datetime.date | None, Decimal]],
    *,
    month: datetime.date | None,
) -> list[Line]:
    """Deductions for the student's waivers: each applies to charges dated on
    or after its ``effective_from`` (an undated charge — the monthly flat
    amount or the prepayment — counts when the waiver started by the first
    day of ``month`` or of the term). Deductions never exceed the charges."""
    lines = []
    left = total(a for _d, a in charges)
    start = month or ctx.term.first_day
    for w in ctx.waivers.get(enrolment.student.pk, []):
        base = total(a for d, a in charges if (d or start) >= w.effective_from)
        if w.kind == WaiverKind.FULL:
            cut = base
        elif w.kind == WaiverKind.PERCENT:
            cut = percent_of(base, w.percent)
        else:
            cut = min(w.amount, base)
        cut = min(cut, left)
        if cut <= 0:
            continue
        left -= cut
        reason = f"：{w.reason}" if w.reason else ""
        lines.append(
            Line(
                kind=LineKind.WAIVER,
                description=_("%(label)s（自%(day)s起）")
                % {"label": w.label, "day": f"{w.effective_from:%Y-%m-%d}"}
                + reason,
                amount=-cut,
            )
        )
    return lines


def compute_month(ctx: TermContext, month: datetime.date) -> dict[int, StudentBill]:
    """Student id → the bill for ``month`` (per-period or monthly-flat mode)
    of every student enrolled on some date of the month."""
    first = max(month, ctx.term.first_day)
    last = min(month_end(month), ctx.term.last_day)
    dates = [d for d in sorted(ctx.calendar) if first <= d <= last]
    priced = ctx.policy.mode == BillingMode.PER_PERIOD
    bills = {}
    for sid, enrolment in ctx.enrolments.items():
        if not any(enrolment.enrolled_on(d) for d in dates):
            continue
        lines: list[Line] = []
        days = periods = not_enrolled = 0
        for d in dates:
            info = ctx.calendar[d]
            if not enrolment.enrolled_on(d):
                not_enrolled += int(info.has_service)
                continue
            day_lines, out = _day_lines(ctx, enrolment, info, priced=priced)
            lines.extend(day_lines)
            if out is not None and out.charged:
                days += 1
                periods += len(out.charged)
        if not_enrolled:
            lines.append(_not_enrolled_line(not_enrolled))
        if not priced:
            policy = ctx.policy
            if days == 0:
                amount = ZERO
            elif days < policy.monthly_threshold_days:
                amount = policy.monthly_reduced_amount
            else:
                amount = policy.monthly_amount
            tier = (
                _("服务不足 %(n)s 天，按减档收费") % {"n": policy.monthly_threshold_days}
                if days and days < policy.monthly_threshold_days
                else _("按月定额收费")
            )
            lines.insert(
                0,
                Line(
                    kind=LineKind.CHARGE,
                    description=_("%(y)s年%(m)s月 服务 %(n)s 天，%(tier)s")
                    % {"y": month.year, "m": month.month, "n": days, "tier": tier},
                    quantity=Decimal(1),
                    unit_price=amount,
                    amount=to_fen(amount),
                ),
            )
        charges = [(ln.date, ln.amount) for ln in lines if ln.kind == LineKind.CHARGE]
        lines.extend(_waiver_lines(ctx, enrolment, charges, month=month))
        if lines:
            bills[sid] = StudentBill(enrolment=enrolment, lines=lines, days=days, periods=periods)
    return bills


def compute_prepay(ctx: TermContext, month: datetime.date) -> dict[int, StudentBill]:
    """Student id → the term's prepayment for students enrolled in ``month``
    (prepay mode): ``prepay_days`` (the admin's estimate, e.g. 100, whatever
    the calendar says; a student joining after the term started prepays at
    most the service days left) × the day's periods × the rate, e.g. 100 ×
    2 × 2.30 = 460.00 yuan, less waivers."""
    policy = ctx.policy
    first = max(month, ctx.term.first_day)
    last = min(month_end(month), ctx.term.last_day)
    bills = {}
    for sid, enrolment in ctx.enrolments.items():
        start = enrolment.windows[0][0]
        if not (first <= start <= last):
            continue
        days = policy.prepay_days
        if start > ctx.term.first_day:
            # A late joiner prepays at most the service days left.
            days = min(days, len(ctx.service_dates(start, ctx.term.last_day)))
        per_day = nominal_periods(ctx, enrolment.application)
        unit = policy.rate_per_period * per_day
        lines = [
            Line(
                kind=LineKind.PREPAY,
                description=_("学期预收 %(days)s 天 × 每天 %(p)s 课时 × %(rate)s 元")
                % {"days": days, "p": per_day, "rate": policy.rate_per_period},
                quantity=Decimal(days),
                unit_price=unit,
                amount=line_amount(days, unit),
            )
        ]
        lines.extend(_waiver_lines(ctx, enrolment, [(None, lines[0].amount)], month=None))
        bills[sid] = StudentBill(
            enrolment=enrolment, lines=lines, days=days, periods=days * per_day
        )
    return bills


def compute_settlement(
    ctx: TermContext, prepaid: dict[int, tuple[int, Decimal]]
) -> dict[int, StudentBill]:
    """Student id → the term-end settlement of a prepaying student.

    ``prepaid``: student id → (periods prepaid, net yuan of the prepayment
    statement after waivers). The refund is the prepaid periods not served,
    itemised by reason — suspended days, approved leave (and uncharged
    absence), days after withdrawal, and the rest as holidays beyond the
    estimate — each at the rate per period; then the waivers are settled on
    what was actually served. A negative total is refunded or credited to
    the next term (``FeePolicy.settlement_mode``).
    """
    policy = ctx.policy
    rate = policy.rate_per_period
    bills = {}
    for sid, (prepaid_periods, prepaid_net) in prepaid.items():
        enrolment = ctx.enrolments.get(sid)
        if enrolment is None:
            continue
        per_day = nominal_periods(ctx, enrolment.application)
        served = suspended = leave = after = 0
        charges: list[tuple[datetime.date | None, Decimal]] = []
        for d in sorted(ctx.calendar):
            info = ctx.calendar[d]
            if not enrolment.enrolled_on(d):
                if info.has_service and enrolment.withdrawn_before(d):
                    after += per_day
                continue
            if info.suspended:
                suspended += per_day
            elif info.has_service:
                out = day_outcome(ctx, enrolment, info)
                served += len(out.charged)
                leave += len(out.wanted) - len(out.charged)
                charges.append((d, line_amount(len(out.charged), rate)))
        refund_periods = max(prepaid_periods - served, 0)
        lines = [
            Line(
                kind=LineKind.CHARGE,
                description=_("本学期实际服务 %(n)s 课时（预收 %(p)s 课时）")
                % {"n": served, "p": prepaid_periods},
            )
        ]
        remaining = refund_periods
        for count, label in (
            (suspended, _("暂停服务退费")),
            (leave, _("请假及不收费缺勤退费")),
            (after, _("退出后未服务退费")),
            (None, _("节假日多于预估、服务天数不足退费")),
        ):
            n = remaining if count is None else min(count, remaining)
            if n <= 0:
                continue
            remaining -= n
            lines.append(
                Line(
                    kind=LineKind.REFUND,
                    description=f"{label} {n} 课时 × {rate} 元",
                    quantity=Decimal(n),
                    unit_price=rate,
                    amount=-line_amount(n, rate),
                )
            )
        prepaid_gross = line_amount(prepaid_periods, rate)
        prepaid_waived = prepaid_gross - prepaid_net
        served_charges = charges if refund_periods else [(None, prepaid_gross)]
        owed_waived = -total(
            ln.amount for ln in _waiver_lines(ctx, enrolment, served_charges, month=None)
        )
        if owed_waived != prepaid_waived:
            lines.append(
                Line(
                    kind=LineKind.WAIVER,
                    description=_("减免按实际服务重新结算"),
                    amount=prepaid_waived - owed_waived,
                )
            )
        bill = StudentBill(enrolment=enrolment, lines=lines, periods=served)
        if bill.total < 0:
            how = SettlementMode(policy.settlement_mode).label
            lines.append(
                Line(kind=LineKind.REFUND, description=_("结算结果：%(how)s") % {"how": how})
            )
        bills[sid] = bill
    return bills
