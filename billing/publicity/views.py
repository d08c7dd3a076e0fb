"""Fee publicity (收费公示): the admin's publish page, the public page and
its A4 PDF (no login, no personal data)."""

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
from afterschool.pdf import render_pdf
from billing.access import billing_term_for_user
from billing.models import FeePublication
from billing.publicity.forms import PublishForm
from billing.publicity.selectors import fee_notice, published_term, qr_svg_data_uri
from billing.publicity.services import fee_publication_publish


@login_required
@school_admin_required
def publicity(request):
    """The term's fee publicity: publish it (or update how to pay) and open
    the public page and its notice."""
    term = billing_term_for_user(request.user, request.GET.get("term") or request.POST.get("term"))
    publication = FeePublication.objects.filter(term=term).first()
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                fee_publication_publish(
                    term=term, by=request.user, how_to_pay=form.cleaned_data["how_to_pay"]
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("收费已公示。"))
                return redirect(reverse("billing:publicity") + f"?term={term.pk}")
    else:
        form = PublishForm(initial={"how_to_pay": publication.how_to_pay if publication else ""})
    return render(
        request,
        "billing/publicity/manage.html",
        {"term": term, "publication": publication, "form": form},
    )


def _context(request, term):
    url = request.build_absolute_uri(reverse("billing:fee-notice", args=[term.pk]))
    return {"notice": fee_notice(term), "url": url, "qr": qr_svg_data_uri(url)}


def fee_notice_page(request, pk):
    """The public fee notice of a published term (anyone, no login)."""
    term = published_term(pk)
    return render(request, "billing/publicity/notice.html", _context(request, term))


def fee_notice_pdf(request, pk):
    """The A4 notice of a published term, with a QR code to the page."""
    term = published_term(pk)
    context = _context(request, term)
    response = HttpResponse(
        render_pdf("billing/pdf/fee_notice.html", context), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition(
        f"{context['notice'].title}.pdf", f"fee-notice-{term.pk}.pdf"
    )
    return response
