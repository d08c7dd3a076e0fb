"""The teacher workload page (school admin), on screen or as a PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from afterschool.access import school_admin_required
from afterschool.exports import content_disposition
from afterschool.pages import errors_to_form
from afterschool.selectors import term_months
from billing.access import billing_term_for_user
from billing.money import ZERO
from billing.months import month_of_term
from billing.policy.selectors import fee_policy_for
from billing.policy.services import fee_policy_save
from billing.workload.forms import WorkloadRateForm
from billing.workload.pdf import workload_pdf
from billing.workload.selectors import workload as workload_rows


@login_required
@school_admin_required
def workload(request):
    """Periods supervised and club sessions led per person for a month, with
    the subsidy (课时数计入工作量, 绩效考核); ``?format=pdf`` prints it."""
    term = billing_term_for_user(request.user, request.GET.get("term") or request.POST.get("term"))
    month = month_of_term(term, request.GET.get("month") or request.POST.get("month"))
    policy = fee_policy_for(term)
    form = WorkloadRateForm(initial={"workload_rate_per_period": policy.workload_rate_per_period})
    if request.method == "POST":
        form = WorkloadRateForm(request.POST)
        if form.is_valid():
            try:
                fee_policy_save(term=term, data=form.cleaned_data, by=request.user)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("每课时补助已保存。"))
                return redirect(
                    reverse("billing:workload") + f"?term={term.pk}&month={month:%Y-%m}"
                )
    rows = workload_rows(term=term, month=month, policy=policy)
    label = f"{term} · {month.year}年{month.month}月"
    if request.GET.get("format") == "pdf":
        title = f"{term.school.name}课后服务教师工作量统计表"
        response = HttpResponse(
            workload_pdf(title=title, rows=rows, period_label=label), content_type="application/pdf"
        )
        response["Content-Disposition"] = content_disposition(
            _("教师工作量统计表") + f"-{month.year}年{month.month}月.pdf",
            f"workload-{month:%Y-%m}.pdf",
        )
        return response
    return render(
        request,
        "billing/workload.html",
        {
            "term": term,
            "month": month,
            "months": term_months(term),
            "rows": rows,
            "form": form,
            "total_periods": sum(r.periods for r in rows),
            "total_subsidy": sum((r.subsidy for r in rows), ZERO),
        },
    )
