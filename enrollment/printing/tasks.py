"""Background tasks of enrollment (Django's tasks framework; the
``django_tasks_db`` backend stores them and ``manage.py db_worker`` runs
them; tests run them at once with the ImmediateBackend): the print job's
queue and its body."""

from __future__ import annotations

import io

from django.tasks import task
from django.utils import timezone
from pypdf import PdfReader

from enrollment.agreements.services import agreement_template_current
from enrollment.models import PrintJob, PrintJobStatus
from enrollment.printing.pdf import agreements_pdf
from enrollment.printing.selectors import agreements_to_print


@task()
def print_agreements(job_id: int) -> int:
    """Render print job ``job_id`` (``print_job_run``); returns the number of
    pages. Arguments are JSON: the job's id only."""
    return print_job_run(job_id=job_id).pages


def enqueue_print_job(job_id: int) -> None:
    """Queue ``print_agreements`` for job ``job_id`` and keep the task's id
    on the job (``print_job_request`` calls it when its transaction commits)."""
    result = print_agreements.enqueue(job_id)
    PrintJob.objects.filter(pk=job_id).update(task_id=str(result.id))


def print_job_run(*, job_id: int) -> PrintJob:
    """Render a print job (the background task's body): every approved
    agreement of its scope, ``printing.pdf.AGREEMENTS_PER_PART`` per
    WeasyPrint document, joined into one PDF stored on the job. Progress (``done`` of
    ``total``) is saved after each part so the job's page can show it.

    A finished job is left as it is. On any error the job is marked failed
    with the error's class and message, and the error is raised again for
    the worker's log.
    """
    job = PrintJob.objects.select_related("school", "term", "school_class").get(pk=job_id)
    if job.is_finished:
        return job
    now = timezone.now()
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.RUNNING, started_at=now)
    try:
        apps = list(
            agreements_to_print(
                school_id=job.school_id,
                term=job.term,
                school_class=job.school_class,
                grade=job.grade,
            )
        )
        template = agreement_template_current(school=job.school)
        PrintJob.objects.filter(pk=job.pk).update(total=len(apps), done=0)

        def progress(done: int) -> None:
            PrintJob.objects.filter(pk=job.pk).update(done=done)

        data = agreements_pdf(apps, template=template, school=job.school, on_progress=progress)
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except Exception as exc:
        PrintJob.objects.filter(pk=job.pk).update(
            status=PrintJobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    finished = {
        "status": PrintJobStatus.DONE,
        "pdf": data,
        "size": len(data),
        "pages": pages,
        "total": len(apps),
        "done": len(apps),
        "started_at": now,
        "finished_at": timezone.now(),
    }
    PrintJob.objects.filter(pk=job.pk).update(**finished)
    for name, value in finished.items():
        setattr(job, name, value)
    return job
