"""Enrollment forms: validate and normalise, never write (STYLE.md §4)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.idnumbers import normalize_mobile
from enrollment.models import Application, SurveyAnswer
from enrollment.services import APPLICATION_DATA_FIELDS


class _Crispy:
    """Crispy renders the fields; pages write their own <form> and buttons."""

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        return helper


class SurveyAnswerForm(_Crispy, forms.Form):
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


class ApplicationForm(_Crispy, forms.ModelForm):
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


class ReasonForm(_Crispy, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label


class WaiverDecisionForm(_Crispy, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("approve", _("同意减免")), ("decline", _("不予减免"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AgreementSignForm(_Crispy, forms.Form):
    signed_name = forms.CharField(
        label=_("请输入您的完整姓名作为签名"), max_length=50, widget=forms.TextInput()
    )
    consent = forms.BooleanField(label=_("我已认真阅读并同意本协议的全部内容"), required=False)


class AgreementTemplateForm(_Crispy, forms.Form):
    body = forms.CharField(
        label=_("协议正文模板"),
        widget=forms.Textarea(attrs={"rows": 30, "class": "font-monospace"}),
    )


class EnrollmentSettingsForm(_Crispy, forms.Form):
    allow_reapply = forms.BooleanField(label=_("已退出的学生本学期可再次申请"), required=False)
