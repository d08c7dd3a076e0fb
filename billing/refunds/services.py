"""Refund batches at term end (DESIGN.md "Fee regimes": days not served are
refunded in full): gathered from the statements holding money for a family,
approved by the admin, exported for the bank, marked paid."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from afterschool.audit import audited
from afterschool.models import Term, User
from billing.models import (
    FeeStatement,
    Payment,
    PaymentKind,
    PaymentMethod,
    RefundBatch,
    RefundBatchStatus,
    RefundItem,
)
from billing.money import total
from billing.payments.platform import export_cell, payment_reference
from billing.statements.selectors import with_paid


@transaction.atomic
def refund_batch_create(*, term: Term, by: User) -> RefundBatch:
    """Gather every statement of ``term`` that holds money for the family
    (paid − refunded above its total: an overpayment, a settlement refund)
    and is in no open or paid batch yet, into a batch awaiting approval.

    Raises ``ValidationError`` when there is nothing to refund."""
    in_batch = RefundItem.objects.filter(statement=OuterRef("pk"))
    statements = [
        s
        for s in with_paid(FeeStatement.objects.filter(term=term))
        .annotate(in_batch=Exists(in_batch))
        .filter(in_batch=False)
        .order_by("pk")
        if s.credit > 0
    ]
    if not statements:
        raise ValidationError(_("本学期没有需要退还的结余。"))
    batch = RefundBatch.objects.create(
        school_id=term.school_id,
        term=term,
        created_by=by,
        total=total(s.credit for s in statements),
    )
    RefundItem.objects.bulk_create(
        [
            RefundItem(batch=batch, statement=s, student_id=s.student_id, amount=s.credit)
            for s in statements
        ]
    )
    return batch


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
    bulk_create_with_history(
        [
            Payment(
                school_id=batch.school_id,
                statement_id=item.statement_id,
                student_id=item.student_id,
                kind=PaymentKind.REFUND,
                amount=item.amount,
                method=PaymentMethod.BANK,
                receipt_number=f"TF{batch.pk}-{item.pk}",
                recorded_by=by,
                at=now,
                note=str(_("期末退款批次 %(n)s") % {"n": batch.pk}),
            )
            for item in batch.items.all()
        ],
        Payment,
        default_user=by,
    )
    batch.status, batch.paid_at = RefundBatchStatus.PAID, now
    audited(batch, by).save()
    return batch
