"""The fee policy of a term under the county's cap, its rate changes from a
date, its publication (收费公示), and waivers.
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
                condition=Q(rate_per_period__gte=0),
                name="fee_rate_not_negative",
                violation_error_message=_("每课时收费不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(mode__in=BillingMode.values),
                name="fee_policy_mode_valid",
                violation_error_message=_("请选择有效的收费方式。"),
            ),
            models.CheckConstraint(
                condition=Q(monthly_reduced_amount__lte=models.F("monthly_amount")),
                name="fee_policy_reduced_not_above_full",
                violation_error_message=_("服务天数不足时的每月收费不能高于每月收费。"),
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
                violation_error_message=_("请填写减免金额（大于0）或减免比例（1至100）。"),
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
                condition=Q(rate_per_period__gte=0),
                name="rate_change_not_negative",
                violation_error_message=_("每课时收费不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.effective_from:%Y-%m-%d} {self.rate_per_period}"
