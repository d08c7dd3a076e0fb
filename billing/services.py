"""Billing rules that write: fee policy, waivers, statements, payments.

Every function is keyword-only, typed, and atomic where it writes several
rows (STYLE.md §1). Errors are ``ValidationError`` with Chinese messages the
views show on the form.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from afterschool.audit import audited
from afterschool.models import School, Student, Term, User
from billing import fees, selectors
from billing.models import (
    BillingMode,
    FeeLine,
    FeePolicy,
    FeeStatement,
    LineKind,
    Payment,
    PaymentKind,
    StatementKind,
    Waiver,
    WaiverKind,
)
from billing.money import ZERO, to_fen
from enrollment.models import WaiverRequest, WaiverStatus

# Adjustment lines sort after the computed lines, in the order they were made.
ADJUSTMENT_POSITION = 1_000_000

POLICY_FIELDS = (
    "rate_per_period",
    "periods_per_day",
    "mode",
    "charge_approved_leave",
    "charge_unexcused_absence",
    "prepay_days",
    "settlement_mode",
    "monthly_amount",
    "monthly_reduced_amount",
    "monthly_threshold_days",
    "allow_partial_waiver",
    "workload_rate_per_period",
)


def _document(school: School) -> str:
    return f"（{school.fee_document}）" if school.fee_document else ""


def fee_cap_errors(
    *, school: School, rate_per_period: Decimal, periods_per_day: int
) -> dict[str, list[str]]:
    """Field → messages for a rate or a day total above the school's cap
    (``School.fee_cap_per_period``, ``fee_cap_periods_per_day``; seed 一.7:
    每生每课时不超过2.3元, 每天最多收取两课时). Each message names the cap
    and the county document it comes from. Empty when within the cap."""
    errors: dict[str, list[str]] = {}
    doc = _document(school)
    if rate_per_period > school.fee_cap_per_period:
        errors["rate_per_period"] = [
            _("每课时收费不得超过 %(cap)s 元%(doc)s。")
            % {"cap": school.fee_cap_per_period, "doc": doc}
        ]
    if periods_per_day > school.fee_cap_periods_per_day:
        errors["periods_per_day"] = [
            _("每天收费课时数不得超过 %(cap)s 课时%(doc)s。")
            % {"cap": school.fee_cap_periods_per_day, "doc": doc}
        ]
    day_total = rate_per_period * periods_per_day
    if not errors and day_total > school.fee_cap_per_day:
        errors["periods_per_day"] = [
            _("每天收费不得超过 %(cap)s 元%(doc)s。") % {"cap": school.fee_cap_per_day, "doc": doc}
        ]
    return errors


@transaction.atomic
def fee_policy_save(*, term: Term, data: dict, by: User | None) -> FeePolicy:
    """Create or update the fee policy of ``term`` from ``data`` (keys of
    ``POLICY_FIELDS``; yuan as Decimal, periods and days as int).

    Raises ``ValidationError`` (field → message) when the rate, the billed
    periods per day or their product is above the school's cap — the message
    names the cap and its document, and nothing is saved — or when the
    reduced monthly amount is above the full one.
    """
    school = term.school
    policy = FeePolicy.objects.select_for_update().filter(term=term).first()
    if policy is None:
        policy = FeePolicy(term=term, school=school)
    for name in POLICY_FIELDS:
        if name in data:
            setattr(policy, name, data[name])
    errors = fee_cap_errors(
        school=school,
        rate_per_period=Decimal(policy.rate_per_period),
        periods_per_day=int(policy.periods_per_day),
    )
    if policy.monthly_reduced_amount > policy.monthly_amount:
        errors["monthly_reduced_amount"] = [_("减档金额不能高于每月收费。")]
    if errors:
        raise ValidationError(errors)
    policy.updated_by = by
    policy.updated_at = timezone.now()
    audited(policy, by).save()
    return policy


def waivers_sync_from_enrollment(*, term: Term) -> int:
    """Create a full waiver (免收) from the term's first day for every
    approved enrollment waiver request (seed 一.7: 对家庭困难子女免收;
    ``enrollment.selectors.approved_waiver_for``) that has none yet. A
    request asked in the application covers the whole enrolment. Returns
    how many were created. Two queries at most."""
    pending = list(
        WaiverRequest.objects.filter(
            application__term=term, status=WaiverStatus.APPROVED, fee_waiver__isnull=True
        ).values_list("pk", "application__student_id", "decided_by_id")
    )
    Waiver.objects.bulk_create(
        [
            Waiver(
                student_id=student_id,
                term=term,
                kind=WaiverKind.FULL,
                effective_from=term.first_day,
                reason=str(_("家庭经济困难，学校已批准免收")),
                request_id=pk,
                created_by_id=decided_by,
            )
            for pk, student_id, decided_by in pending
        ],
        ignore_conflicts=True,
    )
    return len(pending)


@transaction.atomic
def waiver_create(
    *,
    student: Student,
    term: Term,
    kind: str,
    effective_from: datetime.date,
    by: User,
    amount: Decimal | None = None,
    percent: Decimal | None = None,
    reason: str = "",
) -> Waiver:
    """Record a waiver of ``student``'s fee in ``term`` from ``effective_from``.

    ``kind`` full (免收), amount (yuan off per month) or percent (0–100). A
    partial waiver needs the policy's ``allow_partial_waiver`` (the county
    allows it). The waiver never rewrites a paid statement: the next
    recompute adds a credit line to it (``statements_generate``).

    Raises ``ValidationError`` (field → message) for a partial waiver the
    policy does not allow, a missing or out-of-range value, a date outside
    the term, or the same waiver twice.
    """
    errors: dict[str, list[str]] = {}
    policy = FeePolicy.objects.filter(term=term).first()
    if kind != WaiverKind.FULL and not (policy and policy.allow_partial_waiver):
        errors["kind"] = [_("本学期收费标准不允许部分减免，只能全额免收。")]
    if kind == WaiverKind.AMOUNT and not (amount and amount > 0):
        errors["amount"] = [_("请填写大于 0 的每月减免金额。")]
    if kind == WaiverKind.PERCENT and not (percent and 0 < percent <= 100):
        errors["percent"] = [_("减免比例应在 0 到 100 之间。")]
    if not term.contains(effective_from):
        errors["effective_from"] = [_("生效日期应在本学期内。")]
    if student.school_id != term.school_id:
        errors["student"] = [_("学生不属于本校。")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Waiver.objects.create(
                student=student,
                term=term,
                kind=kind,
                amount=to_fen(amount) if kind == WaiverKind.AMOUNT else None,
                percent=percent if kind == WaiverKind.PERCENT else None,
                effective_from=effective_from,
                reason=reason,
                created_by=by,
            )
    except IntegrityError:
        raise ValidationError(_("该学生同一天已有相同方式的减免。")) from None


def fee_policy_for(term: Term) -> FeePolicy:
    """The term's policy, or unsaved defaults (2.30 × 2, per period)."""
    try:
        return term.fee_policy
    except FeePolicy.DoesNotExist:
        return FeePolicy(term=term, school_id=term.school_id)


