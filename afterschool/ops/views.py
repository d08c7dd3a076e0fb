"""Operations endpoints: the load balancer's health check."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """200 ``{"status": "ok", "database": "ok"}`` when ``SELECT 1`` answers,
    503 ``{"status": "error", "database": "unavailable"}`` when it does not.

    Public (no login), touches no session and sets no cookie, says nothing
    about schools or people: a load balancer or monitor may call it often.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Health check: database unavailable (%s)", type(exc).__name__)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def favicon(request):
    """``/favicon.ico``, which browsers ask for whatever the page's ``<link
    rel="icon">`` says: a permanent redirect to the static file (its hashed
    name in production)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.ico"))
