"""The school's waiver decision form (STYLE.md §4: validates, never writes)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.pages import Crispy


class WaiverDecisionForm(Crispy, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("approve", _("同意减免")), ("decline", _("不予减免"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
