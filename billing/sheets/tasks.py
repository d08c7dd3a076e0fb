"""The school's fee sheet PDF as a background task (Django's tasks
framework; ``manage.py db_worker`` runs it, tests run it at once with the
ImmediateBackend), with progress by class."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from billing.models import FeeSheetJob, FeeSheetJobStatus
from billing.sheets.export import sheet_pdf
from billing.sheets.selectors import fee_sheet


@task()
def render_fee_sheet(job_id: int) -> int:
    """Render fee sheet job ``job_id`` (``fee_sheet_job_run``); returns the
    PDF's size in bytes. Arguments are JSON: the job's id only."""
    return fee_sheet_job_run(job_id=job_id).size


def enqueue_fee_sheet_job(job_id: int) -> None:
    """Queue ``render_fee_sheet`` for job ``job_id`` and keep the task's id
    on the job (``fee_sheet_job_request`` calls it on commit)."""
    result = render_fee_sheet.enqueue(job_id)
    FeeSheetJob.objects.filter(pk=job_id).update(task_id=str(result.id))


def fee_sheet_job_run(*, job_id: int) -> FeeSheetJob:
    """The task's body: the school's fee sheet for the job's term and month
    (``billing.sheets.export.sheet_pdf``, class by class then the summary),
    ``done`` saved after each class. A finished job is left as it is; on an
    error the job is marked failed with the error, which is raised again
    for the worker's log."""
    job = FeeSheetJob.objects.select_related("term", "term__school").defer("pdf").get(pk=job_id)
    if job.is_finished:
        return job
    FeeSheetJob.objects.filter(pk=job.pk).update(status=FeeSheetJobStatus.RUNNING)
    try:
        sheet = fee_sheet(term=job.term, month=job.month)

        def progress(done: int, total: int) -> None:
            FeeSheetJob.objects.filter(pk=job.pk).update(done=done, total=total)

        data = sheet_pdf(sheet, on_progress=progress)
    except Exception as exc:
        FeeSheetJob.objects.filter(pk=job.pk).update(
            status=FeeSheetJobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    finished = {
        "status": FeeSheetJobStatus.DONE,
        "pdf": data,
        "size": len(data),
        "finished_at": timezone.now(),
    }
    FeeSheetJob.objects.filter(pk=job.pk).update(**finished)
    for name, value in finished.items():
        setattr(job, name, value)
    return job
