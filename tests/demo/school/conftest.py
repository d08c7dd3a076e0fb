"""One demo school for every module of this package: ``load_demo`` pinned
(time-machine) to 2025-01-15, in the autumn-2024 term the assertions describe.

Built once for the package inside a transaction rolled back after its last
test, so no other package sees it. Every test runs in its own savepoint
(pytest-django's ``db``), so a test that changes the demo or loads it again
leaves the next test the same school. The package's tests run on one xdist
worker (``tests/conftest.py`` groups them), so the school is built once a run.
"""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from afterschool.models import School
from demo import school as school_demo

PINNED = datetime.datetime(2025, 1, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(scope="package")
def demo_output(django_db_setup, django_db_blocker):
    """What ``load_demo`` printed; the demo stays loaded for the package."""
    with (
        time_machine.travel(PINNED, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def school(demo_output, db) -> School:
    return School.objects.get(name=school_demo.SCHOOL_NAME)
