"""The school's fee sheet PDF as a background job with progress; class
sheets and spreadsheets stay immediate."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from billing.models import FeeSheetJob, FeeSheetJobStatus
from billing.sheets.services import fee_sheet_job_request
from billing.sheets.tasks import fee_sheet_job_run
from billing.statements.services import statements_generate
from tests.billing.conftest import SEPT, enrol


@pytest.fixture
def billed(world, term):
    enrol(world.child_x, term, by=world.admin)
    enrol(world.child_y, term, by=world.admin, noon=False)
    statements_generate(term=term, month=SEPT)
    return term


@pytest.mark.django_db
class TestFeeSheetJob:
    def test_school_pdf_goes_to_a_job_and_is_offered_when_done(
        self, client, world, billed, django_capture_on_commit_callbacks
    ):
        client.force_login(world.admin)
        url = reverse("billing:fee-sheet") + f"?term={billed.pk}&month=2024-09&format=pdf"
        with django_capture_on_commit_callbacks(execute=True):
            r = client.get(url)
        job = FeeSheetJob.objects.get()
        assert r.status_code == 302 and r.url == reverse("billing:fee-sheet-job", args=[job.pk])
        # The tests' ImmediateBackend ran it on commit.
        assert (job.status, job.done, job.total) == (FeeSheetJobStatus.DONE, 3, 3)
        page = client.get(r.url)
        assert "Refresh" not in page and "下载PDF" in page.content.decode()
        # Back to the month the sheet was asked for.
        assert f"?term={billed.pk}&amp;month=2024-09" in page.content.decode()
        pdf = client.get(reverse("billing:fee-sheet-job-download", args=[job.pk]))
        assert pdf["Content-Type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "全校合计" in text and str(Decimal("144.90")) in text

    def test_a_queued_job_page_reloads_itself_and_a_double_click_makes_one_job(
        self, client, world, billed
    ):
        first = fee_sheet_job_request(by=world.admin, term=billed, month=SEPT)
        again = fee_sheet_job_request(by=world.admin, term=billed, month=SEPT)
        assert first.pk == again.pk and FeeSheetJob.objects.count() == 1
        client.force_login(world.admin)
        page = client.get(reverse("billing:fee-sheet-job", args=[first.pk]))
        assert page["Refresh"] == "3" and "排队中" in page.content.decode()
        assert (
            client.get(reverse("billing:fee-sheet-job-download", args=[first.pk])).status_code
            == 404
        )

    def test_running_twice_leaves_a_finished_job(self, world, billed):
        job = fee_sheet_job_request(by=world.admin, term=billed, month=None)
        fee_sheet_job_run(job_id=job.pk)
        size = FeeSheetJob.objects.get().size
        assert fee_sheet_job_run(job_id=job.pk).size == size > 0

    def test_a_failure_is_recorded(self, world, billed, monkeypatch):
        from billing.sheets import tasks

        job = fee_sheet_job_request(by=world.admin, term=billed, month=SEPT)

        def broken(sheet, on_progress=None):
            raise RuntimeError("字体缺失")

        monkeypatch.setattr(tasks, "sheet_pdf", broken)
        with pytest.raises(RuntimeError):
            fee_sheet_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == FeeSheetJobStatus.FAILED and "字体缺失" in job.error

    def test_class_pdf_and_school_xlsx_stay_immediate(self, client, world, billed):
        client.force_login(world.admin)
        base = reverse("billing:fee-sheet") + f"?term={billed.pk}&month=2024-09"
        assert client.get(base + "&format=xlsx").status_code == 200
        r = client.get(base + f"&class={world.class_a.pk}&format=pdf")
        assert r["Content-Type"] == "application/pdf"
        assert not FeeSheetJob.objects.exists()

    def test_wrong_personas_get_404(self, client, world, billed):
        job = fee_sheet_job_request(by=world.admin, term=billed, month=SEPT)
        for name in ("billing:fee-sheet-job", "billing:fee-sheet-job-download"):
            url = reverse(name, args=[job.pk])
            for user in (world.homeroom_a, world.teacher, world.guardian_x.user, world.other_admin):
                client.force_login(user)
                assert client.get(url).status_code == 404
            r = Client().get(url)
            assert r.status_code == 302 and r.url.startswith(reverse("login"))
