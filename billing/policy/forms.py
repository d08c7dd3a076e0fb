"""The fee standard form: validates and normalises only."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from afterschool.models import School
from billing.models import FeePolicy
from billing.policy.services import POLICY_FIELDS


def _note(text) -> HTML:
    return HTML(format_html('<p class="small text-muted mb-2">{}</p>', text))


class FeePolicyForm(forms.ModelForm):
    """The fee standard, its fields grouped by the billing mode they belong
    to (each with a one-line explanation) so the admin sees which settings
    the chosen mode uses; the template renders it with ``{% crispy %}``."""

    class Meta:
        model = FeePolicy
        fields = POLICY_FIELDS

    # One declarative layout, a fieldset per billing mode: longer than ~60
    # lines, but it reads as the form it draws.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has its token
        self.helper.layout = Layout(
            Fieldset(
                _("收费标准（各种方式通用）"),
                _note(
                    _(
                        "单价和每天收费课时数不得超过县里的上限；选定一种收费方式后，只有该方式下面的设置生效。"
                    )
                ),
                "rate_per_period",
                "periods_per_day",
                "mode",
            ),
            Fieldset(
                _("方式一：按实际服务课时收费"),
                _note(
                    _(
                        "每月按实际服务日，每天报名的课时数 × 每课时收费计算；"
                        "节假日、暂停服务日不收费。本方式无其他设置。"
                    )
                ),
            ),
            Fieldset(
                _("方式二：学期预收，期末结算"),
                _note(
                    _(
                        "开学时按预收天数 × 每天课时 × 单价预收；"
                        "期末按实际服务结算，未服务的课时按下面的期末结余处理方式退还家长或抵下学期费用。"
                    )
                ),
                "prepay_days",
            ),
            Fieldset(
                _("方式三：按月定额收费（分档）"),
                _note(_("每月收取固定金额；当月服务天数少于设定天数时按减档金额收费。")),
                "monthly_amount",
                "monthly_reduced_amount",
                "monthly_threshold_days",
            ),
            Fieldset(
                _("请假、缺勤与减免（各种方式通用）"),
                _note(
                    _(
                        "按课时收费时决定这些课时是否收费；按月收费时决定是否计入服务天数；预收方式下决定期末结算是否退还。"
                    )
                ),
                "charge_approved_leave",
                "charge_unexcused_absence",
                "allow_partial_waiver",
            ),
            Fieldset(
                _("期末结余（各种方式通用）"),
                _note(
                    _(
                        "学期结束时学校仍为家长保留的钱（预收结算应退、多缴、减免后的结余）："
                        "退还家长的进入退款批次；抵下学期费用的在下学期第一张账单中扣减。"
                        "县里没有规定可以抵下学期的，应退还家长（不跨学期收费）。"
                    )
                ),
                "settlement_mode",
            ),
            Fieldset(
                _("教师补助"),
                _note(_("看班和社团课时计入教师工作量，按此标准计算补助。")),
                "workload_rate_per_period",
            ),
        )


class RateChangeForm(forms.Form):
    """A new rate per period from a date (validates and normalises only)."""

    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    rate_per_period = forms.DecimalField(
        label=_("新的每课时收费（元）"), max_digits=6, decimal_places=2, min_value=0
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the policy form on the same page has a rate_per_period too.
        kwargs.setdefault("auto_id", "id_rate_change_%s")
        super().__init__(*args, **kwargs)


class FeeDocumentForm(forms.ModelForm):
    """收费依据文件号: the county document the school's fee standard follows."""

    class Meta:
        model = School
        fields = ["fee_document"]
        help_texts = {
            "fee_document": _("县教体局或物价部门收费文件的文号，例如：某县教发【2026】12号。")
        }
