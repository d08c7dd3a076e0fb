"""Background tasks of enrollment (Django's tasks framework; the
``django_tasks_db`` backend stores them and ``manage.py db_worker`` runs
them; tests run them at once with the ImmediateBackend)."""

from __future__ import annotations

from django.tasks import task

from enrollment import services


@task()
def print_agreements(job_id: int) -> int:
    """Render print job ``job_id`` (``services.print_job_run``); returns the
    number of pages. Arguments are JSON: the job's id only."""
    return services.print_job_run(job_id=job_id).pages
