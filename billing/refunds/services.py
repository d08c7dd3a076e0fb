"""Money left at term end (DESIGN.md "Fee regimes": days not served are
refunded in full; nothing is collected across terms unless the county's
notice says so): refund batches gathered from the statements holding money
for a family, approved by the admin, exported for the bank, marked paid; or,
where the policy says so, the same money carried to the next term."""

from __future__ import annotations

import io
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from afterschool.audit import audited
from afterschool.models import School, Term, User
from billing.models import (
    FeeCredit,
    FeeLine,
    FeeStatement,
    Payment,
    PaymentKind,
    PaymentMethod,
    RefundBatch,
    RefundBatchStatus,
    RefundItem,
    StatementKind,
)
from billing.money import total
from billing.months import month_start
from billing.payments.platform import export_cell, payment_reference
from billing.policy.selectors import fee_policy_for
from billing.refunds.selectors import (
    carries_credits_forward,
    credits_held,
    leaving_student_ids,
    next_term_of,
)
from billing.statements.services import credit_line


def loose_credits_to_term_end(term: Term, *, by: User | None = None) -> int:
    """Put every credit of ``term`` that no statement took (``FeeCredit``
    without ``applied_to``: a paid month recomputed lower with no later
    statement to reduce, a credit carried in that no statement took) on the
    student's term-end statement (期末结算, dated on the term's last month)
    as a 结余抵扣 line, creating that statement (no days, no periods) where
    the term has none (per-period and monthly terms). The money then shows
    on a statement, where a refund batch or the carry to the next term
    takes it from (``billing.refunds.selectors.credits_held``). Returns how
    many credits were placed. One query when there are none; fixed queries
    otherwise."""
    loose = list(
        FeeCredit.objects.filter(term=term, applied_to__isnull=True)
        .select_related("source")
        .order_by("student_id", "pk")
    )
    if not loose:
        return 0
    month = month_start(term.last_day)
    ends = {
        s.student_id: s
        for s in FeeStatement.objects.filter(term=term, month=month, kind=StatementKind.SETTLEMENT)
    }
    last_position = dict(
        FeeLine.objects.filter(statement__in=list(ends.values()))
        .values("statement_id")
        .annotate(p=Max("position"))
        .order_by()
        .values_list("statement_id", "p")
    )
    now = timezone.now()
    new, changed, lines = [], [], []
    placed: dict[int, list[FeeCredit]] = defaultdict(list)
    for credit in loose:
        placed[credit.student_id].append(credit)
    for student_id, credits in placed.items():
        statement = ends.get(student_id)
        if statement is None:
            statement = FeeStatement(
                school_id=term.school_id,
                term=term,
                student_id=student_id,
                school_class_id=credits[0].source.school_class_id,
                month=month,
                kind=StatementKind.SETTLEMENT,
                generated_at=now,
            )
            new.append(statement)
        else:
            changed.append(statement)
        start = last_position.get(statement.pk, -1) + 1
        for i, credit in enumerate(credits):
            line = credit_line(credit)
            lines.append((statement, line, start + i))
            statement.total += line.amount
            credit.applied_to = statement
    if new:
        bulk_create_with_history(
            new, FeeStatement, default_user=by, default_change_reason="期末结余"
        )
    if changed:
        bulk_update_with_history(
            changed, FeeStatement, ["total"], default_user=by, default_change_reason="期末结余"
        )
    FeeLine.objects.bulk_create(
        [
            FeeLine(
                statement_id=statement.pk,
                kind=line.kind,
                description=line.description[:200],
                amount=line.amount,
                position=position,
            )
            for statement, line, position in lines
        ]
    )
    for credit in loose:
        credit.applied_to_id = credit.applied_to.pk
    bulk_update_with_history(
        loose, FeeCredit, ["applied_to"], default_user=by, default_change_reason="期末结余"
    )
    return len(loose)


def _require_term_over(term: Term) -> None:
    # Until its last day a term can still be billed and paid: what it holds
    # for a family is known only after it (seed: 学期末结算).
    if timezone.localdate() <= term.last_day:
        raise ValidationError(
            _("本学期%(last)s结束，之后才能办理期末退款或结转：在此之前还可能出账或缴费。")
            % {"last": f"{term.last_day.year}年{term.last_day.month}月{term.last_day.day}日"}
        )


