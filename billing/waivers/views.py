"""The term's waivers page (school admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from afterschool.access import school_admin_required, students_for_user
from afterschool.pages import errors_to_form
from billing.access import billing_term_for_user, waivers_for_user
from billing.policy.selectors import fee_policy_of
from billing.waivers.forms import WaiverForm
from billing.waivers.selectors import approved_requests_without_waiver
from billing.waivers.services import waiver_create


@login_required
@school_admin_required
def waivers(request):
    """Waivers of the term: full ones from approved requests, partial ones
    the admin adds where the county allows."""
    term = billing_term_for_user(request.user, request.GET.get("term") or request.POST.get("term"))
    students = students_for_user(request.user).filter(
        school_class__school_year_id=term.school_year_id
    )
    form = WaiverForm(students=students)
    if request.method == "POST":
        form = WaiverForm(request.POST, students=students)
        if form.is_valid():
            d = form.cleaned_data
            try:
                waiver_create(
                    student=d["student"],
                    term=term,
                    kind=d["kind"],
                    amount=d.get("amount"),
                    percent=d.get("percent"),
                    effective_from=d["effective_from"],
                    reason=d.get("reason", ""),
                    by=request.user,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("减免已登记；重新核算账单后生效。"))
                return redirect(reverse("billing:waivers") + f"?term={term.pk}")
    rows = (
        waivers_for_user(request.user)
        .filter(term=term)
        .order_by("student__school_class__grade", "student__school_class__number", "effective_from")
    )
    return render(
        request,
        "billing/waivers.html",
        {
            "term": term,
            "rows": rows,
            "pending": approved_requests_without_waiver(term),
            "form": form,
            "policy": fee_policy_of(term),
        },
    )
