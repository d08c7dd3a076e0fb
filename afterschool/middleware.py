"""Request-level protections that do not belong to one view."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


class RequestSizeLimitMiddleware:
    """Refuses a request whose body is larger than ``REQUEST_BODY_MAX_BYTES``.

    Looks at the declared Content-Length only, so nothing of the body is read,
    parsed or written to a temporary file; answers 413 with a Chinese page
    saying the upload limit in MB. nginx refuses the same size at the edge
    (client_max_body_size); this covers a server reached without it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_BODY_MAX_BYTES
        if length > limit:
            return render(
                request,
                "413.html",
                {"limit_mb": settings.ROSTER_UPLOAD_MAX_BYTES // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """Sessions as long as the person needs them, renewed on use.

    A guardian stays logged in for ``GUARDIAN_SESSION_SECONDS`` (a term), so
    the morning a survey or club choice opens is not a login morning; staff,
    who see whole classes' data, for ``STAFF_SESSION_SECONDS``. Each is
    counted from the last use: when less than nine tenths of the lifetime is
    left, the expiry moves forward again. That writes the session row at most
    once per tenth of the lifetime (about every two weeks for a guardian),
    not on every request. Sits after ``AuthenticationMiddleware``; the login
    response itself gets the right lifetime (``request.user`` is the new user).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        lifetime = session_lifetime(user)
        now = timezone.now()
        expiry = session.get("_session_expiry")
        renew = not isinstance(expiry, str)
        if not renew:
            try:
                left = datetime.datetime.fromisoformat(expiry) - now
            except ValueError:
                renew = True
            else:
                renew = left < lifetime * 0.9 or left > lifetime
        if renew:
            session.set_expiry(now + lifetime)
        return response


def session_lifetime_set(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the new session's lifetime for ``user``."""
    if getattr(request, "session", None) is not None:
        request.session.set_expiry(timezone.now() + session_lifetime(user))


def session_lifetime(user) -> datetime.timedelta:
    """How long ``user``'s session lasts from its last use: a term for a
    guardian, a working day for staff (settings ``GUARDIAN_SESSION_SECONDS``,
    ``STAFF_SESSION_SECONDS``)."""
    if user.is_guardian:
        return datetime.timedelta(seconds=settings.GUARDIAN_SESSION_SECONDS)
    return datetime.timedelta(seconds=settings.STAFF_SESSION_SECONDS)
