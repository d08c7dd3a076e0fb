"""Agreement pages (STYLE.md §2: thin views): the guardian reads and signs
the 《课后服务协议书》, anyone who may see the application reads the frozen
text, staff record a paper one, the school edits its template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import school_admin_required, term_for_user
from afterschool.models import Role
from enrollment import access
from enrollment.access import STAFF_REVIEW
from enrollment.agreements import selectors, services
from enrollment.agreements.forms import AgreementSignForm, AgreementTemplateForm
from enrollment.agreements.texts import (
    ALLOWED_FILTERS,
    PLACEHOLDERS,
    agreement_context,
    agreement_render,
    template_body_validate,
)
from enrollment.models import Status
from enrollment.pages import error_text


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_required
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the 《课后服务协议书》 and sign: full name typed, consent ticked."""
    app = access.get_application_for_user(request.user, pk, roles={Role.GUARDIAN})
    if selectors.agreement_of(app) is not None:
        return redirect("enrollment:agreement-detail", pk=app.pk)
    if app.status != Status.APPROVED:
        messages.error(request, _("学校批准申请后才能签署协议书。"))
        return redirect("enrollment:application-detail", pk=app.pk)
    guardian = selectors.guardian_record_for(user=request.user, student=app.student)
    template = services.agreement_template_current(school=app.student.school)
    text = agreement_render(
        body=template.body,
        context=agreement_context(application=app, guardian_name=guardian.name if guardian else ""),
    )
    form = AgreementSignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_sign(
                application=app,
                by=request.user,
                signed_name=form.cleaned_data["signed_name"],
                consent=form.cleaned_data["consent"],
                ip=_client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("协议书已签署。"))
            return redirect("enrollment:agreement-detail", pk=app.pk)
    return render(
        request,
        "enrollment/agreement_sign.html",
        {"form": form, "application": app, "text": text, "template": template},
    )


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed or paper-received agreement, exactly as frozen."""
    app, agreement = access.get_agreement_for_user(request.user, pk)
    return render(
        request, "enrollment/agreement_detail.html", {"application": app, "agreement": agreement}
    )


@login_required
@require_POST
def agreement_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a paper agreement as received."""
    app = access.get_application_for_user(request.user, pk, roles=STAFF_REVIEW)
    try:
        services.agreement_mark_paper_received(application=app, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已登记收回纸质协议书。"))
    return redirect("enrollment:application-detail", pk=app.pk)


@login_required
@school_admin_required
def agreement_template(request: HttpRequest) -> HttpResponse:
    """协议书模板 editor: saving makes a new version; "preview" renders the
    text with a sample application of the school (or made-up values)."""
    school = request.user.school
    current = services.agreement_template_current(school=school)
    form = AgreementTemplateForm(request.POST or None, initial={"body": current.body})
    preview = None
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"].replace("\r\n", "\n")
        if request.POST.get("action") == "preview":
            try:
                preview = _preview(request, body)
            except ValidationError as exc:
                form.add_error("body", exc)
        else:
            try:
                saved = services.agreement_template_save(school=school, body=body, by=request.user)
            except ValidationError as exc:
                form.add_error("body", exc)
            else:
                messages.success(
                    request, _("已保存为第%(v)d版；已签署的协议不受影响。") % {"v": saved.version}
                )
                return redirect("enrollment:agreement-template")
    else:
        try:
            preview = _preview(request, current.body)
        except ValidationError as exc:  # a version saved before today's checks
            form.add_error("body", exc)
    versions = school.agreement_templates.select_related("created_by").order_by("-version")[:20]
    return render(
        request,
        "enrollment/agreement_template.html",
        {
            "form": form,
            "current": current,
            "preview": preview,
            "versions": versions,
            "placeholders": PLACEHOLDERS,
            "allowed_filters": "、".join(sorted(ALLOWED_FILTERS)),
        },
    )


def _preview(request: HttpRequest, body: str) -> str:
    """``body`` rendered with a submitted application of the school's
    current term, or with each placeholder's name when there is none.
    Raises ``ValidationError`` when ``body`` is not a valid template."""
    template_body_validate(body)
    term = term_for_user(request.user)
    sample = selectors.preview_application(school_id=request.user.school_id, term=term)
    if sample is None:
        context = {name: f"【{label}】" for name, label in PLACEHOLDERS.items()}
        context["is_boarder"] = False
        context["waiver"] = ""
        context["fee_document"] = ""
    else:
        guardian = sample.student.guardians.order_by("pk").first()
        context = agreement_context(
            application=sample, guardian_name=guardian.name if guardian else "________"
        )
    return agreement_render(body=body, context=context)