def _lock_school(term: Term) -> None:
    # One term-end step at a time per school: a double click gathers once.
    School.objects.select_for_update().get(pk=term.school_id)


@transaction.atomic
def refund_batch_create(*, term: Term, by: User) -> RefundBatch:
    """Gather the money ``term`` holds for families at its end — an
    overpayment, a settlement's refund, a credit no later statement took
    (placed first on the term-end statement, ``loose_credits_to_term_end``)
    — into a batch awaiting approval, capped per family at what the term
    owes it overall and less what an unpaid batch already takes
    (``billing.refunds.selectors.credits_held``).

    Raises ``ValidationError`` before the term's last day is over, when the
    term's policy carries money left at term end to the next term
    (``carries_credits_forward``: then ``credits_carry_forward``) or there
    is nothing to refund. Under that policy the batch takes only the
    families leaving the school (``leaving_student_ids``: 转学, 离校, 毕业),
    whose money has no next term to go to."""
    _require_term_over(term)
    carries = carries_credits_forward(fee_policy_for(term))
    _lock_school(term)
    loose_credits_to_term_end(term, by=by)
    held = credits_held(term)
    if carries:
        # 抵下学期费用 carries money forward, except for families leaving
        # (转学, 离校, 毕业): theirs is refunded.
        leaving = leaving_student_ids(term, {h.statement.student_id for h in held})
        held = [h for h in held if h.statement.student_id in leaving]
        if not held:
            raise ValidationError(
                _("本学期收费标准规定期末结余抵下学期费用，不退款：请将结余结转到下学期。")
            )
    if not held:
        raise ValidationError(_("本学期没有需要退还的结余。"))
    batch = RefundBatch.objects.create(
        school_id=term.school_id,
        term=term,
        created_by=by,
        total=total(h.amount for h in held),
    )
    RefundItem.objects.bulk_create(
        [
            RefundItem(
                batch=batch,
                statement=h.statement,
                student_id=h.statement.student_id,
                amount=h.amount,
            )
            for h in held
        ]
    )
    return batch


@transaction.atomic
def credits_carry_forward(*, term: Term, by: User) -> list[FeeCredit]:
    """Carry the money ``term`` holds for families at its end to the next
    term, where the policy says so (抵下学期费用, ``carries_credits_forward``;
    DESIGN.md "Fee regimes": stoppage days credited against the next term).
    Credits no statement took are first placed on the term-end statement
    (``loose_credits_to_term_end``); then for each statement holding money
    (``credits_held``: capped per family at what the term owes it) a
    carry-out is recorded on it (a refund by 结转下学期, receipt ``JZ<n>``,
    so its balance is settled and the guardian sees where the money went)
    and a credit of the next term is made, which its first statement of the
    student not yet paid takes as a 结余抵扣 line
    (``billing.statements.services.statements_generate``). Returns the new
    credits.

    Raises ``ValidationError`` before the term's last day is over, when the
    policy refunds instead, the next term is not set up yet, or nothing is
    left to carry (a second press carries nothing). Families leaving the
    school (``leaving_student_ids``) are not carried: their money goes into a
    refund batch (``refund_batch_create``)."""
    _require_term_over(term)
    if not carries_credits_forward(fee_policy_for(term)):
        raise ValidationError(
            _("本学期收费标准规定期末结余退还家长，不结转到下学期：请汇总退款批次。")
        )
    following = next_term_of(term)
    if following is None:
        raise ValidationError(_("下学期尚未建立：建立下学期后才能结转结余。"))
    _lock_school(term)
    loose_credits_to_term_end(term, by=by)
    held = credits_held(term)
    # A family leaving the school has no next term to take it: refunded
    # instead (refund_batch_create).
    leaving = leaving_student_ids(term, {h.statement.student_id for h in held})
    held = [h for h in held if h.statement.student_id not in leaving]
    if not held:
        raise ValidationError(_("本学期没有需要结转的结余。"))
    credits = bulk_create_with_history(
        [
            FeeCredit(
                school_id=term.school_id,
                term=following,
                student_id=h.statement.student_id,
                source=h.statement,
                amount=h.amount,
                reason=(_("%(term)s期末结余结转") % {"term": term.name})[:200],
            )
            for h in held
        ],
        FeeCredit,
        default_user=by,
    )
    note = (_("结转至%(term)s，在下学期第一张账单中抵扣") % {"term": following.name})[:200]
    _record_refunds(
        [(c.source_id, c.student_id, c.amount, f"JZ{c.pk}", note) for c in credits],
        school_id=term.school_id,
        method=PaymentMethod.CARRIED,
        by=by,
        at=timezone.now(),
    )
    return credits


