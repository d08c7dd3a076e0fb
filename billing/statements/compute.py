"""The fee arithmetic: pure functions over a ``TermContext``
(``billing.statements.context.load_context``); ``compute_month`` /
``compute_prepay`` / ``compute_settlement`` build each student's lines
without touching the database.

Periods charged on a service day (seed 一.2 and 一.7): the parts the family
chose — the noon period, the after-school period, and on the featured
weekday the featured period (clubs) — at most ``FeePolicy.periods_per_day``.
Approved leave is not charged and unexcused absence is charged unless the
policy says otherwise.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from billing.models import BillingMode, LineKind, SettlementMode, WaiverKind
from billing.money import ZERO, line_amount, percent_of, to_fen, total
from billing.months import month_end
from billing.statements.context import DayOutcome, Enrolment, Line, StudentBill, TermContext
from enrollment.models import Application
from scheduling.calendar.days import DayInfo, DayKind
from scheduling.models import Period, Weekday

PERIOD_ORDER = (Period.NOON, Period.AFTER_SCHOOL)
# Lines that make up what waivers apply to.
CHARGED_KINDS = (LineKind.CHARGE, LineKind.PREPAY, LineKind.CAP)


# A school's month is ~1,000 children × ~20 days of lines: the labels are
# translated once per language, not once a line.
@functools.cache
def _labels_in(periods: tuple[str, ...], language: str | None) -> str:
    return "、".join(str(Period(p).label) for p in PERIOD_ORDER if p in periods)


def _labels(periods) -> str:
    return _labels_in(tuple(periods), get_language())


@functools.cache
def _weekday_label(weekday: int, language: str | None) -> str:
    return str(Weekday(weekday).label)


def _day_label(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日 {_weekday_label(day.weekday(), get_language())}"


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
    if info.has_service:
        out = day_outcome(ctx, enrolment, info)
        return _service_day_lines(ctx, out, priced=priced), out
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


def _service_day_lines(ctx: TermContext, out: DayOutcome, *, priced: bool) -> list[Line]:
    """A service day's charge (when ``priced``) at the rate in force that
    day (``TermContext.rate_on``) and its uncharged leave and absence."""
    day = out.info.date
    rate = ctx.rate_on(day)
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
                date=day,
                description=f"{_day_label(day)} {_labels(out.charged)}{note}",
                quantity=Decimal(len(out.charged)),
                unit_price=rate,
                amount=line_amount(len(out.charged), rate),
            )
        )
    if out.leave and not ctx.policy.charge_approved_leave:
        lines.append(
            Line(
                kind=LineKind.LEAVE,
                date=day,
                description=_("%(day)s %(periods)s 请假（不收费）")
                % {"day": _day_label(day), "periods": _labels(out.leave)},
                quantity=Decimal(len(out.leave)),
                unit_price=rate,
            )
        )
    if out.absent and not ctx.policy.charge_unexcused_absence:
        lines.append(
            Line(
                kind=LineKind.ABSENCE,
                date=day,
                description=_("%(day)s %(periods)s 缺勤（不收费）")
                % {"day": _day_label(day), "periods": _labels(out.absent)},
                quantity=Decimal(len(out.absent)),
                unit_price=rate,
            )
        )
    return lines


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
    kept_before: Callable[[datetime.date], Decimal] | None = None,
) -> list[Line]:
    """Deductions for the student's waivers: each applies to charges dated on
    or after its ``effective_from`` (an undated charge — the monthly flat
    amount or the prepayment — counts when the waiver started by the first
    day of ``month`` in the term, or of the term). A flat month's waiver
    starting mid-month (``kept_before``: what the month costs for the days
    served before a date, yuan) waives the rest of the month's undated
    charge, not nothing. Deductions never exceed the charges."""
    lines = []
    left = total(a for _d, a in charges)
    # The month's first day in the term (a term starting 2 Sep opens September).
    start = max(month or ctx.term.first_day, ctx.term.first_day)
    undated = total(a for d, a in charges if d is None)
    for w in ctx.waivers.get(enrolment.student.pk, []):
        base = total(a for d, a in charges if (d or start) >= w.effective_from)
        if kept_before is not None and w.effective_from > start:
            base += max(undated - kept_before(w.effective_from), ZERO)
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


def cap_bound(ctx: TermContext, *, days: int, periods: int) -> Decimal:
    """The most the county's cap allows for ``days`` service days with
    ``periods`` periods charged (seed 一.7: 每课时不超过2.3元，每天最多两课时):
    the smaller of days × the day cap and periods × the period cap, in yuan."""
    cap = ctx.cap
    return min(line_amount(days, cap.per_day), line_amount(periods, cap.per_period))


def cap_line(ctx: TermContext, *, days: int, periods: int, charged: Decimal) -> Line | None:
    """A deduction bringing ``charged`` yuan down to ``cap_bound`` when it
    is above it (any billing mode: a flat month for a part month, a
    prepayment, a rate saved before the cap was lowered), else ``None``."""
    bound = cap_bound(ctx, days=days, periods=periods)
    if charged <= bound:
        return None
    cap = ctx.cap
    doc = f"（{cap.document}）" if cap.document else ""
    return Line(
        kind=LineKind.CAP,
        description=_(
            "按收费上限封顶%(doc)s：%(days)s 天、%(periods)s 课时，"
            "每天不超过 %(day)s 元、每课时不超过 %(period)s 元，最多收 %(bound)s 元"
        )
        % {
            "doc": doc,
            "days": days,
            "periods": periods,
            "day": cap.per_day,
            "period": cap.per_period,
            "bound": bound,
        },
        amount=bound - charged,
    )


def _charges(lines: list[Line]) -> list[tuple[datetime.date | None, Decimal]]:
    """(date, yuan) of the charge or prepayment lines and the cap deduction
    (undated): the base waivers apply to."""
    return [(ln.date, ln.amount) for ln in lines if ln.kind in CHARGED_KINDS]


def _flat_amount(policy, days: int) -> Decimal:
    """The monthly flat charge for ``days`` days served (yuan): nothing for
    none, the reduced amount below the policy's threshold, else the full."""
    if days == 0:
        return ZERO
    if days < policy.monthly_threshold_days:
        return policy.monthly_reduced_amount
    return policy.monthly_amount


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
        served: list[tuple[datetime.date, int]] = []  # (day, periods charged)
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
                served.append((d, len(out.charged)))
        if not_enrolled:
            lines.append(_not_enrolled_line(not_enrolled))
        if not priced:
            policy = ctx.policy
            amount = _flat_amount(policy, days)
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
        capped = cap_line(
            ctx,
            days=days,
            periods=periods,
            charged=total(ln.amount for ln in lines if ln.kind == LineKind.CHARGE),
        )
        if capped:
            lines.append(capped)
        kept_before = None
        if not priced:

            def kept_before(day: datetime.date, served=tuple(served)) -> Decimal:
                # The flat month as if it ended the day before ``day``:
                # its tier and cap for the days served until then.
                before = [p for d, p in served if d < day]
                return min(
                    _flat_amount(ctx.policy, len(before)),
                    cap_bound(ctx, days=len(before), periods=sum(before)),
                )

        lines.extend(
            _waiver_lines(ctx, enrolment, _charges(lines), month=month, kept_before=kept_before)
        )
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
        capped = cap_line(ctx, days=days, periods=days * per_day, charged=lines[0].amount)
        if capped:
            lines.append(capped)
        lines.extend(_waiver_lines(ctx, enrolment, _charges(lines), month=None))
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
    bills = {}
    for sid, (prepaid_periods, prepaid_net) in prepaid.items():
        enrolment = ctx.enrolments.get(sid)
        if enrolment is None:
            continue
        served = _served_periods(ctx, enrolment)
        refund_periods = max(prepaid_periods - served.served, 0)
        lines = [
            Line(
                kind=LineKind.CHARGE,
                description=_("本学期实际服务 %(n)s 课时（预收 %(p)s 课时）")
                % {"n": served.served, "p": prepaid_periods},
            ),
            *_refund_lines(ctx, served, refund_periods),
        ]
        prepaid_gross = line_amount(prepaid_periods, ctx.policy.rate_per_period)
        prepaid_waived = prepaid_gross - prepaid_net
        served_charges = served.charges if refund_periods else [(None, prepaid_gross)]
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
        bill = StudentBill(
            enrolment=enrolment, lines=lines, days=served.days, periods=served.served
        )
        if bill.total < 0:
            how = SettlementMode(ctx.policy.settlement_mode).label
            lines.append(
                Line(kind=LineKind.REFUND, description=_("结算结果：%(how)s") % {"how": how})
            )
        bills[sid] = bill
    return bills


