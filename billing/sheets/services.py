"""Queueing the school's fee sheet PDF as a background job."""

from __future__ import annotations

import datetime
import functools

from django.db import transaction

from afterschool.models import School, Term, User
from billing.models import FeeSheetJob, FeeSheetJobStatus
from billing.sheets.tasks import enqueue_fee_sheet_job


@transaction.atomic
def fee_sheet_job_request(*, by: User, term: Term, month: datetime.date | None) -> FeeSheetJob:
    """Queue the school's fee sheet PDF of ``term`` for ``month`` (the first
    of a month, or None for the whole term), enqueued when the transaction
    commits (``billing.sheets.tasks.render_fee_sheet``). A second request for
    the same term and month while one is queued or running returns it (a
    double click makes one job). The caller checks that ``by`` is the
    school's admin (``billing.access``)."""
    School.objects.select_for_update().get(pk=term.school_id)
    running = (
        FeeSheetJob.objects.defer("pdf")
        .filter(
            term=term,
            month=month,
            requested_by=by,
            status__in=[FeeSheetJobStatus.QUEUED, FeeSheetJobStatus.RUNNING],
        )
        .first()
    )
    if running is not None:
        return running
    job = FeeSheetJob.objects.create(
        school_id=term.school_id, term=term, month=month, requested_by=by
    )
    transaction.on_commit(functools.partial(enqueue_fee_sheet_job, job.pk))
    return job
