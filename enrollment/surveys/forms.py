"""Survey answer forms: validate and normalise, never write (STYLE.md §4)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.models import SurveyAnswer
from enrollment.pages import Crispy


class SurveyAnswerForm(Crispy, forms.Form):
    answer = forms.ChoiceField(
        label=_("是否参加课后服务"), choices=SurveyAnswer.choices, widget=forms.RadioSelect
    )
    wants_noon = forms.BooleanField(label=_("中午时段"), required=False)
    wants_after_school = forms.BooleanField(label=_("下午放学后时段"), required=False)
    wants_featured_day = forms.BooleanField(label=_("特色课后服务日（社团）"), required=False)


class PaperSurveyForm(SurveyAnswerForm):
    """A homeroom teacher types in a paper answer for one student of the class."""

    student = forms.ModelChoiceField(label=_("学生"), queryset=None)

    field_order = ["student", "answer", "wants_noon", "wants_after_school", "wants_featured_day"]

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
