from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.idnumbers import normalize_mobile
from afterschool.models import MOBILE_VALIDATOR


class PickupPersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    relation = forms.CharField(
        label=_("与孩子的关系"), max_length=20, help_text=_("如：祖母、舅舅")
    )
    # Typed as a phone shows it ("+86 139-1234-5678"); kept as 11 digits.
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    photo = forms.FileField(
        label=_("照片（可选）"),
        required=False,
        help_text=_("只保存在学校服务器上，仅孩子的老师在放学时可见。JPG 或 PNG，不超过 2 MB。"),
    )

    def clean_mobile(self) -> str:
        raw = (self.cleaned_data.get("mobile") or "").strip()
        mobile = normalize_mobile(raw)
        if mobile is None:
            raise forms.ValidationError(MOBILE_VALIDATOR.message)
        return mobile
