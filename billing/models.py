"""Billing: fee policy under the county's cap, waivers, statements, payments.

Shape of the data (DESIGN.md "sessions attended or enrolled − leave − waivers
─► fee statements ─► payments ─► fee sheets"):

- ``FeePolicy`` (one per Term): the rate per period and billed periods per
  day (each under the school's cap, ``School.fee_cap_*`` with
  ``School.fee_document``), the billing mode and its settings, which absences
  are charged, whether partial waivers are allowed, and the per-period
  workload subsidy for teachers.
- ``Waiver``: 免收 (full) or a partial reduction (yuan per month, or a
  percentage) of one student's fee in a term from a date. A full waiver is
  created from enrollment's approved ``WaiverRequest``.
- ``FeeStatement`` + ``FeeLine``: one statement per student per month (or
  the term's prepayment / settlement), itemised to the day: each charged
  service day with its periods, each day not charged with its reason, each
  waiver or adjustment. ``total`` is always the sum of the lines.
- ``Payment``: money received (or refunded) against a statement; never
  touched by a recompute.

Money is ``Decimal`` yuan with two places. THE rounding rule: an amount is
rounded to the fen once, on its line, half up (``ROUND_HALF_UP``: 0.005 →
0.01); totals are sums of rounded lines and are never rounded again
(``billing.money.line_amount``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.audit import audit_history
from afterschool.models import (
    FEE_CAP_PER_PERIOD,
    FEE_CAP_PERIODS_PER_DAY,
    School,
    SchoolClass,
    Student,
    Term,
)

ZERO = Decimal("0.00")


class BillingMode(models.TextChoices):
    PER_PERIOD = "per_period", _("按实际服务课时收费")
    PREPAY = "prepay", _("学期预收，期末结算")
    MONTHLY = "monthly", _("按月定额收费（分档）")


class SettlementMode(models.TextChoices):
    """What happens to money the school still holds for a family when the
    term ends (a prepayment's settlement refund, an overpayment, a credit no
    later statement took): refunded through a refund batch, or carried to
    the next term's first statement (DESIGN.md "Fee regimes": nothing is
    collected across terms unless the county's notice says so)."""

    REFUND = "refund", _("退还家长")
    CREDIT = "credit", _("抵下学期费用")


