"""What every staff page shares when a service refuses: its messages shown
as Django messages on the page the user is sent back to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def show_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Each message of a service's ``ValidationError`` as an error message
    (Chinese, from the service) for the next page."""
    for msg in exc.messages:
        messages.error(request, msg)
