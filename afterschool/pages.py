"""What every page shares when a service refuses: its messages on the form
(field errors next to their field) or as Django messages on the page the
user is sent back to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def show_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Each message of a service's ``ValidationError`` as an error message
    (Chinese, from the service) for the next page."""
    for msg in exc.messages:
        messages.error(request, msg)


def errors_to_form(form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: errors of a field
    (a dict-shaped error naming a field of the form) next to that field, the
    rest at the top, instead of a 500 (STYLE.md §2)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
