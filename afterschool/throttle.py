"""Login throttling with django-axes: who an attempt counts against, and the
page a locked-out user sees.

School policy: 5 wrong passwords lock the account for 15 minutes, with a
clear message on the login page. Settings: AXES_* in afterschool/settings.py.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from afterschool.idnumbers import normalize_mobile

LOCKED_OUT_MESSAGE = _("密码错误次数过多，账号已锁定15分钟，请稍后再试或联系学校重置")


def normalize_login(raw: str) -> str:
    """The login as stored on the user: a guardian's mobile as 11 digits, else
    the stripped text (staff usernames). ``"+86 138-0013-8000"`` → ``"13800138000"``."""
    raw = str(raw or "").strip()
    return normalize_mobile(raw) or raw


def attempt_username(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the normalised login an attempt is counted under,
    so ``138 0013 8000`` and ``+8613800138000`` lock the same account."""
    if credentials and credentials.get("username") is not None:
        return normalize_login(credentials["username"])
    raw = request.POST.get("username") if request is not None else None
    return normalize_login(raw) if raw is not None else None


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page with the lockout message, as 429.

    Our LoginForm already put the message on the form (it sees
    ``request.axes_locked_out``), so its page is kept as it is; any other
    login form (the admin's) gets the standalone lockout page.
    """
    form = getattr(original_response, "context_data", None) or {}
    form = form.get("form")
    if form is not None and form.has_error("__all__", code="locked_out"):
        original_response.status_code = 429
        return original_response
    response = TemplateResponse(
        request, "registration/locked_out.html", {"message": LOCKED_OUT_MESSAGE}, status=429
    )
    return response.render()


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check for locked accounts, for web logins only.

    ``authenticate()`` called without a request (the test client's
    ``client.login``, a shell, a management command) is not a login attempt
    over the web and cannot be counted per request; it is passed on to the
    next backend instead of raising, as AxesStandaloneBackend would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
