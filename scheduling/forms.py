"""Forms validate and normalise; services write (STYLE.md §4)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.models import Room, School, User
from scheduling.models import (
    AttendanceStatus,
    CalendarDayKind,
    Club,
    LeaveKind,
    LeavePeriods,
    Period,
    StaffUnavailability,
    TermSchedule,
    Weekday,
)
from scheduling.services import CLUB_TEACHER_ROLES, ROTA_ROLES

SCHOOL_WEEKDAY_CHOICES = Weekday.choices[:5]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class _Crispy:
    def _helper(self) -> None:
        self.helper = FormHelper()
        self.helper.form_tag = False
        # Django 6.1's blank choice "- Select an option -" has no Chinese
        # translation yet; say it in Chinese here.
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label is not None:
                    field.empty_label = _("请选择")
            elif isinstance(field, forms.ChoiceField):
                choices = list(field.choices)
                if choices and choices[0][0] in ("", None) and str(choices[0][1]).startswith("-"):
                    field.choices = [("", _("请选择"))] + choices[1:]


class TermScheduleForm(_Crispy, forms.ModelForm):
    class Meta:
        model = TermSchedule
        fields = [
            "service_on_makeup_days",
            "featured_weekday",
            "featured_period",
            "noon_start",
            "noon_end",
            "after_start",
            "after_end",
        ]
        widgets = {
            "noon_start": TIME_WIDGET,
            "noon_end": TIME_WIDGET,
            "after_start": TIME_WIDGET,
            "after_end": TIME_WIDGET,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["featured_weekday"].choices = SCHOOL_WEEKDAY_CHOICES
        self._helper()


class CalendarDayForm(_Crispy, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(label=_("类型"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=_("名称（如 国庆节）"), max_length=50, required=False)
    follows_weekday = forms.TypedChoiceField(
        label=_("补班按周几课表"),
        choices=[("", "—")] + SCHOOL_WEEKDAY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class DateForm(forms.Form):
    date = forms.DateField(widget=forms.HiddenInput)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, widget=forms.HiddenInput)


class SuspendForm(_Crispy, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE_WIDGET)
    notice = forms.CharField(
        label=_("给家长的通知"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class AddDayForm(_Crispy, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE_WIDGET)
    follows_weekday = forms.TypedChoiceField(
        label=_("按周几课表"),
        choices=[("", "—")] + SCHOOL_WEEKDAY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    notice = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


def _staff(school: School, roles) -> forms.models.QuerySet:
    return User.objects.filter(school=school, role__in=roles, is_active=True).order_by("name", "pk")


class SessionAssignForm(forms.Form):
    supervisor = forms.ModelChoiceField(
        label=_("看班教师"), queryset=User.objects.none(), required=False, empty_label=_("（自动）")
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = _staff(school, ROTA_ROLES)


class UnavailabilityForm(_Crispy, forms.ModelForm):
    class Meta:
        model = StaffUnavailability
        fields = ["person", "date", "weekday", "period", "reason"]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _staff(school, ROTA_ROLES)
        self.fields["period"].choices = [("", _("全天"))] + Period.choices
        self._helper()

    def clean(self):
        data = super().clean()
        if (data.get("date") is None) == (data.get("weekday") is None):
            raise forms.ValidationError(_("请填写日期或每周几（二选一）。"))
        return data


class ClubForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Club
        fields = [
            "name",
            "category",
            "min_grade",
            "max_grade",
            "capacity",
            "teacher",
            "room",
            "weekday",
            "period",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = _staff(school, CLUB_TEACHER_ROLES)
        self.fields["room"].queryset = Room.objects.filter(school=school)
        self.fields["teacher"].label_from_instance = lambda u: f"{u}（{u.get_role_display()}）"
        self.fields["room"].label_from_instance = lambda r: (
            f"{r}（{r.get_kind_display()}，{r.capacity}人）"
        )
        self._helper()

    def _post_clean(self):
        # The service validates the whole club (room, clashes); skip the model's
        # own full_clean so unique-constraint checks do not run twice.
        pass


# ---------------------------------------------------------------- leave, roll call, dismissal


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
