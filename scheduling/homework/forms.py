"""The homework publication form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from scheduling.calendar.forms import CrispyMixin


class HomeworkForm(CrispyMixin, forms.Form):
    subject = forms.CharField(label=_("学科"), max_length=20)
    content = forms.CharField(
        label=_("作业内容"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_written = forms.BooleanField(label=_("书面作业"), required=False, initial=True)
    minutes = forms.IntegerField(label=_("预计用时（分钟）"), min_value=1, max_value=240)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class HomeworkDayForm(forms.Form):
    """``?class=&date=`` of the homework page."""

    date = forms.DateField(
        label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
