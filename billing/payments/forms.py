"""The payment form: validates and normalises only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import PaymentKind, PaymentMethod

BLANK = [("", _("请选择"))]


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