def _record_refunds(rows, *, school_id: int, method: str, by: User, at) -> None:
    """Refund payments, one per ``rows`` item (statement id, student id,
    amount in yuan, receipt number, note), each with its history row. One
    bulk insert (two with the history)."""
    bulk_create_with_history(
        [
            Payment(
                school_id=school_id,
                statement_id=statement_id,
                student_id=student_id,
                kind=PaymentKind.REFUND,
                amount=amount,
                method=method,
                receipt_number=receipt,
                recorded_by=by,
                at=at,
                note=note,
            )
            for statement_id, student_id, amount, receipt, note in rows
        ],
        Payment,
        default_user=by,
    )


@transaction.atomic
def refund_batch_approve(*, batch: RefundBatch, by: User) -> RefundBatch:
    """Approve a batch awaiting approval. Raises ``ValidationError`` for any
    other state."""
    batch = RefundBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != RefundBatchStatus.DRAFT:
        raise ValidationError(_("只有待审批的退款批次可以审批。"))
    batch.status, batch.approved_by, batch.approved_at = (
        RefundBatchStatus.APPROVED,
        by,
        timezone.now(),
    )
    audited(batch, by).save()
    return batch


def refund_batch_xlsx(*, batch: RefundBatch) -> bytes:
    """The approved batch as a worksheet for the bank (student, class,
    payment reference, amount), and the export time recorded. Raises
    ``ValidationError`` before approval."""
    from openpyxl import Workbook

    if batch.status == RefundBatchStatus.DRAFT:
        raise ValidationError(_("退款批次审批后才能导出。"))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("退款清单"))
    ws.append(
        [
            export_cell(h)
            for h in (_("序号"), _("缴费编号"), _("学生姓名"), _("班级"), _("退款金额（元）"))
        ]
    )
    items = batch.items.select_related("statement__school_class", "student").order_by("pk")
    for i, item in enumerate(items, 1):
        ws.append(
            [
                i,
                export_cell(payment_reference(item.statement)),
                export_cell(item.student.name),
                export_cell(item.statement.school_class.display_name),
                item.amount,
            ]
        )
    ws.append(["", "", "", export_cell(_("合计")), batch.total])
    out = io.BytesIO()
    wb.save(out)
    RefundBatch.objects.filter(pk=batch.pk).update(exported_at=timezone.now())
    return out.getvalue()


@transaction.atomic
def refund_batch_mark_paid(*, batch: RefundBatch, by: User) -> RefundBatch:
    """The bank paid an approved batch: a refund payment (by bank, receipt
    ``TF<batch>-<item>``) is recorded on each statement, so the guardian
    sees it. Raises ``ValidationError`` unless the batch is approved (a
    second press records nothing)."""
    batch = RefundBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != RefundBatchStatus.APPROVED:
        raise ValidationError(_("只有已审批的退款批次可以标记为已退款。"))
    now = timezone.now()
    note = str(_("期末退款批次 %(n)s") % {"n": batch.pk})
    _record_refunds(
        [
            (item.statement_id, item.student_id, item.amount, f"TF{batch.pk}-{item.pk}", note)
            for item in batch.items.all()
        ],
        school_id=batch.school_id,
        method=PaymentMethod.BANK,
        by=by,
        at=now,
    )
    batch.status, batch.paid_at = RefundBatchStatus.PAID, now
    audited(batch, by).save()
    return batch
