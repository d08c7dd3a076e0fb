"""Generating statements: (re)computing a month's or the term-end
settlement's statements and writing them, idempotently, without ever
rewriting a paid one."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from afterschool.models import NoticeKind, Term
from afterschool.notices.services import notify_guardians_of_students
from billing.models import (
    BillingMode,
    FeeCredit,
    FeeLine,
    FeePolicy,
    FeeStatement,
    LineKind,
    Payment,
    StatementKind,
)
from billing.money import total
from billing.months import month_end, month_start
from billing.policy.selectors import fee_policy_for
from billing.publicity.services import fee_publication_required
from billing.statements.compute import compute_month, compute_prepay, compute_settlement
from billing.statements.context import Line, StudentBill, load_context
from billing.waivers.services import waivers_sync_from_enrollment

# Adjustment lines sort after the computed lines, in the order they were made.
ADJUSTMENT_POSITION = 1_000_000


@dataclass
class GenerationResult:
    """What a statements run did (counts of statements)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    adjusted: int = 0
    removed: int = 0
    # Students whose statement is new in this run (their guardians are told).
    new_student_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.adjusted


def _fee_lines(statement: FeeStatement, lines: list[Line], start: int = 0) -> list[FeeLine]:
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


@dataclass
class _Writes:
    """What a statements run will write, gathered before the bulk queries."""

    stale: list[int]
    new: list[tuple[FeeStatement, StudentBill]] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    to_update: list[FeeStatement] = field(default_factory=list)
    line_rows: list[FeeLine] = field(default_factory=list)
    credits: list[FeeCredit] = field(default_factory=list)
    # Credits carried onto a statement of this run (``applied_to`` set).
    carried: list[FeeCredit] = field(default_factory=list)


def _write_statements(
    *, term: Term, month: datetime.date, kind: str, bills: dict[int, StudentBill]
) -> GenerationResult:
    """Make the stored statements of (term, month, kind) match ``bills``.

    An unpaid statement whose lines changed is rewritten (its lines
    replaced); one that did not change is not touched, so a second run
    writes nothing. A paid statement is never rewritten: when its amount
    changed, an adjustment line (credit or debit) is added, so the recorded
    payment and what was paid for stay as they were, while its days and
    periods take the recomputed values (the adjustment line says how the
    days changed). Unpaid statements of students no longer billed are
    removed, unless a credit is on them. Fixed queries whatever the number
    of students: existing statements (with whether paid), their lines, and
    at most one each of remove, delete changed lines, insert statements,
    update statements, insert lines.
    """
    result = GenerationResult()
    now = timezone.now()
    existing, stored = _existing_statements(term=term, month=month, kind=kind)
    credits = _credits(term=term)
    # A statement holding a credit stays (e.g. the term-end statement of a
    # student no longer billed): removing it would drop the family's money.
    holding = {c.applied_to_id for cs in credits.by_student.values() for c in cs}
    writes = _Writes(
        stale=[
            s.pk
            for sid, s in existing.items()
            if sid not in bills and not s.paid and s.pk not in holding
        ]
    )
    for sid, bill in bills.items():
        student = bill.enrolment.student
        class_id = bill.enrolment.school_class_id
        statement = existing.get(sid)
        # Credits already carried onto the statement stay on it, paid or
        # not (else a paid one would ask for them again); new ones go only
        # onto a statement not paid yet.
        carried = _carry_credits(
            bill, statement, month, credits, take_new=statement is None or not statement.paid
        )
        if statement is None:
            statement = FeeStatement(
                school_id=term.school_id,
                term=term,
                student=student,
                school_class_id=class_id,
                month=month,
                kind=kind,
                days=bill.days,
                periods=bill.periods,
                total=bill.total,
                generated_at=now,
            )
            writes.new.append((statement, bill))
        elif statement.paid:
            _adjust_paid(statement, bill, now=now, writes=writes, result=result, credits=credits)
        elif (
            _signature(bill.lines) == stored.get(statement.pk, [])
            and (statement.days, statement.periods, statement.total)
            == (bill.days, bill.periods, bill.total)
            and statement.school_class_id == class_id
        ):
            result.unchanged += 1
        else:
            statement.days, statement.periods, statement.total = bill.days, bill.periods, bill.total
            statement.school_class_id = class_id
            statement.generated_at = now
            writes.to_update.append(statement)
            writes.changed.append(statement.pk)
            writes.line_rows.extend(_fee_lines(statement, bill.lines))
            result.updated += 1
        for credit in carried:
            credit.applied_to = statement
        writes.carried.extend(carried)
    _save(writes, result)
    return result


