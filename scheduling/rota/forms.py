"""Forms of the rota pages; services write (STYLE.md §4)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.models import School, SchoolClass, Term, User
from scheduling.calendar.forms import DATE_WIDGET, CrispyMixin
from scheduling.calendar.selectors import term_classes
from scheduling.models import ROTA_ROLES, SCHOOL_WEEKDAYS, Period, StaffUnavailability, Weekday
from scheduling.rota.selectors import staff_of


class SessionAssignForm(forms.Form):
    supervisor = forms.ModelChoiceField(
        label=_("看班教师"), queryset=User.objects.none(), required=False, empty_label=_("（自动）")
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = staff_of(school, ROTA_ROLES)


class UnavailabilityForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = StaffUnavailability
        fields = ["person", "date", "weekday", "period", "reason"]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_of(school, ROTA_ROLES)
        self.fields["period"].choices = [("", _("全天"))] + Period.choices
        self._helper()

    def clean(self):
        data = super().clean()
        if (data.get("date") is None) == (data.get("weekday") is None):
            raise forms.ValidationError(_("请填写日期或每周几（二选一）。"))
        return data


class WeeklyAssignForm(CrispyMixin, forms.Form):
    """ "This teacher, every Tuesday noon" for one class (bulk assignment)."""

    supervisor = forms.ModelChoiceField(label=_("看班教师"), queryset=User.objects.none())
    school_class = forms.ModelChoiceField(label=_("班级"), queryset=SchoolClass.objects.none())
    weekday = forms.TypedChoiceField(
        label=_("每周"), choices=[(int(d), Weekday(d).label) for d in SCHOOL_WEEKDAYS], coerce=int
    )
    period = forms.ChoiceField(label=_("课时"), choices=Period.choices)
    from_date = forms.DateField(
        label=_("从哪天起"), required=False, widget=DATE_WIDGET, help_text=_("不填为整个学期")
    )

    def __init__(self, *args, term: Term, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = staff_of(term.school, ROTA_ROLES)
        self.fields["school_class"].queryset = term_classes(term).order_by("grade", "number")
        self._helper()
