"""Forms of the notices pages: announcement, channel choices, a guardian's
WeCom parent userid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.models import (
    GRADE_NAMES,
    WECOM_PARENT_USERID_VALIDATOR,
    AnnouncementAudience,
    SchoolClass,
)


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

    def __init__(
        self,
        *args,
        classes=None,
        grades: list[int] | None = None,
        class_only: bool = False,
        **kwargs,
    ):
        """``classes``: the classes offered; ``grades``: the grades offered
        (``afterschool.selectors.school_grades``), all nine when ``None``;
        ``class_only`` (a homeroom teacher): the announcement goes to one of
        the classes, no grade or school."""
        super().__init__(*args, **kwargs)
        if classes is not None:
            self.fields["school_class"].queryset = classes
        if grades is not None:
            self.fields["grade"].choices = [("", "—")] + [(g, GRADE_NAMES[g]) for g in grades]
        if class_only:
            self.fields["audience"].choices = [
                (AnnouncementAudience.CLASS, AnnouncementAudience.CLASS.label)
            ]
            self.fields["audience"].initial = AnnouncementAudience.CLASS
            self.fields["audience"].widget = forms.HiddenInput()
            del self.fields["grade"]
            self.fields["school_class"].required = True
            self.fields["school_class"].empty_label = None

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience == AnnouncementAudience.GRADE and not data.get("grade"):
            self.add_error("grade", _("请选择年级。"))
        if (
            audience == AnnouncementAudience.CLASS
            and not data.get("school_class")
            and "school_class" not in self.errors
        ):
            self.add_error("school_class", _("请选择班级。"))
        return data


WECOM_HELP = _(
    "学校企业微信“家校通讯录”里的家长账号，可向班主任询问；"
    "填写后通知会通过企业微信“学校通知”发送。不用请留空。"
)


def wecom_field(label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("企业微信家长账号"),
        max_length=64,
        required=False,
        validators=[WECOM_PARENT_USERID_VALIDATOR],
        help_text=WECOM_HELP,
    )


class PreferenceForm(forms.Form):
    """Channels, and the WeCom parent userid of each of the user's guardian
    records (fields ``wecom_<guardian pk>``, one per school)."""

    sms = forms.BooleanField(label=_("短信"), required=False)
    wecom = forms.BooleanField(label=_("企业微信家校通知"), required=False)

    def __init__(self, *args, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.guardians = list(guardians)
        several = len({g.school_id for g in self.guardians}) > 1
        for g in self.guardians:
            label = (
                _("企业微信家长账号（%(school)s）") % {"school": g.school.name} if several else None
            )
            self.fields[f"wecom_{g.pk}"] = wecom_field(label)
            self.initial.setdefault(f"wecom_{g.pk}", g.wecom_parent_userid)

    def wecom_ids(self) -> dict[int, str]:
        """Guardian pk → the parent userid entered (after ``is_valid``)."""
        return {g.pk: self.cleaned_data.get(f"wecom_{g.pk}", "") for g in self.guardians}


class GuardianWeComForm(forms.Form):
    """Staff record a guardian's WeCom parent userid (empty clears it)."""

    wecom_parent_userid = wecom_field()
