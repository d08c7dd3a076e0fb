"""Forms of the roll call, leave and dismissal pages; services write
(STYLE.md §4)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from scheduling.calendar.forms import DATE_WIDGET
from scheduling.models import AttendanceStatus, LeaveKind, LeavePeriods


class LeaveForm(forms.Form):
    """A guardian's leave request (请假). Rules are checked by
    ``services.leave_request``; the form only parses."""

    student = forms.ModelChoiceField(label=_("孩子"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(
        label=_("请假方式"),
        choices=LeaveKind.choices,
        initial=LeaveKind.DAYS,
        widget=forms.RadioSelect,
    )
    first_day = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    last_day = forms.DateField(
        label=_("结束日期"),
        widget=DATE_WIDGET,
        help_text=_("只请一天时与开始日期相同"),
    )
    periods = forms.ChoiceField(
        label=_("请假课时（按课时请假时）"),
        choices=[("", _("——")), *LeavePeriods.choices],
        required=False,
        help_text=_("中午、下午，或中午和下午；整天请假时不用选，两个课时都算请假"),
    )
    reason = forms.CharField(label=_("请假事由"), max_length=200)

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class LeaveDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("批准")), ("decline", _("不批准"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("审批意见"), max_length=200, required=False)


class RollMarkForm(forms.Form):
    """One tap on the roll: a student and their status; empty = confirm all."""

    student = forms.IntegerField(required=False)
    status = forms.ChoiceField(choices=AttendanceStatus.choices, required=False)


class DismissForm(forms.Form):
    student = forms.IntegerField()
    alone = forms.BooleanField(required=False)
    collected_by = forms.CharField(label=_("接送人"), max_length=50, required=False)