@dataclass
class GenerationResult:
    """What a statements run did (counts of statements)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    adjusted: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.adjusted


def _fee_lines(statement: FeeStatement, lines: list[fees.Line], start: int = 0) -> list[FeeLine]:
    return [
        FeeLine(
            statement=statement,
            kind=ln.kind,
            date=ln.date,
            description=ln.description[:200],
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            amount=ln.amount,
            position=start + i,
        )
        for i, ln in enumerate(lines)
    ]


def _signature(lines) -> list[tuple]:
    return [
        (ln.kind, ln.date, ln.description[:200], ln.quantity, ln.unit_price, ln.amount)
        for ln in lines
    ]


def _write_statements(
    *, term: Term, month: datetime.date, kind: str, bills: dict[int, fees.StudentBill]
) -> GenerationResult:
    """Make the stored statements of (term, month, kind) match ``bills``.

    An unpaid statement whose lines changed is rewritten (its lines
    replaced); one that did not change is not touched, so a second run
    writes nothing. A paid statement is never rewritten: when its amount
    changed, an adjustment line (credit or debit) is added, so the recorded
    payment and what was paid for stay as they were, while its days and
    periods take the recomputed values (the adjustment line says how the
    days changed). Unpaid statements of
    students no longer billed are removed. Fixed queries whatever the number
    of students: existing statements (with whether paid), their lines, and
    at most one each of remove, delete changed lines, insert statements,
    update statements, insert lines.
    """
    result = GenerationResult()
    now = timezone.now()
    existing = {
        s.student_id: s
        for s in FeeStatement.objects.filter(term=term, month=month, kind=kind).annotate(
            paid=Exists(Payment.objects.filter(statement=OuterRef("pk")))
        )
    }
    stored: dict[int, list[tuple]] = defaultdict(list)
    if any(not s.paid for s in existing.values()):
        for row in (
            FeeLine.objects.filter(
                statement__term=term, statement__month=month, statement__kind=kind
            )
            .order_by("statement_id", "position", "pk")
            .values_list(
                "statement_id", "kind", "date", "description", "quantity", "unit_price", "amount"
            )
        ):
            stored[row[0]].append(row[1:])
    stale = [s.pk for sid, s in existing.items() if sid not in bills and not s.paid]
    new, changed, to_update, line_rows = [], [], [], []
    for sid, bill in bills.items():
        student = bill.enrolment.student
        statement = existing.get(sid)
        if statement is None:
            statement = FeeStatement(
                school_id=term.school_id,
                term=term,
                student=student,
                school_class_id=student.school_class_id,
                month=month,
                kind=kind,
                days=bill.days,
                periods=bill.periods,
                total=bill.total,
                generated_at=now,
            )
            new.append((statement, bill))
            continue
        if statement.paid:
            diff = bill.total - statement.total
            counts = (bill.days, bill.periods)
            if diff:
                how = _("多缴部分转为结余") if diff < 0 else _("需补缴")
                if counts != (statement.days, statement.periods):
                    how += _("；收费天数 %(a)s → %(b)s 天") % {"a": statement.days, "b": bill.days}
                line_rows.append(
                    FeeLine(
                        statement=statement,
                        kind=LineKind.ADJUSTMENT,
                        description=_("%(day)s 重新核算调整（账单已缴费，不改写原明细），%(how)s")
                        % {"day": f"{timezone.localdate(now):%Y-%m-%d}", "how": how},
                        amount=diff,
                        position=ADJUSTMENT_POSITION,
                    )
                )
                statement.total += diff
                result.adjusted += 1
            if diff or counts != (statement.days, statement.periods):
                # The days and periods are always the recomputed ones (the
                # fee sheet sums them), even though the paid lines stay.
                statement.days, statement.periods = counts
                to_update.append(statement)
            continue
        same = (
            _signature(bill.lines) == stored.get(statement.pk, [])
            and (statement.days, statement.periods, statement.total)
            == (bill.days, bill.periods, bill.total)
            and statement.school_class_id == student.school_class_id
        )
        if same:
            result.unchanged += 1
            continue
        statement.days, statement.periods, statement.total = bill.days, bill.periods, bill.total
        statement.school_class_id = student.school_class_id
        statement.generated_at = now
        to_update.append(statement)
        changed.append(statement.pk)
        line_rows.extend(_fee_lines(statement, bill.lines))
        result.updated += 1
    if stale:
        FeeStatement.objects.filter(pk__in=stale).delete()
        result.removed = len(stale)
    if changed:
        FeeLine.objects.filter(statement_id__in=changed).delete()
    if new:
        # The audit trail's rows go in one bulk insert too (issue 6).
        bulk_create_with_history([s for s, _b in new], FeeStatement)
        for statement, bill in new:
            line_rows.extend(_fee_lines(statement, bill.lines))
        result.created = len(new)
    if to_update:
        bulk_update_with_history(
            to_update,
            FeeStatement,
            ["days", "periods", "total", "school_class", "generated_at"],
            default_change_reason="重新核算",
        )
    if line_rows:
        FeeLine.objects.bulk_create(line_rows)
    return result


@transaction.atomic
def statements_generate(
    *, term: Term, month: datetime.date, policy: FeePolicy | None = None
) -> GenerationResult:
    """(Re)compute the statements of every enrolled student of ``term``'s
    school for ``month`` (any date in the month).

    Per-period mode: each service day enrolled × the periods chosen × the
    rate, approved leave (and, if the policy says, unexcused absence) not
    charged; monthly mode: the monthly amount, the reduced one below the
    day threshold; prepay mode: the prepayment in the month a student's
    enrolment starts. Waivers then deduct (approved enrollment waiver
    requests become full waivers first).

    Idempotent: running it twice writes the same lines; payments are never
    touched and a paid statement whose amount changes gets an adjustment
    line. A fixed number of SQL queries whatever the number of students.

    Raises ``ValidationError`` for a month outside the term and
    ``CalendarUnknownError`` for a year the calendar does not know.
    """
    month = fees.month_start(month)
    if month > term.last_day or fees.month_end(month) < term.first_day:
        raise ValidationError(
            _("%(m)s 不在%(term)s内。") % {"m": f"{month:%Y年%m月}", "term": term}
        )
    policy = policy or fee_policy_for(term)
    waivers_sync_from_enrollment(term=term)
    if policy.mode == BillingMode.PREPAY:
        ctx = fees.load_context(term=term, policy=policy)
        bills = fees.compute_prepay(ctx, month)
        kind = StatementKind.PREPAY
    else:
        ctx = fees.load_context(term=term, policy=policy, first=month, last=fees.month_end(month))
        bills = fees.compute_month(ctx, month)
        kind = StatementKind.MONTHLY
    return _write_statements(term=term, month=month, kind=kind, bills=bills)


@transaction.atomic
def settlement_generate(*, term: Term, policy: FeePolicy | None = None) -> GenerationResult:
    """Term-end settlement of the prepay mode (DESIGN.md: a term is prepaid
    as 100 days; days not served are refunded): one settlement statement per
    student with a prepayment, dated on the term's last month, refunding the
    periods not served by reason; a negative total is refunded or carried to
    the next term as a credit (``FeePolicy.settlement_mode``). Idempotent
    like ``statements_generate``.

    Raises ``ValidationError`` when the term's policy is not prepay.
    """
    policy = policy or fee_policy_for(term)
    if policy.mode != BillingMode.PREPAY:
        raise ValidationError(_("只有“学期预收，期末结算”方式需要期末结算。"))
    waivers_sync_from_enrollment(term=term)
    ctx = fees.load_context(term=term, policy=policy)
    prepaid = {
        s.student_id: (s.periods, s.total)
        for s in FeeStatement.objects.filter(term=term, kind=StatementKind.PREPAY)
    }
    bills = fees.compute_settlement(ctx, prepaid)
    return _write_statements(
        term=term,
        month=fees.month_start(term.last_day),
        kind=StatementKind.SETTLEMENT,
        bills=bills,
    )


@transaction.atomic
def payment_record(
    *,
    statement: FeeStatement,
    amount: Decimal,
    method: str,
    receipt_number: str,
    by: User,
    kind: str = PaymentKind.PAYMENT,
    at: datetime.datetime | None = None,
    note: str = "",
) -> Payment:
    """Record money received for (or refunded on) ``statement``: ``amount``
    yuan > 0, ``method`` a ``PaymentMethod``, ``receipt_number`` unique in
    the school (a double-submitted form records one payment).

    A refund may not exceed what was paid on the statement net of earlier
    refunds (school policy: money goes back only to whoever paid it, so
    "已缴" never turns negative); the statement row is locked while this is
    checked so two refunds at once cannot both pass. A payment above the
    amount due is accepted: the excess is a credit (结余) to set against
    later fees or refund; the
    page says so after saving.

    Raises ``ValidationError`` (field → message) for a non-positive amount,
    a refund above the refundable amount (naming it), or a blank or already
    used receipt number.
    """
    receipt_number = receipt_number.strip()
    errors: dict[str, list[str]] = {}
    if amount is None or amount <= 0:
        errors["amount"] = [_("金额应大于 0。")]
    elif to_fen(amount) != amount:
        errors["amount"] = [_("金额最多保留两位小数（到分）。")]
    elif kind == PaymentKind.REFUND:
        FeeStatement.objects.select_for_update().filter(pk=statement.pk).first()
        refundable = selectors.statement_paid(statement)
        if amount > refundable:
            errors["amount"] = [
                _("退费金额不能超过本账单已缴金额（已扣除此前退费）：最多可退 %(max)s 元。")
                % {"max": max(refundable, ZERO)}
            ]
    if not receipt_number:
        errors["receipt_number"] = [_("请填写收据号。")]
    elif Payment.objects.filter(
        school_id=statement.school_id, receipt_number=receipt_number
    ).exists():
        errors["receipt_number"] = [
            _("收据号 %(n)s 已登记过，请勿重复登记。") % {"n": receipt_number}
        ]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            payment = Payment(
                school_id=statement.school_id,
                statement=statement,
                student_id=statement.student_id,
                kind=kind,
                amount=amount,
                method=method,
                receipt_number=receipt_number,
                recorded_by=by,
                at=at or timezone.now(),
                note=note,
            )
            audited(payment, by).save()
            return payment
    except IntegrityError:
        raise ValidationError(
            {"receipt_number": [_("收据号 %(n)s 已登记过，请勿重复登记。") % {"n": receipt_number}]}
        ) from None
