"""Waiver reads (STYLE.md §1): what billing reads and the school's list."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from afterschool.models import Student, Term
from afterschool.selectors import class_name_of, year_class_annotations, year_class_label
from enrollment.models import Status, WaiverRequest, WaiverStatus


def waiver_start(waiver: WaiverRequest) -> datetime.date:
    """The day from which ``waiver`` applies once approved: the date the
    school decided (``effective_from``), else the day the guardian asked
    (the request's creation, local date) — and the term's first day at the
    earliest (a request made with the application before the term covers
    the whole term). Billing charges the days before it
    (``billing.waivers.services.waivers_sync_from_enrollment``). Reads
    ``waiver.application.term`` (select it with the request)."""
    asked = waiver.effective_from or timezone.localdate(waiver.created_at)
    return max(asked, waiver.application.term.first_day)


def approved_waiver_for(*, student: Student, term: Term) -> WaiverRequest | None:
    """The approved fee waiver of ``student`` for ``term``, or ``None``.

    This is what billing reads (seed 一.7: 对家庭困难子女免收课后服务费): a
    waiver counts once the school approved it, whatever happens to the
    application later (billing decides which days are charged at all).
    """
    return (
        WaiverRequest.objects.filter(
            application__student=student, application__term=term, status=WaiverStatus.APPROVED
        )
        .select_related("application", "decided_by")
        .first()
    )


# A waiver of an application not sent (draft) or withdrawn is nobody's to
# decide: the list, the admin's to-do and ``services.waiver_decide`` agree.
UNDECIDABLE_APPLICATION_STATUSES = (Status.DRAFT, Status.WITHDRAWN)


def decidable_waivers(*, school_id: int, term: Term) -> QuerySet[WaiverRequest]:
    """The term's waiver requests the school may decide (their application
    sent and not withdrawn), decided or not. Lazy, no query until read."""
    return WaiverRequest.objects.filter(
        application__student__school_id=school_id, application__term=term
    ).exclude(application__status__in=UNDECIDABLE_APPLICATION_STATUSES)


def waivers_for_school(*, school_id: int, term: Term) -> list[WaiverRequest]:
    """The term's waiver requests (``decidable_waivers``) with student and
    ``year_class_name``: the child's class in the term's year (a past
    term's list keeps last year's classes after the rollover). One query."""
    rows = (
        decidable_waivers(school_id=school_id, term=term)
        .select_related(
            "application",
            "application__student",
            "application__student__school_class",  # a child without that year's class
            "decided_by",
        )
        .annotate(
            **year_class_annotations(
                student="application__student", school_year="application__term__school_year"
            )
        )
        .order_by("status", "year_class_grade", "year_class_number", "created_at")
    )
    for w in rows:
        w.year_class_name = class_name_of(*year_class_label(w, w.application.student))
    return list(rows)
