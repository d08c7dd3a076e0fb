"""Loading the demo again: nothing written when nothing changed, and a row
someone edited put back in place (every app's step)."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from afterschool.models import Student
from billing.models import FeeLine, FeeStatement, Payment
from enrollment.models import Application, Status

from .test_enrollment import enrollment_counts
from .test_school import _counts


def _everything(school) -> dict:
    return {
        **_counts(school),
        **enrollment_counts(),
        "statements": FeeStatement.objects.count(),
        "lines": FeeLine.objects.count(),
        "payments": Payment.objects.count(),
    }


def test_second_run_writes_nothing_and_keeps_counts(school):
    before = _everything(school)
    with CaptureQueriesContext(connection) as queries:
        call_command("load_demo", stdout=io.StringIO())
    writes = [
        q["sql"][:80]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert _everything(school) == before


def test_changed_rows_are_restored_in_place(school):
    student = Student.objects.filter(school=school).first()
    Student.objects.filter(pk=student.pk).update(name="改过的名字", is_boarder=True)
    app = Application.objects.filter(status=Status.APPROVED).first()
    Application.objects.filter(pk=app.pk).update(reason="改过的理由")
    before = _everything(school)
    call_command("load_demo", stdout=io.StringIO())
    student.refresh_from_db()
    app.refresh_from_db()
    assert student.name != "改过的名字"
    assert app.reason != "改过的理由"
    assert _everything(school) == before
