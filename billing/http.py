"""Small helpers the billing views share: a service's errors onto a form,
a download's file name."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def errors_to_form(form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form`` (field errors on
    their field, the rest at the top) instead of a 500 (STYLE.md §2)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
