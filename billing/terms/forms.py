"""The new-term form: the last term's values, to change before saving."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from scheduling.models import Weekday

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TermCopyForm(forms.Form):
    """Name, days, times, featured day, fee standard, which clubs and which
    weekly supervisors (``PatternSlot.key`` values)."""

    name = forms.CharField(label=_("学期名称"), max_length=50)
    first_day = forms.DateField(label=_("开始日期"), widget=DATE)
    last_day = forms.DateField(label=_("结束日期"), widget=DATE)
    participant_arrival = forms.TimeField(label=_("参加课后服务学生到校时间"), widget=TIME)
    participant_dismissal = forms.TimeField(label=_("参加课后服务学生放学时间"), widget=TIME)
    nonparticipant_arrival = forms.TimeField(label=_("不参加课后服务学生到校时间"), widget=TIME)
    nonparticipant_dismissal = forms.TimeField(label=_("不参加课后服务学生放学时间"), widget=TIME)
    featured_weekday = forms.TypedChoiceField(
        label=_("特色课后服务日"), choices=Weekday.choices[:5], coerce=int
    )
    rate_per_period = forms.DecimalField(
        label=_("每课时收费（元）"), max_digits=6, decimal_places=2, min_value=0
    )
    periods_per_day = forms.IntegerField(label=_("每天收费课时数"), min_value=1)
    clubs = forms.TypedMultipleChoiceField(
        label=_("沿用的社团（含指导教师和场地）"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # Rendered by the template as the pattern's class × weekly-slot grid.
    supervisors = forms.MultipleChoiceField(
        label=_("沿用的看班安排（每周）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args,
        club_choices: list[tuple[int, str]],
        supervisor_choices: list[tuple[str, str]] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["clubs"].choices = club_choices
        self.fields["supervisors"].choices = list(supervisor_choices)

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if isinstance(first, datetime.date) and isinstance(last, datetime.date) and last < first:
            self.add_error("last_day", _("结束日期不能早于开始日期。"))
        return data
