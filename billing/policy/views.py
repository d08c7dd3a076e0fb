"""The term's fee standard page (school admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from afterschool.access import school_admin_required, terms_for_user
from billing.access import billing_term_for_user
from billing.http import errors_to_form
from billing.policy.forms import FeePolicyForm
from billing.policy.selectors import fee_policy_for, fee_policy_of
from billing.policy.services import fee_cap_warnings, fee_policy_save


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
    return render(
        request,
        "billing/policy.html",
        {
            "term": term,
            "form": form,
            "school": term.school,
            "terms": terms_for_user(request.user),
        },
    )
