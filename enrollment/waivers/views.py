"""Fee-waiver pages (seed 一.7): the school's list and its decision
(STYLE.md §2: thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from afterschool.access import school_admin_required, term_for_user
from afterschool.pages import errors_to_form
from enrollment import access
from enrollment.models import WaiverStatus
from enrollment.pages import no_term
from enrollment.waivers import selectors, services
from enrollment.waivers.forms import WaiverDecisionForm


@login_required
@school_admin_required
def waivers(request: HttpRequest) -> HttpResponse:
    """The term's fee-waiver requests to decide."""
    term = term_for_user(request.user)
    if term is None:
        return no_term(request)
    return render(
        request,
        "enrollment/waivers.html",
        {
            "term": term,
            "waivers": selectors.waivers_for_school(school_id=request.user.school_id, term=term),
        },
    )


@login_required
def waiver_decide(request: HttpRequest, pk: int) -> HttpResponse:
    waiver = access.get_waiver_for_user(request.user, pk)
    form = WaiverDecisionForm(
        request.POST or None,
        initial={
            "effective_from": selectors.waiver_start(waiver),
            "reason": waiver.decision_reason,
            "decision": {WaiverStatus.APPROVED: "approve", WaiverStatus.DECLINED: "decline"}.get(
                waiver.status
            ),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.waiver_decide(
                waiver=waiver,
                approve=form.cleaned_data["decision"] == "approve",
                by=request.user,
                reason=form.cleaned_data["reason"],
                effective_from=form.cleaned_data["effective_from"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)  # the reason's error next to the reason
        else:
            messages.success(request, _("减免审核结果已保存。"))
            return redirect("enrollment:waivers")
    return render(request, "enrollment/waiver_decide.html", {"form": form, "waiver": waiver})
