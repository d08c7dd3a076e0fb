"""Agreement forms: signing and the template editor (STYLE.md §4)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.pages import Crispy


class AgreementSignForm(Crispy, forms.Form):
    signed_name = forms.CharField(
        label=_("请输入您的完整姓名作为签名"), max_length=50, widget=forms.TextInput()
    )
    consent = forms.BooleanField(label=_("我已认真阅读并同意本协议的全部内容"), required=False)


class AgreementTemplateForm(Crispy, forms.Form):
    body = forms.CharField(
        label=_("协议正文模板"),
        widget=forms.Textarea(attrs={"rows": 30, "class": "font-monospace"}),
    )
