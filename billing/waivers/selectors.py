"""Reads about waivers still to be made."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from afterschool.models import Term
from enrollment.models import WaiverRequest, WaiverStatus


def approved_requests_without_waiver(term: Term) -> QuerySet[WaiverRequest]:
    """Approved enrollment waiver requests (seed 一.7 免收) that have not yet
    become a billing waiver: the next statements run creates them
    (``billing.waivers.services.waivers_sync_from_enrollment``). One query."""
    return WaiverRequest.objects.filter(
        application__term=term, status=WaiverStatus.APPROVED, fee_waiver__isnull=True
    ).select_related("application__student__school_class")


def enrollment_waivers_to_sync(term: Term) -> QuerySet[WaiverRequest]:
    """The term's enrollment waiver requests billing must follow: every
    approved one and every one that already became a billing waiver (its
    decision may have changed since), with the application, its term and
    the billing waiver joined. One query."""
    return (
        WaiverRequest.objects.filter(application__term=term)
        .filter(Q(status=WaiverStatus.APPROVED) | Q(fee_waiver__isnull=False))
        .select_related("application__term", "fee_waiver")
        .order_by("pk")
    )
