"""The fee sheet page (收费明细表), on screen or as a file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from afterschool.access import classes_for_user
from afterschool.exports import content_disposition
from afterschool.params import id_param
from afterschool.selectors import term_months
from billing.access import (
    billing_staff_required,
    billing_term_for_user,
    fee_sheet_class_for_user,
    get_fee_sheet_job_for_user,
    statements_for_user,
)
from billing.models import FeeSheetJobStatus
from billing.sheets.export import CONTENT_TYPES, FORMATS, render_sheet
from billing.sheets.selectors import fee_sheet as build_fee_sheet
from billing.sheets.services import fee_sheet_job_request
from billing.sheets.tables import FeeSheetTable
from billing.statements.selectors import statement_month


@login_required
@billing_staff_required
def fee_sheet(request):
    """The fee sheet (收费明细表) on screen, or as ``?format=pdf|xlsx|csv``:
    the school's (admin) or a class's (admin, its homeroom teacher); for a
    month or ``?month=term`` for the whole term."""
    term = billing_term_for_user(request.user, request.GET.get("term"))
    whole_term = request.GET.get("month") == "term"
    school_class = fee_sheet_class_for_user(
        request.user, term, id_param(request.GET.get("class"), "class")
    )
    month = None
    if not whole_term:
        # Without a month asked: the latest month billed, not an empty one.
        visible = statements_for_user(request.user)
        if school_class is not None:
            visible = visible.filter(school_class=school_class)
        month = statement_month(term=term, asked=request.GET.get("month"), statements=visible)
    sheet = build_fee_sheet(term=term, month=month, school_class=school_class)
    fmt = request.GET.get("format")
    if fmt == "pdf" and school_class is None:
        # The whole school's PDF takes ~30–60 s: a background job.
        job = fee_sheet_job_request(by=request.user, term=term, month=month)
        return redirect("billing:fee-sheet-job", pk=job.pk)
    if fmt in FORMATS:
        scope = f"-{school_class.grade}-{school_class.number}" if school_class else ""
        when = "term" if whole_term else f"{month:%Y-%m}"
        name = [_("收费明细表"), term.name if whole_term else f"{month.year}年{month.month}月"]
        if school_class:
            name.append(school_class.display_name)
        response = HttpResponse(render_sheet(sheet, fmt), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition(
            "-".join(name) + f".{fmt}", f"fee-sheet-{when}{scope}.{fmt}"
        )
        return response
    table = FeeSheetTable(sheet)
    RequestConfig(request, paginate=False).configure(table)
    return render(
        request,
        "billing/fee_sheet.html",
        {
            "term": term,
            "sheet": sheet,
            "table": table,
            "month": month,
            "months": term_months(term),
            "whole_term": whole_term,
            "school_class": school_class,
            "classes": classes_for_user(request.user).filter(school_year_id=term.school_year_id),
        },
    )


@login_required
def fee_sheet_job(request, pk):
    """The school's fee sheet job: progress while it runs (the page reloads
    itself every 3 seconds, no script), the file when done."""
    job = get_fee_sheet_job_for_user(request.user, pk)
    response = render(request, "billing/fee_sheet_job.html", {"job": job})
    if not job.is_finished:
        response["Refresh"] = "3"
    return response


@login_required
def fee_sheet_job_download(request, pk):
    """The finished job's PDF (404 until it is done)."""
    job = get_fee_sheet_job_for_user(request.user, pk, with_pdf=True)
    if job.status != FeeSheetJobStatus.DONE or not job.pdf:
        raise Http404
    when = f"{job.month:%Y-%m}" if job.month else "term"
    response = HttpResponse(bytes(job.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"{_('收费明细表')}-{job.period_label}.pdf", f"fee-sheet-{when}.pdf"
    )
    return response
