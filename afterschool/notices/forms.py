"""Forms of the notices pages: announcement, channel choices."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.models import GRADE_NAMES, AnnouncementAudience, SchoolClass


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(
        label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    audience = forms.ChoiceField(
        label=_("发送范围"),
        choices=AnnouncementAudience.choices,
        initial=AnnouncementAudience.SCHOOL,
    )
    # The school's own grades (``grades`` below): a primary school is not
    # offered 七至九年级.
    grade = forms.TypedChoiceField(
        label=_("年级"),
        choices=[("", "—")] + list(GRADE_NAMES.items()),
        coerce=int,
        required=False,
        empty_value=None,
    )
    school_class = forms.ModelChoiceField(
        label=_("班级"), queryset=SchoolClass.objects.none(), required=False
    )

    def __init__(self, *args, classes=None, grades: list[int] | None = None, **kwargs):
        """``classes``: the classes offered; ``grades``: the grades offered
        (``afterschool.selectors.school_grades``), all nine when ``None``."""
        super().__init__(*args, **kwargs)
        if classes is not None:
            self.fields["school_class"].queryset = classes
        if grades is not None:
            self.fields["grade"].choices = [("", "—")] + [(g, GRADE_NAMES[g]) for g in grades]

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience == AnnouncementAudience.GRADE and not data.get("grade"):
            self.add_error("grade", _("请选择年级。"))
        if audience == AnnouncementAudience.CLASS and not data.get("school_class"):
            self.add_error("school_class", _("请选择班级。"))
        return data


class PreferenceForm(forms.Form):
    sms = forms.BooleanField(label=_("短信"), required=False)
    wecom = forms.BooleanField(label=_("企业微信家校通知"), required=False)
