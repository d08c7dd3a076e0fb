"""Printing rules (STYLE.md §1): how large a batch a request prints itself,
and queueing the background print job for larger ones (its body is
``enrollment.printing.tasks.print_job_run``)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from afterschool.models import School, SchoolClass, Term, User
from enrollment.access import may_print_agreements
from enrollment.models import PrintJob, PrintJobStatus
from enrollment.printing.selectors import agreements_to_print
from enrollment.printing.tasks import enqueue_print_job

# Batches up to this many agreements render in the request; larger ones go
# to a background print job, so no request waits minutes for a PDF.
AGREEMENT_PRINT_INLINE_MAX = 100


def agreement_print_inline_max() -> int:
    """How many agreements a request may print itself (setting
    ``AGREEMENT_PRINT_INLINE_MAX``, default 100)."""
    return int(getattr(settings, "AGREEMENT_PRINT_INLINE_MAX", AGREEMENT_PRINT_INLINE_MAX))


@transaction.atomic
def print_job_request(
    *, by: User, term: Term, school_class: SchoolClass | None = None, grade: int | None = None
) -> PrintJob:
    """Queue a background job printing every approved agreement of a class
    or a grade of ``term`` as one PDF (``enrollment.printing.tasks.print_agreements``,
    run by ``manage.py db_worker``; enqueued when the transaction commits).

    A second request for the same scope while the first is still queued or
    running returns the first (a double click makes one job). Raises
    ``ValidationError`` when ``by`` may not print that scope
    (``may_print_agreements``) or nothing is approved there.
    """
    if school_class is not None and school_class.school_id != term.school_id:
        raise ValidationError(_("该班级不属于本学期的学校。"))
    if not may_print_agreements(user=by, school_class=school_class, grade=grade) or (
        by.school_id != term.school_id
    ):
        raise ValidationError(_("您无权打印这些协议书。"))
    School.objects.select_for_update().get(pk=term.school_id)
    running = PrintJob.objects.filter(
        requested_by=by,
        term=term,
        school_class=school_class,
        grade=grade,
        status__in=[PrintJobStatus.QUEUED, PrintJobStatus.RUNNING],
    ).first()
    if running is not None:
        return running
    total = agreements_to_print(
        school_id=term.school_id, term=term, school_class=school_class, grade=grade
    ).count()
    if total == 0:
        raise ValidationError(_("没有学校已批准的申请，无协议书可打印。"))
    job = PrintJob.objects.create(
        school_id=term.school_id,
        term=term,
        requested_by=by,
        school_class=school_class,
        grade=grade,
        total=total,
    )
    transaction.on_commit(functools.partial(enqueue_print_job, job.pk))
    return job
