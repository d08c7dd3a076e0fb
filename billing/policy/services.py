"""Writing the fee standard of a term, refused above the school's cap."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.audit import audited
from afterschool.models import School, Term, User
from afterschool.selectors import school_fee_cap
from billing.models import BillingMode, FeePolicy

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
                "每月收费 %(amount)s 元高于收费上限下一个月（按 %(days)s 天计）"
                "最多可收的 %(max)s 元：账单将按实际服务天数封顶。"
            )
            % {"amount": policy.monthly_amount, "days": TYPICAL_MONTH_DAYS, "max": typical}
        )
    short_days = max(policy.monthly_threshold_days - 1, 0)
    short = cap.per_day * short_days
    if policy.monthly_reduced_amount > short:
        warnings.append(
            _(
                "减档金额 %(amount)s 元高于服务 %(days)s 天最多可收的 %(max)s 元："
                "账单将按实际服务天数封顶。"
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
