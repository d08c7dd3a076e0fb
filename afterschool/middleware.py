"""Request-level protections that do not belong to one view."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render


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
