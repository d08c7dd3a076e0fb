"""A task for the worker test: proves a separate db_worker process ran it."""

from pathlib import Path

from django.tasks import task


@task
def write_marker(path: str, text: str) -> str:
    Path(path).write_text(text, encoding="utf-8")
    return text
