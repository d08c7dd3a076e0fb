"""Money going back: credits carried to a later statement and term-end
refund batches.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.audit import audit_history
from afterschool.models import (
    School,
    Student,
    Term,
)
from billing.models.policy import ZERO
from billing.models.statements import FeeStatement


class FeeCredit(models.Model):
    """Money the school holds for a family after a paid statement was
    recomputed lower (a waiver from a date, approved leave, a lower cap):
    the paid statement stays as it was, and the credit appears as a line on
    the student's next statement of the term (``applied_to``) and reduces it.
    At term end a credit no statement took goes on the term-end statement
    (``billing.refunds.services.loose_credits_to_term_end``). A credit of a
    term whose ``source`` is a statement of the term before is that term's
    money carried forward (``credits_carry_forward``, where the policy says
    so). ``amount`` is positive yuan."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="fee_credits")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="fee_credits")
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="fee_credits", verbose_name=_("学生")
    )
    source = models.ForeignKey(
        FeeStatement,
        on_delete=models.PROTECT,
        related_name="credits_made",
        verbose_name=_("来源账单"),
    )
    applied_to = models.ForeignKey(
        FeeStatement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credits_applied",
        verbose_name=_("抵扣账单"),
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    history = audit_history(_("结余变更记录"))

    class Meta:
        verbose_name = _("结余")
        verbose_name_plural = _("结余")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="fee_credit_positive",
                violation_error_message=_("退费金额必须大于0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.amount}"


class RefundBatchStatus(models.TextChoices):
    DRAFT = "draft", _("待审批")
    APPROVED = "approved", _("已审批")
    PAID = "paid", _("已退款")


class RefundBatch(models.Model):
    """Refunds at term end (DESIGN.md "Fee regimes": days not served are
    refunded): every statement of the term holding money for the family
    (paid more than it costs), gathered for the admin to approve, export to
    the bank or platform, and mark paid — which records a refund payment on
    each statement, so the guardian sees it with the statement."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="refund_batches")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="refund_batches")
    status = models.CharField(
        _("状态"), max_length=10, choices=RefundBatchStatus.choices, default=RefundBatchStatus.DRAFT
    )
    total = models.DecimalField(_("退款合计（元）"), max_digits=12, decimal_places=2, default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("退款时间"), null=True, blank=True)

    history = audit_history(_("退款批次变更记录"))

    class Meta:
        verbose_name = _("退款批次")
        verbose_name_plural = _("退款批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.term} {self._meta.verbose_name} {self.pk}"


class RefundItem(models.Model):
    """One statement's refund in a batch (yuan, positive)."""

    batch = models.ForeignKey(RefundBatch, on_delete=models.CASCADE, related_name="items")
    statement = models.ForeignKey(
        FeeStatement, on_delete=models.PROTECT, related_name="refund_items"
    )
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(_("退款金额（元）"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("退款明细")
        verbose_name_plural = _("退款明细")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="refund_item_positive",
                violation_error_message=_("退费金额必须大于0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.amount}"