class FeePolicy(models.Model):
    """The fee standard of one term (seed 一.7; DESIGN.md "Fee regimes").

    The rate and the billed periods per day must stay under the school's cap;
    ``billing.policy.services.fee_policy_save`` refuses anything above it,
    naming the cap and its document.
    """

    term = models.OneToOneField(
        Term, on_delete=models.CASCADE, related_name="fee_policy", verbose_name=_("学期")
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="fee_policies")
    rate_per_period = models.DecimalField(
        _("每课时收费（元）"),
        max_digits=6,
        decimal_places=2,
        default=FEE_CAP_PER_PERIOD,
        validators=[MinValueValidator(ZERO)],
    )
    periods_per_day = models.PositiveSmallIntegerField(
        _("每天收费课时数"), default=FEE_CAP_PERIODS_PER_DAY, validators=[MinValueValidator(1)]
    )
    mode = models.CharField(
        _("收费方式"), max_length=20, choices=BillingMode.choices, default=BillingMode.PER_PERIOD
    )
    # Which absences are charged (default: approved leave not charged,
    # unexcused absence charged). Suspended days have no service and are
    # never charged.
    charge_approved_leave = models.BooleanField(_("请假（已批准）照常收费"), default=False)
    charge_unexcused_absence = models.BooleanField(_("无故缺勤照常收费"), default=True)
    # Semester prepay with settlement.
    prepay_days = models.PositiveSmallIntegerField(
        _("预收天数"), default=100, validators=[MinValueValidator(1)]
    )
    settlement_mode = models.CharField(
        _("期末结余处理方式"),
        max_length=10,
        choices=SettlementMode.choices,
        default=SettlementMode.REFUND,
    )
    # Monthly flat with tiers.
    monthly_amount = models.DecimalField(
        _("每月收费（元）"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("150.00"),
        validators=[MinValueValidator(ZERO)],
    )
    monthly_reduced_amount = models.DecimalField(
        _("服务天数不足时每月收费（元）"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("75.00"),
        validators=[MinValueValidator(ZERO)],
    )
    monthly_threshold_days = models.PositiveSmallIntegerField(
        _("当月服务天数少于（天）按减档收费"), default=10
    )
    allow_partial_waiver = models.BooleanField(_("县里允许部分减免"), default=False)
    workload_rate_per_period = models.DecimalField(
        _("教师每课时补助（元）"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(ZERO)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    history = audit_history(_("收费标准变更记录"))

    class Meta:
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_per_period__gte=0), name="fee_rate_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=BillingMode.values), name="fee_policy_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(monthly_reduced_amount__lte=models.F("monthly_amount")),
                name="fee_policy_reduced_not_above_full",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self._meta.verbose_name}"

    @property
    def rate_per_day(self) -> Decimal:
        """Yuan for a full day (2.30 × 2 = 4.60)."""
        return self.rate_per_period * self.periods_per_day


class WaiverKind(models.TextChoices):
    FULL = "full", _("全额免收")
    AMOUNT = "amount", _("每月减免金额")
    PERCENT = "percent", _("按比例减免")


class Waiver(models.Model):
    """A fee waiver of one student in one term, from ``effective_from``.

    ``request`` links a full waiver to the approved enrollment request it
    came from (seed 一.7: 对家庭困难子女免收). A partial waiver (amount per
    month, or a percentage) needs ``FeePolicy.allow_partial_waiver``.
    """

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="fee_waivers", verbose_name=_("学生")
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="fee_waivers")
    kind = models.CharField(_("减免方式"), max_length=10, choices=WaiverKind.choices)
    amount = models.DecimalField(
        _("每月减免金额（元）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    percent = models.DecimalField(
        _("减免比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    effective_from = models.DateField(_("生效日期"))
    reason = models.CharField(_("减免理由"), max_length=200, blank=True)
    request = models.OneToOneField(
        "enrollment.WaiverRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fee_waiver",
        verbose_name=_("减免申请"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("费用减免")
        verbose_name_plural = _("费用减免")
        ordering = ["effective_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=WaiverKind.FULL)
                | Q(kind=WaiverKind.AMOUNT, amount__gt=0)
                | Q(kind=WaiverKind.PERCENT, percent__gt=0, percent__lte=100),
                name="waiver_kind_has_value",
            ),
            models.UniqueConstraint(
                fields=["student", "term", "effective_from", "kind"], name="unique_waiver_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.get_kind_display()} {self.effective_from:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == WaiverKind.PERCENT:
            return f"{self.get_kind_display()} {self.percent.normalize():f}%"
        if self.kind == WaiverKind.AMOUNT:
            return f"{self.get_kind_display()} {self.amount} 元"
        return str(self.get_kind_display())


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
            models.CheckConstraint(condition=Q(month__day=1), name="statement_month_is_first_day"),
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
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["school", "receipt_number"], name="unique_receipt_per_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.amount}"

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind == PaymentKind.PAYMENT else -self.amount


class FeePublication(models.Model):
    """The term's fee published to families (收费公示) before anything is
    collected (教基厅函〔2023〕26号; DESIGN.md "National rules"): statements
    cannot be issued for a term without one. The public notice is read from
    the term's ``FeePolicy`` and the school's cap; ``how_to_pay`` is the
    school's own words on the payment channel."""

    term = models.OneToOneField(
        Term, on_delete=models.CASCADE, related_name="fee_publication", verbose_name=_("学期")
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="fee_publications")
    how_to_pay = models.CharField(_("缴费方式说明"), max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("公示时间"), default=timezone.now)

    history = audit_history(_("收费公示变更记录"))

    class Meta:
        verbose_name = _("收费公示")
        verbose_name_plural = _("收费公示")

    def __str__(self) -> str:
        return f"{self.term} {self._meta.verbose_name}"


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
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_credit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.amount}"


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


class FeeRateChange(models.Model):
    """A new rate per period of a term from ``effective_from`` (a county
    notice or the school's decision mid-term): days before it are billed at
    the earlier rate, so months already billed keep theirs
    (``billing.policy.services.fee_rate_change`` refuses a date inside a
    billed month)."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="fee_rate_changes")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    effective_from = models.DateField(_("生效日期"))
    rate_per_period = models.DecimalField(
        _("每课时收费（元）"), max_digits=6, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    history = audit_history(_("单价调整变更记录"))

    class Meta:
        verbose_name = _("单价调整")
        verbose_name_plural = _("单价调整")
        ordering = ["effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "effective_from"], name="one_rate_change_a_day"
            ),
            models.CheckConstraint(
                condition=Q(rate_per_period__gte=0), name="rate_change_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.effective_from:%Y-%m-%d} {self.rate_per_period}"


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
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_item_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.amount}"
