from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PickupPersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    relation = forms.CharField(
        label=_("与孩子的关系"), max_length=20, help_text=_("如：祖母、舅舅")
    )
    mobile = forms.CharField(label=_("手机号"), max_length=11)
    photo = forms.FileField(
        label=_("照片（可选）"),
        required=False,
        help_text=_("只保存在学校服务器上，仅孩子的老师在放学时可见。JPG 或 PNG，不超过 2 MB。"),
    )
