"""Forms: validate and normalise; never write (STYLE.md §4)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from afterschool.idnumbers import normalize_mobile


class LoginForm(AuthenticationForm):
    """Username for staff, mobile number for guardians, in one field."""

    username = forms.CharField(label=_("用户名或手机号"), max_length=150)

    def clean_username(self):
        raw = self.cleaned_data["username"].strip()
        # Guardians type their mobile in any common shape: +86 138-0013-8000.
        return normalize_mobile(raw) or raw
