"""The publish form: validates and normalises only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PublishForm(forms.Form):
    how_to_pay = forms.CharField(
        label=_("缴费方式说明（留空使用默认说明）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
