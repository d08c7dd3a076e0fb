"""Reads about waivers still to be made."""

from __future__ import annotations

from django.db.models import QuerySet

from afterschool.models import Term
from enrollment.models import WaiverRequest, WaiverStatus


def approved_requests_without_waiver(term: Term) -> QuerySet[WaiverRequest]:
    """Approved enrollment waiver requests (seed 一.7 免收) that have not yet
    become a billing waiver: the next statements run creates them
    (``billing.waivers.services.waivers_sync_from_enrollment``). One query."""
    return WaiverRequest.objects.filter(
        application__term=term, status=WaiverStatus.APPROVED, fee_waiver__isnull=True
    ).select_related("application__student__school_class")