@dataclass
class _Served:
    """A prepaying student's term in periods: served (charged) and the days
    with a charged period, not served by reason, and the charges of the days
    served."""

    served: int = 0
    days: int = 0
    suspended: int = 0
    leave: int = 0
    after: int = 0
    charges: list[tuple[datetime.date | None, Decimal]] = field(default_factory=list)


def _served_periods(ctx: TermContext, enrolment: Enrolment) -> _Served:
    per_day = nominal_periods(ctx, enrolment.application)
    rate = ctx.policy.rate_per_period
    tally = _Served()
    for d in sorted(ctx.calendar):
        info = ctx.calendar[d]
        if not enrolment.enrolled_on(d):
            if info.has_service and enrolment.withdrawn_before(d):
                tally.after += per_day
            continue
        if info.suspended:
            tally.suspended += per_day
        elif info.has_service:
            out = day_outcome(ctx, enrolment, info)
            tally.served += len(out.charged)
            tally.days += int(bool(out.charged))
            tally.leave += len(out.wanted) - len(out.charged)
            tally.charges.append((d, line_amount(len(out.charged), rate)))
    return tally


def _refund_lines(ctx: TermContext, served: _Served, refund_periods: int) -> list[Line]:
    """The refunded periods, by reason in this order; what no reason covers
    is holidays beyond the estimate."""
    rate = ctx.policy.rate_per_period
    lines = []
    remaining = refund_periods
    for count, label in (
        (served.suspended, _("暂停服务退费")),
        (served.leave, _("请假及不收费缺勤退费")),
        (served.after, _("退出后未服务退费")),
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
    return lines
