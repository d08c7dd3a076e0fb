"""Logging in and activating a login: validate and normalise; never write
(STYLE.md §4)."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from afterschool.idnumbers import normalize_mobile
from afterschool.throttle import LOCKED_OUT_MESSAGE, normalize_login


class LoginForm(AuthenticationForm):
    """Username for staff, mobile number for guardians, in one field."""

    username = forms.CharField(label=_("用户名或手机号"), max_length=150)

    # Django's wording says both fields are case-sensitive, which means
    # nothing to a parent typing a mobile number.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("手机号（或用户名）或密码不对，请检查后重新输入。"),
        "inactive": _("这个账号尚未激活或已停用，请用激活信上的激活码激活，或联系班主任。"),
    }

    def clean_username(self):
        # Guardians type their mobile in any common shape: +86 138-0013-8000.
        return normalize_login(self.cleaned_data["username"])

    def get_invalid_login_error(self):
        # django-axes marks the request when this attempt locked the account
        # or the account was already locked (right password or not).
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(LOCKED_OUT_MESSAGE, code="locked_out")
        return super().get_invalid_login_error()


class ActivationForm(forms.Form):
    """A guardian's first login: mobile + the code from the letter + a new
    password typed twice. Validates and normalises only; the view calls
    ``afterschool.activation.guardian_activate``."""

    mobile = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel"}),
    )
    code = forms.CharField(
        label=_("激活码"),
        max_length=20,
        help_text=_("见班主任发的《致家长的一封信》"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )
    new_password1 = forms.CharField(
        label=_("设置密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_mobile(self):
        raw = self.cleaned_data["mobile"]
        mobile = normalize_mobile(raw)
        if mobile is None:
            raise forms.ValidationError(_("请输入11位中国大陆手机号。"))
        return mobile

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2:
            if p1 != p2:
                self.add_error("new_password2", _("两次输入的密码不一致。"))
            else:
                # The account is looked up only when the code is checked; a
                # stand-in with the same login lets the similarity rule
                # refuse the mobile number itself as the password.
                mobile = cleaned.get("mobile") or ""
                stand_in = get_user_model()(username=mobile, mobile=mobile)
                try:
                    password_validation.validate_password(p1, user=stand_in)
                except forms.ValidationError as exc:
                    self.add_error("new_password1", exc)
        return cleaned