def _existing_statements(
    *, term: Term, month: datetime.date, kind: str
) -> tuple[dict[int, FeeStatement], dict[int, list[tuple]]]:
    """Student id → stored statement (``paid`` annotated: any payment), and
    statement id → its lines' signatures (read only when some statement is
    unpaid, the only ones that may be rewritten)."""
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
    return existing, stored


def _adjust_paid(
    statement: FeeStatement,
    bill: StudentBill,
    *,
    now: datetime.datetime,
    writes: _Writes,
    result: GenerationResult,
    credits: _Credits,
) -> None:
    """A paid statement keeps its lines and total when it now costs less:
    the difference (net of credits it already made) becomes a ``FeeCredit``
    carried to the next statement. When it costs more, an adjustment line
    asks for the rest. The days and periods take the recomputed values."""
    already = total(c.amount for c in credits.made.get(statement.pk, []))
    diff = bill.total - (statement.total - already)
    counts = (bill.days, bill.periods)
    if diff < 0:
        # Paid for more than it now costs: the statement stays as it was
        # and the difference is a credit for the next statement.
        writes.credits.append(
            FeeCredit(
                school_id=statement.school_id,
                term_id=statement.term_id,
                student_id=statement.student_id,
                source=statement,
                amount=-diff,
                reason=(
                    _("%(m)s账单已缴费，%(day)s 重新核算少收 %(a)s 元")
                    % {
                        "m": statement.month_label,
                        "day": f"{timezone.localdate(now):%Y-%m-%d}",
                        "a": -diff,
                    }
                )[:200],
            )
        )
        result.adjusted += 1
    elif diff:
        how = _("需补缴")
        if counts != (statement.days, statement.periods):
            how += _("；收费天数 %(a)s → %(b)s 天") % {"a": statement.days, "b": bill.days}
        writes.line_rows.append(
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
        writes.to_update.append(statement)


@dataclass
class _Credits:
    """The term's credits: by the statement that made them, and by student."""

    made: dict[int, list[FeeCredit]]
    by_student: dict[int, list[FeeCredit]]


def _credits(*, term: Term) -> _Credits:
    """Every credit of ``term``, with its source statement's month. One query."""
    made: dict[int, list[FeeCredit]] = defaultdict(list)
    by_student: dict[int, list[FeeCredit]] = defaultdict(list)
    for c in FeeCredit.objects.filter(term=term).select_related("source").order_by("pk"):
        made[c.source_id].append(c)
        by_student[c.student_id].append(c)
    return _Credits(made=made, by_student=by_student)


def credit_line(credit: FeeCredit) -> Line:
    """The statement line of a credit carried onto it (结余抵扣, negative)."""
    return Line(
        kind=LineKind.CREDIT,
        description=_("结余抵扣：%(reason)s") % {"reason": credit.reason},
        amount=-credit.amount,
    )


def _carry_credits(
    bill: StudentBill,
    statement: FeeStatement | None,
    month: datetime.date,
    credits: _Credits,
    *,
    take_new: bool,
) -> list[FeeCredit]:
    """Add to ``bill`` a credit line for each credit already carried onto
    ``statement`` and, when ``take_new``, each credit not yet carried from
    an earlier month (a credit of the term, or one carried forward from the
    term before, ``billing.refunds.services.credits_carry_forward``);
    returns the new ones, to be marked carried when the run saves."""
    new = []
    for credit in credits.by_student.get(bill.enrolment.student.pk, []):
        ours = statement is not None and credit.applied_to_id == statement.pk
        free = take_new and credit.applied_to_id is None and credit.source.month < month
        if not (ours or free):
            continue
        bill.lines.append(credit_line(credit))
        if free:
            new.append(credit)
    return new


def _save(writes: _Writes, result: GenerationResult) -> None:
    """The run's writes: at most one query of each kind."""
    if writes.stale:
        FeeStatement.objects.filter(pk__in=writes.stale).delete()
        result.removed = len(writes.stale)
    if writes.changed:
        FeeLine.objects.filter(statement_id__in=writes.changed).delete()
    if writes.new:
        # The audit trail's rows go in one bulk insert too.
        bulk_create_with_history([s for s, _b in writes.new], FeeStatement)
        for statement, bill in writes.new:
            writes.line_rows.extend(_fee_lines(statement, bill.lines))
        result.created = len(writes.new)
        result.new_student_ids = [s.student_id for s, _b in writes.new]
    if writes.to_update:
        bulk_update_with_history(
            writes.to_update,
            FeeStatement,
            ["days", "periods", "total", "school_class", "generated_at"],
            default_change_reason="重新核算",
        )
    if writes.line_rows:
        FeeLine.objects.bulk_create(writes.line_rows)
    if writes.credits:
        bulk_create_with_history(writes.credits, FeeCredit)
    if writes.carried:
        # The statements exist now (new ones got their ids above).
        for credit in writes.carried:
            credit.applied_to_id = credit.applied_to.pk
        bulk_update_with_history(
            writes.carried, FeeCredit, ["applied_to"], default_change_reason="抵扣"
        )


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

    Raises ``ValidationError`` for a month outside the term or a term whose
    fee is not published (收费公示, ``fee_publication_required``) and
    ``CalendarUnknownError`` for a year the calendar does not know.
    """
    month = month_start(month)
    if month > term.last_day or month_end(month) < term.first_day:
        raise ValidationError(
            _("%(m)s 不在%(term)s内。") % {"m": f"{month:%Y年%m月}", "term": term}
        )
    fee_publication_required(term)
    policy = policy or fee_policy_for(term)
    waivers_sync_from_enrollment(term=term)
    if policy.mode == BillingMode.PREPAY:
        ctx = load_context(term=term, policy=policy)
        bills = compute_prepay(ctx, month)
        kind = StatementKind.PREPAY
    else:
        ctx = load_context(term=term, policy=policy, first=month, last=month_end(month))
        bills = compute_month(ctx, month)
        kind = StatementKind.MONTHLY
    result = _write_statements(term=term, month=month, kind=kind, bills=bills)
    if result.new_student_ids:
        notify_guardians_of_students(
            school=term.school_id,
            student_ids=result.new_student_ids,
            kind=NoticeKind.STATEMENT_READY,
            title=_("%(m)s课后服务费账单已生成") % {"m": f"{month.year}年{month.month}月"},
            body=_("请查看账单明细，按学校通知的方式缴费。"),
            link=reverse("billing:family"),
            dedupe_key=f"statement:{term.pk}:{month:%Y%m}",
        )
    return result


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
    fee_publication_required(term)
    waivers_sync_from_enrollment(term=term)
    ctx = load_context(term=term, policy=policy)
    prepaid = _prepaid(term)
    bills = compute_settlement(ctx, prepaid)
    return _write_statements(
        term=term,
        month=month_start(term.last_day),
        kind=StatementKind.SETTLEMENT,
        bills=bills,
    )


def _prepaid(term: Term) -> dict[int, tuple[int, Decimal]]:
    """Student id → (periods prepaid, net yuan of the prepayment after
    waivers and the cap): its total, less the credits it made when
    recomputed lower after payment (those reach the settlement as their
    own lines), without the credits carried onto it (money of other
    statements). Two queries."""
    statements = list(FeeStatement.objects.filter(term=term, kind=StatementKind.PREPAY))
    made: dict[int, Decimal] = defaultdict(Decimal)
    applied: dict[int, Decimal] = defaultdict(Decimal)
    ids = [s.pk for s in statements]
    for c in FeeCredit.objects.filter(Q(source_id__in=ids) | Q(applied_to_id__in=ids)):
        if c.source_id in ids:
            made[c.source_id] += c.amount
        if c.applied_to_id in ids:
            applied[c.applied_to_id] += c.amount
    return {s.student_id: (s.periods, s.total - made[s.pk] + applied[s.pk]) for s in statements}
