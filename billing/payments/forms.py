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
    # Carrying a credit to the next term is the term-end step's, not a form's.
    method = forms.ChoiceField(
        label=_("缴费方式"),
        choices=BLANK + [c for c in PaymentMethod.choices if c[0] != PaymentMethod.CARRIED],
    )
    receipt_number = forms.CharField(label=_("收据号"), max_length=50)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class PaymentImportForm(forms.Form):
    """The platform's or bank's results file (.xlsx or .csv)."""

    file = forms.FileField(
        label=_("缴费结果文件"),
        help_text=_("非税缴费平台或银行导出的 .xlsx 或 .csv（UTF-8 或 GB18030 编码）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        from billing.payments.platform import IMPORT_MAX_BYTES

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只能上传 .xlsx 或 .csv 文件。"))
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大，不能超过 %(mb)s MB。") % {"mb": IMPORT_MAX_BYTES // 1024 // 1024}
            )
        return upload
