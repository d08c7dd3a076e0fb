"""Billing forms: validate and normalise only; the services write."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.tables import masked_student_number
from billing.models import FeePolicy, PaymentKind, PaymentMethod, Waiver, WaiverKind
from billing.services import POLICY_FIELDS

BLANK = [("", _("请选择"))]


class FeePolicyForm(forms.ModelForm):
    class Meta:
        model = FeePolicy
        fields = POLICY_FIELDS


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), choices=PaymentKind.choices, initial=PaymentKind.PAYMENT
    )
    amount = forms.DecimalField(
        label=_("金额（元）"), max_digits=10, decimal_places=2, min_value=0.01
    )
    method = forms.ChoiceField(label=_("缴费方式"), choices=BLANK + list(PaymentMethod.choices))
    receipt_number = forms.CharField(label=_("收据号"), max_length=50)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class WaiverForm(forms.ModelForm):
    student = forms.ModelChoiceField(label=_("学生"), queryset=None)

    class Meta:
        model = Waiver
        fields = ("student", "kind", "amount", "percent", "effective_from", "reason")
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        self.fields["student"].label_from_instance = lambda s: (
            f"{s.school_class.display_name} {s.name}（{masked_student_number(s)}）"
        )
        self.fields["kind"].initial = WaiverKind.FULL

    def validate_unique(self):
        # The service reports duplicates in Chinese; nothing to check here.
        pass


class WorkloadRateForm(forms.Form):
    workload_rate_per_period = forms.DecimalField(
        label=_("教师每课时补助（元）"), max_digits=6, decimal_places=2, min_value=0
    )


def parse_month(value: str | None) -> datetime.date | None:
    """``"2024-09"`` → 1 Sep 2024; None for blank or malformed input."""
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None
