"""Writing the fee standard of a term, refused above the school's cap."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.audit import audited
from afterschool.models import FEE_CAP_PERIODS_PER_DAY, School, Term, User
from afterschool.selectors import school_fee_cap
from billing.models import BillingMode, FeePolicy, FeeRateChange, FeeStatement
from billing.months import month_start

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
    (``afterschool.selectors.school_fee_cap``; seed 一.7: 每生每课时不超过2.3元,
    每天最多收取两课时). Each message names the cap and the county document
    it comes from. Empty when within the cap."""
    errors: dict[str, list[str]] = {}
    cap = school_fee_cap(school)
    doc = _document(school)
    if rate_per_period > cap.per_period:
        errors["rate_per_period"] = [
            _("每课时收费不得超过 %(cap)s 元%(doc)s。") % {"cap": cap.per_period, "doc": doc}
        ]
    if periods_per_day > cap.periods_per_day:
        errors["periods_per_day"] = [
            _("每天收费课时数不得超过 %(cap)s 课时%(doc)s。")
            % {"cap": cap.periods_per_day, "doc": doc}
        ]
    day_total = rate_per_period * periods_per_day
    if not errors and day_total > cap.per_day:
        errors["periods_per_day"] = [
            _("每天收费不得超过 %(cap)s 元%(doc)s。") % {"cap": cap.per_day, "doc": doc}
        ]
    return errors


# A typical month of service: about 21 school days (September 2024 has 21).
TYPICAL_MONTH_DAYS = 21


def fee_cap_warnings(policy: FeePolicy) -> list[str]:
    """Warnings (not refusals) for a monthly flat policy whose amounts exceed
    what the cap allows in a typical month (``TYPICAL_MONTH_DAYS`` × the day
    cap, e.g. 21 × 4.60 = 96.60 yuan) or, for the reduced tier, in the
    largest month below its day threshold; statements are capped to the days
    served anyway (``billing.statements.compute.cap_line``). Empty otherwise."""
    if policy.mode != BillingMode.MONTHLY:
        return []
    cap = school_fee_cap(policy.school)
    warnings = []
    typical = cap.per_day * TYPICAL_MONTH_DAYS
    if policy.monthly_amount > typical:
        warnings.append(
            _(
                "每月固定收费 %(amount)s 元，高于按收费上限一个月（按 %(days)s 个服务日计）"
                "最多可收的 %(max)s 元。账单将按实际服务天数封顶。"
            )
            % {"amount": policy.monthly_amount, "days": TYPICAL_MONTH_DAYS, "max": typical}
        )
    short_days = max(policy.monthly_threshold_days - 1, 0)
    short = cap.per_day * short_days
    if policy.monthly_reduced_amount > short:
        warnings.append(
            _(
                "服务天数不足时每月收费 %(amount)s 元，高于按收费上限服务 %(days)s 天"
                "最多可收的 %(max)s 元。账单将按实际服务天数封顶。"
            )
            % {"amount": policy.monthly_reduced_amount, "days": short_days, "max": short}
        )
    return warnings


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


@transaction.atomic
def fee_rate_change(
    *, term: Term, effective_from: datetime.date, rate_per_period: Decimal, by: User | None
) -> FeeRateChange:
    """Change ``term``'s rate per period (yuan) from ``effective_from``
    (DESIGN.md "Fee regimes": the rate is a setting): days from that date
    are billed at the new rate, earlier days at the rate in force then;
    charge lines carry the rate they used (``FeeLine.unit_price``).

    Raises ``ValidationError`` (field → message) for a rate above the
    school's cap (naming it and its document), a date outside the term, a
    date inside a month already billed (those months keep their rate), the
    prepay mode (the term's prepayment fixed the rate), or a second change
    on the same day."""
    policy = FeePolicy.objects.select_for_update().filter(term=term).first()
    periods = policy.periods_per_day if policy else FEE_CAP_PERIODS_PER_DAY
    errors = fee_cap_errors(
        school=term.school, rate_per_period=rate_per_period, periods_per_day=periods
    )
    errors = {"rate_per_period": sum(errors.values(), [])} if errors else {}
    if not term.contains(effective_from):
        errors["effective_from"] = [_("生效日期应在本学期内。")]
    elif FeeStatement.objects.filter(term=term, month__gte=month_start(effective_from)).exists():
        errors["effective_from"] = [
            _("%(m)s及以后的账单已生成：已出账的月份保持原单价，请选择之后月份的日期。")
            % {"m": f"{effective_from:%Y年%m月}"}
        ]
    if policy is not None and policy.mode == BillingMode.PREPAY:
        errors["effective_from"] = [_("学期预收方式已按学期单价预收，学期中不能调整单价。")]
    if FeeRateChange.objects.filter(term=term, effective_from=effective_from).exists():
        errors.setdefault("effective_from", [_("这一天已有单价调整。")])
    if errors:
        raise ValidationError(errors)
    change = FeeRateChange(
        term=term,
        school_id=term.school_id,
        effective_from=effective_from,
        rate_per_period=rate_per_period,
        created_by=by,
    )
    audited(change, by).save()
    return change


@transaction.atomic
def fee_document_set(*, school: School, document: str, by: User) -> School:
    """Record the county document the school's fee comes from (收费依据文件号,
    e.g. 某县教发【2026】12号), shown with the cap on every fee page, the fee
    publicity notice and the county's figures.

    Raises ``ValidationError`` when ``by`` is not the school's admin or the
    number is blank (the seed's placeholder X号 is what it replaces).
    """
    from afterschool.access import is_admin_of

    if not is_admin_of(by, school.pk):
        raise ValidationError(_("只有学校管理员可以填写收费依据文件号。"))
    document = " ".join((document or "").split())
    if not document:
        raise ValidationError({"fee_document": [_("请填写县里收费文件的文号。")]})
    school = School.objects.select_for_update().get(pk=school.pk)
    school.fee_document = document
    audited(school, by).save(update_fields=["fee_document"])
    return school
