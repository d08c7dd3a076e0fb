"""The payment platform bridge pages (school admin): the 缴费清单 export,
the results import and the reconciliation per class."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from afterschool.access import classes_for_user, school_admin_required
from afterschool.exports import content_disposition
from afterschool.selectors import term_months
from billing.access import billing_term_for_user
from billing.months import month_of_term
from billing.payments.forms import PaymentImportForm
from billing.payments.platform import list_csv, list_rows, list_xlsx
from billing.payments.selectors import payment_list, reconciliation
from billing.payments.services import payment_import
from billing.sheets.export import CONTENT_TYPES

CSV_GB18030 = "text/csv; charset=gb18030"


def _term(request):
    return billing_term_for_user(request.user, request.GET.get("term") or request.POST.get("term"))


@login_required
@school_admin_required
def payment_list_export(request):
    """The 缴费清单 of a month (``?month=2024-09``) or the whole term
    (``?month=term``) as ``?format=xlsx`` or ``csv`` (GB18030). The 学籍号 is
    written in full only for an admin holding the ID-number permission."""
    term = _term(request)
    whole_term = request.GET.get("month") == "term"
    month = None if whole_term else month_of_term(term, request.GET.get("month"))
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    rows = list_rows(
        payment_list(term=term, month=month),
        full_numbers=request.user.has_perm("afterschool.view_id_number"),
    )
    period = term.name if whole_term else f"{month.year}年{month.month}月"
    title = _("%(school)s课后服务缴费清单（%(period)s）") % {
        "school": term.school.name,
        "period": period,
    }
    body = list_xlsx(title, rows) if fmt == "xlsx" else list_csv(rows)
    response = HttpResponse(
        body, content_type=CONTENT_TYPES["xlsx"] if fmt == "xlsx" else CSV_GB18030
    )
    when = "term" if whole_term else f"{month:%Y-%m}"
    response["Content-Disposition"] = content_disposition(
        f"{_('缴费清单')}-{period}.{fmt}", f"payment-list-{when}.{fmt}"
    )
    return response


@login_required
@school_admin_required
def payment_import_page(request):
    """Upload the platform's or bank's results file: all or nothing, the
    faults listed by row."""
    term = _term(request)
    result = None
    if request.method == "POST":
        form = PaymentImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = payment_import(
                term=term, filename=upload.name, content=upload.read(), by=request.user
            )
            if result.ok:
                messages.success(
                    request,
                    _("已导入 %(c)s 笔缴费，%(a)s 笔此前已导入。")
                    % {"c": result.created, "a": result.already},
                )
    else:
        form = PaymentImportForm()
    return render(
        request,
        "billing/payments/import.html",
        {"term": term, "form": form, "result": result},
    )


@login_required
@school_admin_required
def reconciliation_page(request):
    """Due, paid through the platform, paid by hand and outstanding, per
    class of the term, with the 缴费清单 downloads."""
    term = _term(request)
    classes = classes_for_user(request.user).filter(school_year_id=term.school_year_id)
    rows, totals = reconciliation(term=term, classes=classes)
    return render(
        request,
        "billing/payments/reconciliation.html",
        {"term": term, "rows": rows, "totals": totals, "months": term_months(term)},
    )
