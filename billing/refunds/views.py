"""Refund batches (school admin): the term's batches, one batch's items,
approve, export for the bank, mark paid."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import school_admin_required
from afterschool.exports import content_disposition
from afterschool.pages import show_errors
from billing.access import billing_term_for_user, get_refund_batch_for_user
from billing.models import FeeCredit, RefundBatch, SettlementMode
from billing.money import total
from billing.policy.selectors import fee_policy_for
from billing.refunds import services
from billing.refunds.selectors import carries_credits_forward, credits_held, next_term_of
from billing.sheets.export import CONTENT_TYPES


@login_required
@school_admin_required
def refunds(request):
    """Money left at term end: the policy's rule, what the term holds for
    families, and the term's refund batches. POST gathers a new batch, or
    with ``action`` carry moves the money to the next term (as the policy
    says, ``billing.refunds.selectors.carries_credits_forward``)."""
    term = billing_term_for_user(request.user, request.GET.get("term") or request.POST.get("term"))
    if request.method == "POST":
        carry = request.POST.get("action") == "carry"
        try:
            if carry:
                credits = services.credits_carry_forward(term=term, by=request.user)
            else:
                batch = services.refund_batch_create(term=term, by=request.user)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            if not carry:
                return redirect("billing:refund-batch", pk=batch.pk)
            messages.success(
                request,
                _("已将 %(n)s 名学生的结余共 %(total)s 元结转到下学期。")
                % {"n": len(credits), "total": total(c.amount for c in credits)},
            )
        return redirect(reverse("billing:refunds") + f"?term={term.pk}")
    policy = fee_policy_for(term)
    held = credits_held(term)
    loose = FeeCredit.objects.filter(term=term, applied_to__isnull=True)
    batches = RefundBatch.objects.filter(term=term).select_related("created_by")
    return render(
        request,
        "billing/refunds/list.html",
        {
            "term": term,
            "batches": batches,
            "carries": carries_credits_forward(policy),
            "rule": SettlementMode(policy.settlement_mode).label,
            "next_term": next_term_of(term),
            "held_total": total(h.amount for h in held)
            + total(loose.values_list("amount", flat=True)),
        },
    )


@login_required
@school_admin_required
def refund_batch(request, pk):
    """One batch: its items; POST ``action`` approve or paid."""
    batch = get_refund_batch_for_user(request.user, pk)
    if request.method == "POST":
        action = {
            "approve": services.refund_batch_approve,
            "paid": services.refund_batch_mark_paid,
        }.get(request.POST.get("action"))
        try:
            if action is None:
                raise ValidationError(_("未知的操作。"))
            action(batch=batch, by=request.user)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("退款批次已更新。"))
        return redirect("billing:refund-batch", pk=batch.pk)
    items = batch.items.select_related("student", "statement__school_class").order_by("pk")
    return render(request, "billing/refunds/detail.html", {"batch": batch, "items": items})


@login_required
@school_admin_required
@require_POST
def refund_batch_export(request, pk):
    """The approved batch as .xlsx for the bank (POST: it records the export)."""
    batch = get_refund_batch_for_user(request.user, pk)
    try:
        data = services.refund_batch_xlsx(batch=batch)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("billing:refund-batch", pk=batch.pk)
    response = HttpResponse(data, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition(
        f"{_('退款清单')}-{batch.pk}.xlsx", f"refund-batch-{batch.pk}.xlsx"
    )
    return response
