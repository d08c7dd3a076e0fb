"""What every enrollment page shares: the forms' crispy layout, the page
shown when the school has no term yet, and a service error as one line."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class Crispy:
    """Crispy renders the fields; pages write their own <form> and buttons."""

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        return helper


def error_text(exc: ValidationError) -> str:
    """A service's ``ValidationError`` as one message line."""
    return "；".join(exc.messages)


def no_term(request: HttpRequest) -> HttpResponse:
    """The page staff see when their school has no term yet."""
    return render(request, "enrollment/no_term.html", status=200)
