"""A print job queued in the database is rendered by the real worker process
(``manage.py db_worker`` with the production settings), as in production."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_tasks_db.backend import DatabaseBackend

from enrollment.models import PrintJob, PrintJobStatus
from enrollment.printing.tasks import print_agreements
from tests.enrollment.test_pdf import agreement_heads
from tests.enrollment.test_print import NAMES_A, approve_class
from tests.ops.conftest import database_url, production_env, run_manage

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker is a second process: it needs the PostgreSQL test database",
    ),
    pytest.mark.django_db(transaction=True),  # the worker only sees committed rows
]


def test_worker_process_prints_a_queued_job(world, term):
    approve_class(world.class_a, term, world.admin, NAMES_A)
    job = PrintJob.objects.create(
        school=world.school,
        term=term,
        requested_by=world.admin,
        school_class=world.class_a,
        total=3,
    )
    # Queued as the production web process does (TASKS = django-tasks-db).
    DatabaseBackend(alias="default", params={}).enqueue(print_agreements, [job.pk], {})

    result = run_manage(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        env=production_env(DATABASE_URL=database_url(settings.DATABASES["default"]["NAME"])),
    )

    assert result.returncode == 0, result.stderr
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE and (job.done, job.total) == (3, 3)
    assert [n for _, n in agreement_heads(bytes(job.pdf))] == sorted(NAMES_A)
