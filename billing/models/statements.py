"""Statements with their lines, payments against them, and the school's
fee sheet jobs.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.audit import audit_history
from afterschool.models import (
    School,
    SchoolClass,
    Student,
    Term,
)
from billing.models.policy import ZERO


class StatementKind(models.TextChoices):
    MONTHLY = "monthly", _("月度账单")
    PREPAY = "prepay", _("学期预收")
    SETTLEMENT = "settlement", _("期末结算")


class FeeStatement(models.Model):
    """One student's bill for one month (or the term's prepayment or
    settlement, dated on the month it is issued). ``total`` = sum of lines."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="fee_statements")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="fee_statements")
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="fee_statements", verbose_name=_("学生")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="fee_statements", verbose_name=_("班级")
    )
    month = models.DateField(_("月份"), help_text=_("该月1日"))
    kind = models.CharField(
        _("类型"), max_length=12, choices=StatementKind.choices, default=StatementKind.MONTHLY
    )
    days = models.PositiveSmallIntegerField(_("收费天数"), default=0)
    periods = models.PositiveIntegerField(_("收费课时数"), default=0)
    total = models.DecimalField(_("应缴金额（元）"), max_digits=10, decimal_places=2, default=ZERO)
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    history = audit_history(_("收费通知单变更记录"))

    class Meta:
        verbose_name = _("收费账单")
        verbose_name_plural = _("收费账单")
        ordering = ["month", "school_class__grade", "school_class__number", "student__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term", "month", "kind"], name="one_statement_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="statement_month_is_first_day",
                violation_error_message=_("账单月份必须是该月的第一天。"),
            ),
        ]
        indexes = [models.Index(fields=["school", "month"])]

    def __str__(self) -> str:
        return f"{self.student} {self.month:%Y年%m月} {self.get_kind_display()}"

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def balance(self) -> Decimal:
        """Owed (> 0) or credit (< 0); needs ``paid`` annotated
        (``billing.statements.selectors.with_paid``)."""
        from billing.money import to_fen

        return to_fen(self.total - self.paid)

    @property
    def owed(self) -> Decimal:
        """Yuan the family still owes the school (欠费), never negative."""
        return max(self.balance, ZERO)

    @property
    def credit(self) -> Decimal:
        """Yuan the school holds for the family (结余), shown positive."""
        return max(-self.balance, ZERO)


class LineKind(models.TextChoices):
    CHARGE = "charge", _("收费")
    HOLIDAY = "holiday", _("节假日（不收费）")
    SUSPENDED = "suspended", _("暂停服务（不收费）")
    LEAVE = "leave", _("请假")
    ABSENCE = "absence", _("缺勤")
    NOT_ENROLLED = "not_enrolled", _("未在读（不收费）")
    WAIVER = "waiver", _("减免")
    PREPAY = "prepay", _("预收")
    REFUND = "refund", _("结算退费")
    ADJUSTMENT = "adjustment", _("调整")
    CAP = "cap", _("收费上限封顶")
    CREDIT = "credit", _("结余抵扣")


class FeeLine(models.Model):
    """One line of a statement. ``amount`` = ``quantity`` × ``unit_price``
    rounded half up to the fen (negative for deductions); lines that only
    explain why a day is not charged have amount 0.00."""

    statement = models.ForeignKey(FeeStatement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("类型"), max_length=12, choices=LineKind.choices)
    date = models.DateField(_("日期"), null=True, blank=True)
    description = models.CharField(_("摘要"), max_length=200)
    quantity = models.DecimalField(_("数量"), max_digits=8, decimal_places=2, default=ZERO)
    unit_price = models.DecimalField(_("单价（元）"), max_digits=8, decimal_places=2, default=ZERO)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2, default=ZERO)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("账单明细")
        verbose_name_plural = _("账单明细")
        ordering = ["statement", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    BANK = "bank", _("银行转账")
    PLATFORM = "platform", _("非税缴费平台")
    # A term-end credit moved to the next term (a refund out of this
    # statement, a 结余抵扣 line on the next term's first statement); never
    # chosen by hand (``billing.refunds.services.credits_carry_forward``).
    CARRIED = "carried", _("结转下学期")


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("缴费")
    REFUND = "refund", _("退费")


class Payment(models.Model):
    """Money received for a statement (or refunded). ``amount`` is always
    positive; ``kind`` says which way it went. Recomputing a statement never
    touches payments. The receipt number is unique in the school, so a
    double-submitted form records one payment."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="fee_payments")
    statement = models.ForeignKey(
        FeeStatement, on_delete=models.PROTECT, related_name="payments", verbose_name=_("账单")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="fee_payments", verbose_name=_("学生")
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    method = models.CharField(_("缴费方式"), max_length=10, choices=PaymentMethod.choices)
    receipt_number = models.CharField(_("收据号"), max_length=50)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = audit_history(_("缴费记录变更记录"))

    class Meta:
        verbose_name = _("缴费记录")
        verbose_name_plural = _("缴费记录")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message=_("缴费金额必须大于0。"),
            ),
            models.UniqueConstraint(
                fields=["school", "receipt_number"], name="unique_receipt_per_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.amount}"

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind == PaymentKind.PAYMENT else -self.amount


class FeeSheetJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在生成")
    DONE = "done", _("已完成")
    FAILED = "failed", _("生成失败")


class FeeSheetJob(models.Model):
    """The school's fee sheet PDF (收费明细表, every class) rendered in the
    background (3,000 rows take ~30–60 s), like agreement printing. ``month``
    None is the whole term; progress is ``done`` of ``total`` classes; the
    finished PDF is kept in the row (pages that show the job defer it)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="fee_sheet_jobs")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="fee_sheet_jobs")
    month = models.DateField(_("月份"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=FeeSheetJobStatus.choices,
        default=FeeSheetJobStatus.QUEUED,
    )
    done = models.PositiveIntegerField(_("已完成班级数"), default=0)
    total = models.PositiveIntegerField(_("班级数"), default=0)
    pdf = models.BinaryField(_("PDF文件"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    task_id = models.CharField(_("后台任务编号"), max_length=64, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("收费明细表生成任务")
        verbose_name_plural = _("收费明细表生成任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.term} {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月" if self.month else self.term.name

    @property
    def is_finished(self) -> bool:
        return self.status in (FeeSheetJobStatus.DONE, FeeSheetJobStatus.FAILED)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
