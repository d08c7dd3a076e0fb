"""The term's fee standard page (school admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import school_admin_required, terms_for_user
from afterschool.pages import errors_to_form
from billing.access import billing_term_for_user
from billing.models import FeeRateChange
from billing.policy.forms import FeeDocumentForm, FeePolicyForm, RateChangeForm
from billing.policy.selectors import fee_policy_for, fee_policy_of
from billing.policy.services import (
    fee_cap_warnings,
    fee_document_set,
    fee_policy_save,
    fee_rate_change,
)


@login_required
@school_admin_required
def policy(request):
    """The term's fee standard under the county's cap."""
    term = billing_term_for_user(request.user, request.GET.get("term") or request.POST.get("term"))
    current = fee_policy_of(term) or fee_policy_for(term)
    if request.method == "POST":
        form = FeePolicyForm(request.POST, instance=current)
        if form.is_valid():
            try:
                saved = fee_policy_save(term=term, data=form.cleaned_data, by=request.user)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("收费标准已保存。"))
                for warning in fee_cap_warnings(saved):
                    messages.warning(request, warning)
                return redirect(reverse("billing:policy") + f"?term={term.pk}")
    else:
        form = FeePolicyForm(instance=current)
    return _render(request, term, form=form, rate_form=RateChangeForm())


def _render(request, term, *, form, rate_form, document_form=None):
    return render(
        request,
        "billing/policy.html",
        {
            "term": term,
            "form": form,
            "rate_form": rate_form,
            "document_form": document_form or FeeDocumentForm(instance=term.school),
            "rate_changes": FeeRateChange.objects.filter(term=term).order_by("effective_from"),
            "school": term.school,
            "terms": terms_for_user(request.user),
        },
    )


@login_required
@school_admin_required
@require_POST
def rate_change(request):
    """A new rate per period from a date; errors are shown on the policy page."""
    term = billing_term_for_user(request.user, request.POST.get("term"))
    rate_form = RateChangeForm(request.POST)
    if rate_form.is_valid():
        try:
            fee_rate_change(term=term, by=request.user, **rate_form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(rate_form, exc)
        else:
            messages.success(request, _("单价调整已保存，自生效日期起按新单价收费。"))
            return redirect(reverse("billing:policy") + f"?term={term.pk}")
    current = fee_policy_of(term) or fee_policy_for(term)
    return _render(request, term, form=FeePolicyForm(instance=current), rate_form=rate_form)


@login_required
@school_admin_required
@require_POST
def fee_document(request):
    """The school's 收费依据文件号; errors are shown on the policy page."""
    term = billing_term_for_user(request.user, request.POST.get("term"))
    form = FeeDocumentForm(request.POST, instance=term.school)
    if form.is_valid():
        try:
            fee_document_set(
                school=term.school, document=form.cleaned_data["fee_document"], by=request.user
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("收费依据文件号已保存。"))
            return redirect(reverse("billing:policy") + f"?term={term.pk}")
    # Show the school's saved number in the notice, the typed one in the form.
    term.school.refresh_from_db(fields=["fee_document"])
    current = fee_policy_of(term) or fee_policy_for(term)
    return _render(
        request,
        term,
        form=FeePolicyForm(instance=current),
        rate_form=RateChangeForm(),
        document_form=form,
    )
