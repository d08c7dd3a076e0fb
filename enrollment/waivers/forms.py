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
    effective_from = forms.DateField(
        label=_("减免生效日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("默认为家长提出申请的日期；此日期之前的服务照常收费。"),
    )
    # Required by the service whatever the decision; the form leaves the
    # message to it so a page and a script read the same words.
    reason = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
