"""The application form and the forms of an application's actions: validate
and normalise, never write (STYLE.md §4)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.idnumbers import normalize_mobile
from enrollment.models import Application
from enrollment.pages import Crispy

# The fields of the 课后服务申请书 a family fills in, in the order the form
# (and the printed paper form) shows them; the services save exactly these.
APPLICATION_DATA_FIELDS = (
    "wants_noon",
    "wants_after_school",
    "wants_featured_day",
    "goes_home_alone",
    "pickup_name",
    "pickup_relation",
    "pickup_mobile",
    "health_notes",
    "emergency_name",
    "emergency_mobile",
    "reason",
    "waiver_requested",
    "waiver_reason",
)

# What a new term's form may take over from the child's application of an
# earlier term (offered, never imposed): the arrangements the family made —
# periods, featured day, going home, the pick-up person, the emergency
# contact. Never what the family wrote in its own words (the reason, health
# notes, the waiver request and its reason): those are asked afresh each term
# (seed 一.5 (2): 家长申请 is the family's own statement for the term).
CARRIED_OVER_FIELDS = (
    "wants_noon",
    "wants_after_school",
    "wants_featured_day",
    "goes_home_alone",
    "pickup_name",
    "pickup_relation",
    "pickup_mobile",
    "emergency_name",
    "emergency_mobile",
)
# The boxes a guardian fills in again although the last application had them.
WRITTEN_AFRESH_FIELDS = tuple(f for f in APPLICATION_DATA_FIELDS if f not in CARRIED_OVER_FIELDS)


class ApplicationForm(Crispy, forms.ModelForm):
    """课后服务申请书. ``reason`` is never pre-filled: an empty box for the
    family's own words. Mobiles are normalised (+86, dashes, spaces), so
    their boxes accept more than 11 characters before cleaning."""

    pickup_mobile = forms.CharField(
        label=_("接送人手机号"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    emergency_mobile = forms.CharField(
        label=_("紧急联系电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    class Meta:
        model = Application
        fields = list(APPLICATION_DATA_FIELDS)
        widgets = {
            "health_notes": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.Textarea(
                attrs={"rows": 3, "placeholder": _("请用自己的话写明为什么申请课后服务")}
            ),
            "waiver_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "goes_home_alone": _("勾选后无需填写接送人；服务结束后学校统一组织学生离校。"),
            "waiver_requested": _("家庭经济困难的，可申请免收课后服务费，由学校审核。"),
        }

    def _clean_mobile(self, name: str) -> str:
        raw = (self.cleaned_data.get(name) or "").strip()
        return normalize_mobile(raw) or raw

    def clean_pickup_mobile(self) -> str:
        return self._clean_mobile("pickup_mobile")

    def clean_emergency_mobile(self) -> str:
        return self._clean_mobile("emergency_mobile")


class ReasonForm(Crispy, forms.Form):
    # A reason is read by a family on a phone: a few sentences, not a letter.
    reason = forms.CharField(
        label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label


class EnrollmentSettingsForm(Crispy, forms.Form):
    allow_reapply = forms.BooleanField(label=_("已退出的学生本学期可再次申请"), required=False)
