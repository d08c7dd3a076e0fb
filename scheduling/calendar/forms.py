"""Forms of the calendar pages, and the pieces every scheduling form uses
(the crispy helper, date and time widgets). Forms validate and normalise;
services write (STYLE.md §4)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scheduling.models import CalendarDayKind, TermSchedule, Weekday

SCHOOL_WEEKDAY_CHOICES = Weekday.choices[:5]


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CrispyMixin:
    """Gives a form a crispy ``helper`` (no ``<form>`` tag) and Chinese blank
    choices; call ``self._helper()`` at the end of ``__init__``."""

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


class TermScheduleForm(CrispyMixin, forms.ModelForm):
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
            "work_day_end",
        ]
        widgets = {
            "work_day_end": TIME_WIDGET,
            "noon_start": TIME_WIDGET,
            "noon_end": TIME_WIDGET,
            "after_start": TIME_WIDGET,
            "after_end": TIME_WIDGET,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["featured_weekday"].choices = SCHOOL_WEEKDAY_CHOICES
        self._helper()

    def clean(self):
        """Says next to the field which period is out of order, the same rules
        ``term_schedule_save`` enforces; a field with an error is left out of
        the model's constraint checks, so no constraint's own text shows."""
        data = super().clean()
        noon_start, noon_end = data.get("noon_start"), data.get("noon_end")
        after_start, after_end = data.get("after_start"), data.get("after_end")
        if noon_start and noon_end and noon_end <= noon_start:
            self.add_error("noon_end", _("中午结束时间必须晚于开始时间。"))
        if after_start and after_end and after_end <= after_start:
            self.add_error("after_end", _("下午结束时间必须晚于开始时间。"))
        # noon_end has left ``data`` if it was out of order above.
        noon_end = data.get("noon_end")
        if noon_end and after_start and after_start < noon_end:
            self.add_error("after_start", _("下午课时必须在中午课时结束之后开始。"))
        return data


class CalendarDayForm(CrispyMixin, forms.Form):
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


class SuspendForm(CrispyMixin, forms.Form):
    date = forms.DateField(
        label=_("日期"), widget=DATE_WIDGET, help_text=_("只能暂停今天及以后的服务日。")
    )
    notice = forms.CharField(
        label=_("给家长的通知"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's date picker starts at today; the service refuses
        # earlier dates whatever is posted (``service_suspend``).
        self.fields["date"].widget.attrs["min"] = timezone.localdate().isoformat()
        self._helper()


class AddDayForm(CrispyMixin, forms.Form):
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
