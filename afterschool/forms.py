"""Forms: validate and normalise; never write (STYLE.md §4)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from afterschool.throttle import LOCKED_OUT_MESSAGE, normalize_login


class LoginForm(AuthenticationForm):
    """Username for staff, mobile number for guardians, in one field."""

    username = forms.CharField(label=_("用户名或手机号"), max_length=150)

    def clean_username(self):
        # Guardians type their mobile in any common shape: +86 138-0013-8000.
        return normalize_login(self.cleaned_data["username"])

    def get_invalid_login_error(self):
        # django-axes marks the request when this attempt locked the account
        # or the account was already locked (right password or not).
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(LOCKED_OUT_MESSAGE, code="locked_out")
        return super().get_invalid_login_error()
