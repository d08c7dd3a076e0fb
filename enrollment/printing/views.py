"""Printing pages (STYLE.md §2: thin views): one agreement as PDF, a class
or a grade as one PDF (in the request when small, else a background print
job with its progress page), and the blank paper forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import classes_for_user, school_admin_required, term_for_user
from afterschool.models import GRADE_NAMES, Role, Term
from enrollment import access
from enrollment.access import STAFF_REVIEW
from enrollment.agreements.services import agreement_template_current
from enrollment.models import Application, PrintJobStatus, Status
from enrollment.pages import error_text, no_term
from enrollment.printing import pdf, selectors, services


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    """``data`` as a PDF the browser offers to save as ``filename``."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """One 《课后服务协议书》 as PDF: the guardian (own child), the homeroom
    teacher (own class) or an admin (own school). Signed or paper-received:
    the frozen text and the signature record; approved but unsigned: the
    current template with blank signature lines; otherwise 404."""
    app = access.get_application_for_user(
        request.user, pk, roles={Role.GUARDIAN, Role.HOMEROOM, Role.ADMIN}
    )
    app = selectors.pdf_applications(Application.objects.filter(pk=app.pk)).get()
    if getattr(app, "agreement", None) is None and app.status != Status.APPROVED:
        raise Http404
    template = agreement_template_current(school=app.student.school)
    data = pdf.agreement_pdf(app, template=template)
    return _pdf_response(data, pdf.pdf_filename(_("课后服务协议书"), app.student.name))


def _print_roles(request: HttpRequest) -> None:
    if request.user.role not in STAFF_REVIEW or not request.user.school_id:
        raise PermissionDenied


@login_required
def agreements_print(request: HttpRequest) -> HttpResponse:
    """打印协议书: per class (a homeroom teacher's own, an admin's whole
    school by grade) the approved applications and signed agreements, with
    buttons to print a class or (admin) a grade as one PDF; the user's
    recent print jobs; the blank paper forms. Six queries whatever the
    school's size."""
    _print_roles(request)
    term = term_for_user(request.user)
    if term is None:
        return no_term(request)
    grades = selectors.agreement_print_rows(classes=classes_for_user(request.user), term=term)
    jobs = selectors.recent_print_jobs(user=request.user, term=term)
    return render(
        request,
        "enrollment/agreements_print.html",
        {
            "term": term,
            "grades": grades,
            "jobs": jobs,
            "is_admin": request.user.role == Role.ADMIN,
            "inline_max": services.agreement_print_inline_max(),
        },
    )


def _print_batch(request: HttpRequest, *, term: Term, school_class=None, grade=None):
    """Print a class or a grade: small batches render here, larger ones
    become a background print job."""
    qs = selectors.agreements_to_print(
        school_id=request.user.school_id, term=term, school_class=school_class, grade=grade
    )
    label = school_class.display_name if school_class else GRADE_NAMES.get(grade, str(grade))
    count = qs.count()
    if count == 0:
        messages.error(
            request, _("%(scope)s没有学校已批准的申请，无协议书可打印。") % {"scope": label}
        )
        return redirect("enrollment:agreements-print")
    if count <= services.agreement_print_inline_max():
        template = agreement_template_current(school=request.user.school)
        data = pdf.agreements_pdf(list(qs), template=template, school=request.user.school)
        return _pdf_response(data, pdf.pdf_filename(_("课后服务协议书"), term.name, label))
    try:
        job = services.print_job_request(
            by=request.user, term=term, school_class=school_class, grade=grade
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("enrollment:agreements-print")
    messages.info(
        request,
        _("%(scope)s共%(n)d份协议书，已转入后台生成，完成后可在此页下载。")
        % {"scope": label, "n": job.total},
    )
    return redirect("enrollment:print-job", pk=job.pk)


@login_required
@require_POST
def agreements_print_class(request: HttpRequest, pk: int) -> HttpResponse:
    """All approved agreements of a class as one PDF (homeroom: own class)."""
    term = term_for_user(request.user)
    school_class = access.get_review_class_for_user(request.user, pk, term=term)
    if term is None:
        raise Http404
    return _print_batch(request, term=term, school_class=school_class)


@login_required
@school_admin_required
@require_POST
def agreements_print_grade(request: HttpRequest, grade: int) -> HttpResponse:
    """All approved agreements of a grade as one PDF (admin)."""
    if grade not in GRADE_NAMES:
        raise Http404
    term = term_for_user(request.user)
    if term is None:
        raise Http404
    return _print_batch(request, term=term, grade=grade)


@login_required
def print_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background print job: progress while it runs (the page reloads
    itself every 3 seconds, no script), the file when done, the error when
    it failed."""
    job = access.get_print_job_for_user(request.user, pk)
    response = render(request, "enrollment/print_job.html", {"job": job})
    if not job.is_finished:
        # The Refresh header reloads the page: no script (the CSP allows
        # none without a nonce) and nothing for the user to press.
        response["Refresh"] = "3"
    return response


@login_required
def print_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished print job's PDF (404 until it is done)."""
    job = access.get_print_job_for_user(request.user, pk, with_pdf=True)
    if job.status != PrintJobStatus.DONE or not job.pdf:
        raise Http404
    return _pdf_response(
        bytes(job.pdf), pdf.pdf_filename(_("课后服务协议书"), job.term.name, job.scope_label)
    )


def _blank_form_term(request: HttpRequest) -> Term:
    _print_roles(request)
    term = term_for_user(request.user)
    if term is None:
        raise Http404
    return term


@login_required
def blank_application_form(request: HttpRequest) -> HttpResponse:
    """The blank 课后服务申请书 of the user's school and term (homeroom, admin)."""
    term = _blank_form_term(request)
    return _pdf_response(
        pdf.application_form_pdf(term=term), pdf.pdf_filename(_("课后服务申请书"), term.name)
    )


@login_required
def blank_opt_out_form(request: HttpRequest) -> HttpResponse:
    """The blank 放弃申请 of the user's school and term (homeroom, admin)."""
    term = _blank_form_term(request)
    return _pdf_response(
        pdf.opt_out_form_pdf(term=term), pdf.pdf_filename(_("课后服务放弃申请"), term.name)
    )
