"""Reading a term's fee notice (收费公示): what the public page and the A4
notice say, from the term's policy and the school's cap. No personal data."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.http import Http404
from django.utils.translation import gettext as _

from afterschool.models import Term
from afterschool.selectors import school_fee_cap
from billing.models import BillingMode, FeePublication, SettlementMode
from billing.policy.selectors import fee_policy_for
from billing.refunds.selectors import carries_credits_forward

DEFAULT_HOW_TO_PAY = (
    "通过省非税收入缴费平台或学校指定银行缴纳，缴费后开具财政电子票据；"
    "学校不通过家委会或第三方代收，不捆绑收取其他费用。"
)


@dataclass
class FeeNotice:
    """The published fee of one term: (heading, text) sections in order."""

    term: Term
    publication: FeePublication
    sections: list[tuple[str, str]]

    @property
    def title(self) -> str:
        return _("%(school)s%(term)s课后服务收费公示") % {
            "school": self.term.school.name,
            "term": self.term.name,
        }


def published_term(pk: int | str) -> Term:
    """The term ``pk`` whose fee is published, with its school and
    publication joined (one query); ``Http404`` otherwise (an unpublished
    term's notice is not public)."""
    try:
        return Term.objects.select_related("school", "fee_publication").get(
            pk=pk, fee_publication__isnull=False
        )
    except (Term.DoesNotExist, ValueError):
        raise Http404 from None


def _mode_text(policy, cap) -> str:
    rate = policy.rate_per_period
    if policy.mode == BillingMode.PREPAY:
        how = SettlementMode(policy.settlement_mode).label
        return _(
            "学期预收，期末结算：开学时按 %(days)s 天预收（每天按报名课时 × %(rate)s 元，"
            "每天不超过 %(day)s 元）；期末按实际服务课时结算，未服务的课时%(how)s。"
        ) % {"days": policy.prepay_days, "rate": rate, "day": policy.rate_per_day, "how": how}
    if policy.mode == BillingMode.MONTHLY:
        return _(
            "按月定额收费：每月 %(full)s 元；当月服务天数少于 %(t)s 天的，每月 %(reduced)s 元；"
            "每月收费不超过当月实际服务天数 × 每天 %(cap)s 元。"
        ) % {
            "full": policy.monthly_amount,
            "t": policy.monthly_threshold_days,
            "reduced": policy.monthly_reduced_amount,
            "cap": cap.per_day,
        }
    return _(
        "按实际服务课时收费：每月按当月实际服务日、每天报名的课时数 × 每课时 %(rate)s 元计算。"
    ) % {"rate": rate}


def _refund_text(policy) -> str:
    """How money goes back: the prepayment's settlement, and what happens to
    money left at term end (``billing.refunds.selectors.carries_credits_forward``)."""
    if carries_credits_forward(policy):
        end = _("学期结束时仍有结余的，按县里规定抵下学期费用，在下学期第一张账单中扣减。")
    else:
        end = _("学期结束时仍有结余的，原路退还家长。不跨学期收费。")
    if policy.mode == BillingMode.PREPAY:
        return (
            _("期末结算时，停课、请假和退出后未服务的课时按每课时 %(rate)s 元%(how)s。")
            % {
                "rate": policy.rate_per_period,
                "how": SettlementMode(policy.settlement_mode).label,
            }
            + end
        )
    return _("自愿退出的，自退出之日起不再收费；学期中多缴的费用抵后续月份费用。") + end


def fee_notice(term: Term) -> FeeNotice:
    """The notice of ``term`` (its publication loaded, e.g. by
    ``published_term``): the standard, the cap and its county document, the
    billing mode in plain words, what is not charged, the waiver rule, how to
    pay and how refunds work (seed 一.7; DESIGN.md "Fee regimes"). One query
    at most (the policy)."""
    policy = fee_policy_for(term)
    cap = school_fee_cap(term.school)
    doc = cap.document or _("县教育主管部门收费文件")
    leave = _("照常收费") if policy.charge_approved_leave else _("不收费")
    absence = _("照常收费") if policy.charge_unexcused_absence else _("不收费")
    waiver = _("家庭经济困难学生（低保、建档立卡等）经家长申请、学校审核后免收。")
    if policy.allow_partial_waiver:
        waiver += _("县里允许的，也可按月减免部分金额或按比例减免。")
    sections = [
        (
            _("收费标准"),
            _("每生每课时 %(rate)s 元，每天最多收取 %(n)s 课时（每天不超过 %(day)s 元）。")
            % {
                "rate": policy.rate_per_period,
                "n": policy.periods_per_day,
                "day": policy.rate_per_day,
            },
        ),
        (
            _("收费上限及依据"),
            _(
                "每课时不超过 %(cap)s 元，每天最多 %(n)s 课时（每天不超过 %(day)s 元）。"
                "依据：%(doc)s。"
            )
            % {"cap": cap.per_period, "n": cap.periods_per_day, "day": cap.per_day, "doc": doc},
        ),
        (_("收费方式"), _mode_text(policy, cap)),
        (
            _("不收费的情形"),
            _("法定节假日、学校暂停服务日不收费；已批准的请假%(leave)s；无故缺勤%(absence)s。")
            % {"leave": leave, "absence": absence},
        ),
        (_("减免"), waiver),
        (_("缴费方式"), term.fee_publication.how_to_pay or _(DEFAULT_HOW_TO_PAY)),
        (_("退费"), _refund_text(policy)),
        (_("自愿原则"), _("课后服务遵循学生自愿原则，家长可书面申请不参加或退出。")),
    ]
    return FeeNotice(term=term, publication=term.fee_publication, sections=sections)


def qr_svg_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG ``data:`` URI (for an ``<img>``)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)
