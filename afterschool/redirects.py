"""Where to go after a form: the page's own ``next`` only when it is ours.

Every view that honours a ``next`` parameter reads it through
:func:`next_url`, so ``next=https://evil.example/`` (or ``//evil.example``,
``javascript:``) falls back to the view's own page instead of sending a
parent or teacher off the site (OWASP unvalidated redirects).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest, fallback: str) -> str:
    """``next`` from the POST (else the query string) when it points at this
    site (``url_has_allowed_host_and_scheme`` with the request's host, HTTPS
    required when the request is HTTPS), else ``fallback`` (a path)."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback
