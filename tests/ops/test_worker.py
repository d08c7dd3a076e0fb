"""The task worker runs as its own process (``manage.py db_worker``) with the
production settings, taking tasks queued in PostgreSQL by the web process."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from tests.ops.conftest import database_url, production_env, run_manage
from tests.ops.tasks import write_marker

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker is a second process: it needs the PostgreSQL test database",
    ),
    pytest.mark.django_db(transaction=True),  # the worker only sees committed rows
]


class TestDbWorker:
    def test_worker_process_runs_a_queued_task(self, tmp_path):
        marker = tmp_path / "marker.txt"
        # Queued as the production web process would (TASKS = django-tasks-db).
        backend = DatabaseBackend(alias="default", params={})
        queued = backend.enqueue(write_marker, [str(marker), "课后服务"], {})
        assert not marker.exists()

        result = run_manage(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            env=production_env(DATABASE_URL=database_url(settings.DATABASES["default"]["NAME"])),
        )
        assert result.returncode == 0, result.stderr
        assert marker.read_text(encoding="utf-8") == "课后服务"
        row = DBTaskResult.objects.get(id=queued.id)
        assert row.status == "SUCCESSFUL"
        assert row.return_value == "课后服务"
