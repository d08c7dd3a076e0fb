"""Enrollment pages for the three roles (thin: access helper → form → one
service call → redirect with a message; STYLE.md §2).

Guardians work on a phone (375 px): single-column cards. Staff get
django-tables2 tables with django-filter filters.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from afterschool.access import classes_for_user, school_admin_required, students_for_user
from afterschool.models import GRADE_NAMES, Role, Term
from enrollment import access, pdf, selectors, services
from enrollment.agreements import (
    PLACEHOLDERS,
    agreement_context,
    agreement_render,
    template_body_validate,
)
from enrollment.filters import ApplicationReviewFilter
from enrollment.forms import (
    AgreementSignForm,
    AgreementTemplateForm,
    ApplicationForm,
    EnrollmentSettingsForm,
    PaperSurveyForm,
    ReasonForm,
    SurveyAnswerForm,
    WaiverDecisionForm,
)
from enrollment.models import (
    Agreement,
    Application,
    EnrollmentSettings,
    OptOut,
    PrintJob,
    PrintJobStatus,
    Status,
    Survey,
    SurveyResponse,
)
from enrollment.tables import ApplicationReviewTable

STAFF_REVIEW = {Role.HOMEROOM, Role.ADMIN}
WITHDRAWABLE = {
    Status.SUBMITTED,
    Status.RETURNED,
    Status.APPROVED_BY_HOMEROOM,
    Status.SUBMITTED_TO_SCHOOL,
    Status.APPROVED,
}


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _staff_term(request: HttpRequest) -> Term | None:
    return selectors.current_term(request.user.school_id) if request.user.school_id else None


def _term_class_or_404(school_class, term: Term | None) -> None:
    """Class pages work on the current term's school year only: a class of
    another school year (e.g. next year's, imported early) is not found."""
    if term is not None and school_class.school_year_id != term.school_year_id:
        raise Http404


def _no_term(request: HttpRequest) -> HttpResponse:
    return render(request, "enrollment/no_term.html", status=200)


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# ------------------------------------------------------------------ guardian


@login_required
def family(request: HttpRequest) -> HttpResponse:
    """家长首页: each child with its own survey / application / opt-out /
    agreement actions (siblings each get their own card). The same number
    of queries whatever the number of children (plus one per school for its
    term). Staff who open /enrollment/ are sent to their own start page
    (homeroom teacher: the class list; admin: the surveys); other roles 403."""
    if request.user.role == Role.HOMEROOM:
        return redirect("enrollment:class-list")
    if request.user.role == Role.ADMIN:
        return redirect("enrollment:surveys")
    if request.user.role != Role.GUARDIAN:
        raise PermissionDenied
    children = list(students_for_user(request.user).order_by("name"))
    terms: dict[int, Term | None] = {}
    for child in children:
        if child.school_id not in terms:
            terms[child.school_id] = selectors.current_term(child.school_id)
    term_ids = [t.pk for t in terms.values() if t]
    apps = {
        a.student_id: a
        for a in Application.objects.filter(
            student__in=children, term_id__in=term_ids
        ).select_related("agreement", "waiver")
    }
    opt_outs = {
        o.student_id: o
        for o in OptOut.objects.filter(
            student__in=children, term_id__in=term_ids, revoked_at__isnull=True
        )
    }
    surveys = {s.term_id: s for s in Survey.objects.filter(term_id__in=term_ids)}
    reapply_terms = set(
        EnrollmentSettings.objects.filter(
            term_id__in=term_ids, allow_reapply_after_withdrawal=True
        ).values_list("term_id", flat=True)
    )
    responses = {
        r.student_id: r
        for r in SurveyResponse.objects.filter(
            student__in=children, survey__in=[s.pk for s in surveys.values()]
        )
    }
    cards = []
    for child in children:
        term = terms[child.school_id]
        app = apps.get(child.pk)
        survey = surveys.get(term.pk) if term else None
        cards.append(
            {
                "child": child,
                "term": term,
                "application": app,
                "agreement": getattr(app, "agreement", None) if app else None,
                "opt_out": opt_outs.get(child.pk),
                "survey": survey,
                "response": responses.get(child.pk),
                "can_reapply": bool(term and term.pk in reapply_terms),
            }
        )
    return render(request, "enrollment/family.html", {"cards": cards})


def _child_and_term(request: HttpRequest, student_pk: int):
    child = access.get_own_child_for_user(request.user, student_pk)
    term = selectors.current_term(child.school_id)
    if term is None:
        raise Http404
    return child, term


@login_required
def survey_answer(request: HttpRequest, student_pk: int) -> HttpResponse:
    """The family's survey answer (调查摸底, seed 一.5 (1))."""
    child, term = _child_and_term(request, student_pk)
    survey = Survey.objects.filter(term=term).first()
    if survey is None:
        raise Http404
    existing = SurveyResponse.objects.filter(survey=survey, student=child).first()
    initial = {}
    if existing:
        initial = {
            "answer": existing.answer,
            "wants_noon": existing.wants_noon,
            "wants_after_school": existing.wants_after_school,
            "wants_featured_day": existing.wants_featured_day,
        }
    form = SurveyAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                survey=survey, student=child, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("意向调查回执已提交。"))
            return redirect("enrollment:family")
    return render(
        request,
        "enrollment/survey_answer.html",
        {"form": form, "child": child, "survey": survey, "response": existing},
    )


def _application_form_page(request, *, child, term, paper: bool, cancel_url: str):
    """Shared by the guardian's form and the teacher's paper entry."""
    app = Application.objects.filter(student=child, term=term).first()
    opt_out = OptOut.objects.filter(student=child, term=term, revoked_at__isnull=True).first()
    if app and app.status not in {Status.DRAFT, Status.RETURNED, Status.WITHDRAWN}:
        messages.info(request, _("申请已提交，不能再修改。"))
        return redirect("enrollment:application-detail", pk=app.pk)
    if (
        app
        and app.status == Status.WITHDRAWN
        and not selectors.enrollment_settings_for(term).allow_reapply_after_withdrawal
    ):
        messages.info(request, _("本学期已退出课后服务，按学校规定本学期不能再次申请。"))
        return redirect("enrollment:application-detail", pk=app.pk)
    # Reason is never pre-filled from anything but the family's own draft.
    # Bound on every POST, even an empty one (all boxes unticked).
    form = ApplicationForm(request.POST if request.method == "POST" else None, instance=app)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        action = services.application_submit if submit else services.application_save_draft
        try:
            saved = action(
                student=child, term=term, data=form.cleaned_data, by=request.user, on_paper=paper
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if submit:
                messages.success(request, _("申请已提交，请等待班主任审核。"))
                return redirect("enrollment:application-detail", pk=saved.pk)
            messages.success(request, _("草稿已保存。"))
            return redirect(request.path)
    return render(
        request,
        "enrollment/application_form.html",
        {
            "form": form,
            "child": child,
            "term": term,
            "application": app,
            "opt_out": opt_out,
            "paper": paper,
            "cancel_url": cancel_url,
            "times": selectors.term_times(term),
        },
    )


@login_required
def application_edit(request: HttpRequest, student_pk: int) -> HttpResponse:
    """课后服务申请书 on a phone: save a draft, submit, resubmit after return."""
    child, term = _child_and_term(request, student_pk)
    return _application_form_page(
        request, child=child, term=term, paper=False, cancel_url=reverse("enrollment:family")
    )


@login_required
def opt_out(request: HttpRequest, student_pk: int) -> HttpResponse:
    """放弃申请 (seed 一.5 (6)): read the declaration, confirm it."""
    child, term = _child_and_term(request, student_pk)
    active = OptOut.objects.filter(student=child, term=term, revoked_at__isnull=True).first()
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if active is None:
                raise Http404
            try:
                services.opt_out_revoke(opt_out=active, by=request.user)
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("已撤回放弃声明，可以重新申请。"))
            return redirect("enrollment:family")
        try:
            services.opt_out_declare(student=child, term=term, by=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("放弃申请声明已提交。"))
            return redirect("enrollment:family")
    statement = active.statement if active else services.opt_out_statement(student=child, term=term)
    return render(
        request,
        "enrollment/opt_out.html",
        {"child": child, "term": term, "opt_out": active, "statement": statement},
    )


def _reason_page(
    request: HttpRequest, app, *, act, label, success, title, button, danger=False
) -> HttpResponse:
    """The one page for actions that need a written reason (withdraw, return,
    terminate): ``act(reason)`` calls the service; its ValidationError is shown
    on the form, success goes back to the application."""
    form = ReasonForm(request.POST or None, label=label)
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect("enrollment:application-detail", pk=app.pk)
    return render(
        request,
        "enrollment/reason_form.html",
        {"form": form, "application": app, "title": title, "button": button, "danger": danger},
    )


@login_required
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw in writing (guardian; staff record a paper withdrawal)."""
    app = access.get_application_for_user(
        request.user, pk, roles={Role.GUARDIAN, Role.HOMEROOM, Role.ADMIN}
    )
    return _reason_page(
        request,
        app,
        act=lambda reason: services.application_withdraw(
            application=app, by=request.user, reason=reason
        ),
        label=_("退出说明（书面）"),
        success=_("已退出课后服务。"),
        title=_("退出课后服务"),
        button=_("确认退出"),
        danger=True,
    )


@login_required
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the 《课后服务协议书》 and sign: full name typed, consent ticked."""
    app = access.get_application_for_user(request.user, pk, roles={Role.GUARDIAN})
    if Agreement.objects.filter(application=app).exists():
        return redirect("enrollment:agreement-detail", pk=app.pk)
    if app.status != Status.APPROVED:
        messages.error(request, _("学校批准申请后才能签署协议书。"))
        return redirect("enrollment:application-detail", pk=app.pk)
    guardian = services.guardian_record_for(user=request.user, student=app.student)
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
    app = access.get_application_for_user(request.user, pk)
    agreement = (
        Agreement.objects.filter(application=app)
        .select_related("signed_by", "paper_received_by")
        .first()
    )
    if agreement is None:
        raise Http404
    return render(
        request, "enrollment/agreement_detail.html", {"application": app, "agreement": agreement}
    )


# -------------------------------------------------------------- any role


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application with its history timeline and the actions the user's
    role may take in its status; for the school admin also the 变更记录
    (every saved version with who changed which field, from the audit trail)."""
    app = access.get_application_for_user(request.user, pk)
    role = request.user.role
    agreement = (
        Agreement.objects.filter(application=app)
        .select_related("signed_by", "paper_received_by")
        .first()
    )
    staff = role in STAFF_REVIEW
    return render(
        request,
        "enrollment/application_detail.html",
        {
            "application": app,
            "events": selectors.application_events(app),
            "agreement": agreement,
            "is_guardian": role == Role.GUARDIAN,
            "is_staff": staff,
            "is_admin": role == Role.ADMIN,
            "can_review": staff and app.status in {Status.SUBMITTED, Status.APPROVED_BY_HOMEROOM},
            "can_school_review": role == Role.ADMIN and app.status == Status.SUBMITTED_TO_SCHOOL,
            "can_withdraw": app.status in WITHDRAWABLE,
            "can_sign": role == Role.GUARDIAN and app.status == Status.APPROVED and not agreement,
            "can_paper_agreement": staff and app.status == Status.APPROVED and not agreement,
            # 变更记录 (audit trail, issue 6): the school admin only.
            "change_history": (
                selectors.application_change_history(app) if role == Role.ADMIN else None
            ),
        },
    )


# ------------------------------------------------------------- homeroom


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    """The classes a homeroom teacher (own) or admin (all) reviews."""
    if request.user.role not in STAFF_REVIEW:
        raise PermissionDenied
    term = _staff_term(request)
    return render(
        request,
        "enrollment/class_list.html",
        {
            "classes": (
                classes_for_user(request.user).filter(school_year_id=term.school_year_id)
                if term
                else classes_for_user(request.user)
            ),
            "term": term,
            "survey": Survey.objects.filter(term=term).first() if term else None,
        },
    )


@login_required
def class_survey(request: HttpRequest, pk: int) -> HttpResponse:
    """The class's survey answers as they arrive, and a form to record a
    paper answer for a family (seed 一.5 (1) 各班主任…调查摸底)."""
    school_class = access.get_review_class_for_user(request.user, pk)
    term = _staff_term(request)
    _term_class_or_404(school_class, term)
    survey = Survey.objects.filter(term=term).first() if term else None
    if survey is None:
        return render(request, "enrollment/no_survey.html", {"school_class": school_class})
    rows = list(selectors.class_survey_rows(school_class=school_class, survey=survey))
    form = PaperSurveyForm(request.POST or None, students=school_class.students.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        student = data.pop("student")
        try:
            services.survey_answer(
                survey=survey, student=student, by=request.user, on_paper=True, **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已登记%(name)s的纸质回执。") % {"name": student.name})
            return redirect("enrollment:class-survey", pk=school_class.pk)
    counts = {"join": 0, "decline": 0, "undecided": 0, "none": 0}
    for s in rows:
        counts[s.responses[0].answer if s.responses else "none"] += 1
    return render(
        request,
        "enrollment/class_survey.html",
        {
            "school_class": school_class,
            "survey": survey,
            "rows": rows,
            "form": form,
            "counts": counts,
        },
    )


@login_required
def class_review(request: HttpRequest, pk: int) -> HttpResponse:
    """班主任审核 (seed 一.5 (3)): the class's applications in a sortable,
    filterable table with bulk approve; students still without an
    application (paper entry) and the 以班为单位上报 button."""
    school_class = access.get_review_class_for_user(request.user, pk)
    term = _staff_term(request)
    _term_class_or_404(school_class, term)
    if term is None:
        return _no_term(request)
    qs = selectors.class_applications(school_class=school_class, term=term)
    filterset = ApplicationReviewFilter(request.GET or None, queryset=qs)
    table = ApplicationReviewTable(filterset.qs)
    RequestConfig(request, paginate=False).configure(table)
    missing = list(
        selectors.class_students_without_application(school_class=school_class, term=term)
    )
    submission = school_class.submissions.filter(term=term).first()
    return render(
        request,
        "enrollment/class_review.html",
        {
            "school_class": school_class,
            "term": term,
            "filter": filterset,
            "table": table,
            "missing": missing,
            "submission": submission,
        },
    )


@login_required
@require_POST
def class_bulk_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve the ticked applications of the class, all or nothing."""
    school_class = access.get_review_class_for_user(request.user, pk)
    term = _staff_term(request)
    _term_class_or_404(school_class, term)
    ids = [int(i) for i in request.POST.getlist("select") if i.isdigit()]
    apps = list(
        selectors.class_applications(school_class=school_class, term=term).filter(pk__in=ids)
    )
    if not apps:
        messages.error(request, _("请先勾选要审核通过的申请。"))
    else:
        try:
            n = services.applications_bulk_approve(applications=apps, by=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("已审核通过%(n)d份申请。") % {"n": n})
    return redirect("enrollment:class-review", pk=school_class.pk)


@login_required
@require_POST
def class_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """以班为单位上报学校 (seed 一.5 (3))."""
    school_class = access.get_review_class_for_user(request.user, pk)
    term = _staff_term(request)
    _term_class_or_404(school_class, term)
    if term is None:
        raise Http404
    try:
        services.class_submit_to_school(school_class=school_class, term=term, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("班级名单已上报学校，等待学校审核。"))
    return redirect("enrollment:class-review", pk=school_class.pk)


@login_required
def paper_application(request: HttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """The homeroom teacher enters a paper application for a family."""
    child = access.get_class_student_for_user(request.user, pk, student_pk)
    term = _staff_term(request)
    _term_class_or_404(child.school_class, term)
    if term is None:
        return _no_term(request)
    return _application_form_page(
        request,
        child=child,
        term=term,
        paper=True,
        cancel_url=reverse("enrollment:class-review", args=[pk]),
    )


@login_required
@require_POST
def paper_opt_out(request: HttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """Record a family's paper opt-out declaration."""
    child = access.get_class_student_for_user(request.user, pk, student_pk)
    term = _staff_term(request)
    _term_class_or_404(child.school_class, term)
    if term is None:
        raise Http404
    try:
        services.opt_out_declare(student=child, term=term, by=request.user, on_paper=True)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已登记%(name)s的纸质放弃申请。") % {"name": child.name})
    return redirect("enrollment:class-review", pk=pk)


@login_required
@require_POST
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Homeroom approval of one application."""
    app = access.get_application_for_user(request.user, pk, roles=STAFF_REVIEW)
    try:
        services.application_approve_homeroom(application=app, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已审核通过%(name)s的申请。") % {"name": app.student.name})
    return redirect(request.POST.get("next") or reverse("enrollment:application-detail", args=[pk]))


@login_required
def application_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Return with a reason: homeroom (before the class list goes to the
    school) or the school (after)."""
    app = access.get_application_for_user(request.user, pk, roles=STAFF_REVIEW)

    def act(reason: str) -> None:
        if app.status == Status.SUBMITTED_TO_SCHOOL and request.user.role == Role.ADMIN:
            services.school_return_application(application=app, by=request.user, reason=reason)
        else:
            services.application_return(application=app, by=request.user, reason=reason)

    return _reason_page(
        request,
        app,
        act=act,
        label=_("退回理由（家长可见）"),
        success=_("申请已退回给家长。"),
        title=_("退回申请"),
        button=_("退回"),
    )


@login_required
@require_POST
def agreement_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a paper agreement as received."""
    app = access.get_application_for_user(request.user, pk, roles=STAFF_REVIEW)
    try:
        services.agreement_mark_paper_received(application=app, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已登记收回纸质协议书。"))
    return redirect("enrollment:application-detail", pk=app.pk)


# ----------------------------------------------------------------- admin


@login_required
@school_admin_required
def surveys(request: HttpRequest) -> HttpResponse:
    """The term's survey: open or close it; the term's enrollment settings."""
    term = _staff_term(request)
    if term is None:
        return _no_term(request)
    settings = selectors.enrollment_settings_for(term)
    form = EnrollmentSettingsForm(
        request.POST or None, initial={"allow_reapply": settings.allow_reapply_after_withdrawal}
    )
    if request.method == "POST" and form.is_valid():
        services.enrollment_settings_save(
            term=term, allow_reapply=form.cleaned_data["allow_reapply"], by=request.user
        )
        messages.success(request, _("报名设置已保存。"))
        return redirect("enrollment:surveys")
    return render(
        request,
        "enrollment/surveys.html",
        {"term": term, "survey": Survey.objects.filter(term=term).first(), "form": form},
    )


@login_required
@school_admin_required
@require_POST
def survey_open(request: HttpRequest) -> HttpResponse:
    term = _staff_term(request)
    if term is None:
        raise Http404
    survey = services.survey_open(term=term, by=request.user)
    messages.success(request, _("意向调查已开始，家长可以在手机上填写。"))
    return redirect("enrollment:survey-figures", pk=survey.pk)


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.get_survey_for_user(request.user, pk)
    try:
        services.survey_close(survey=survey, by=request.user)
    except ValidationError as exc:
        raise PermissionDenied from exc
    messages.success(request, _("意向调查已结束。"))
    return redirect("enrollment:survey-figures", pk=survey.pk)


@login_required
def survey_figures(request: HttpRequest, pk: int) -> HttpResponse:
    """Figures per class and grade: joining, declining, undecided, no answer,
    and priority-group children among each (one aggregate query)."""
    survey = access.get_survey_for_user(request.user, pk)
    if request.user.role != Role.ADMIN:
        raise PermissionDenied
    grades, total = selectors.survey_figures(survey)
    return render(
        request,
        "enrollment/survey_figures.html",
        {"survey": survey, "grades": grades, "total": total},
    )


@login_required
@school_admin_required
def submissions(request: HttpRequest) -> HttpResponse:
    """学校审核 (seed 一.5 (4)): the term's class submissions."""
    term = _staff_term(request)
    if term is None:
        return _no_term(request)
    return render(
        request,
        "enrollment/submissions.html",
        {
            "term": term,
            "submissions": selectors.submissions_for_school(
                school_id=request.user.school_id, term=term
            ),
        },
    )


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One class submission: approve all, or return single applications."""
    submission = access.get_submission_for_user(request.user, pk)
    apps = selectors.applications_with_people(
        Application.objects.filter(class_submission=submission)
        | Application.objects.filter(
            student__school_class=submission.school_class,
            term=submission.term,
            status__in=[Status.APPROVED, Status.TERMINATED],
        )
    ).order_by("status", "student__name")
    return render(
        request,
        "enrollment/submission_detail.html",
        {"submission": submission, "applications": apps},
    )


@login_required
@require_POST
def submission_approve(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.get_submission_for_user(request.user, pk)
    try:
        n = services.school_approve_class(submission=submission, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已批准%(n)d份申请。") % {"n": n})
    return redirect("enrollment:submission-detail", pk=submission.pk)


@login_required
def application_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """终止资格 (seed 二.3), school admin only, with a reason."""
    app = access.get_application_for_user(request.user, pk, roles={Role.ADMIN})
    return _reason_page(
        request,
        app,
        act=lambda reason: services.application_terminate(
            application=app, by=request.user, reason=reason
        ),
        label=_("终止理由"),
        success=_("已终止该学生的课后服务资格。"),
        title=_("终止课后服务资格"),
        button=_("确认终止"),
        danger=True,
    )


@login_required
@school_admin_required
def waivers(request: HttpRequest) -> HttpResponse:
    """The term's fee-waiver requests to decide."""
    term = _staff_term(request)
    if term is None:
        return _no_term(request)
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
    form = WaiverDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.waiver_decide(
                waiver=waiver,
                approve=form.cleaned_data["decision"] == "approve",
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("减免审核结果已保存。"))
            return redirect("enrollment:waivers")
    return render(request, "enrollment/waiver_decide.html", {"form": form, "waiver": waiver})


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
        preview = _preview(request, current.body)
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
        },
    )


def _preview(request: HttpRequest, body: str) -> str:
    template_body_validate(body)
    term = _staff_term(request)
    sample = (
        Application.objects.filter(student__school_id=request.user.school_id, term=term)
        .exclude(status=Status.DRAFT)
        .select_related("student__school", "student__school_class", "term")
        .first()
        if term
        else None
    )
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


# -------------------------------------------------------------- printing


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
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
    template = services.agreement_template_current(school=app.student.school)
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
    term = _staff_term(request)
    if term is None:
        return _no_term(request)
    grades = selectors.agreement_print_rows(classes=classes_for_user(request.user), term=term)
    jobs = (
        PrintJob.objects.filter(requested_by=request.user, term=term)
        .select_related("school_class")
        .defer("pdf")[:10]
    )
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
        template = services.agreement_template_current(school=request.user.school)
        data = pdf.agreements_pdf(list(qs), template=template, school=request.user.school)
        return _pdf_response(data, pdf.pdf_filename(_("课后服务协议书"), term.name, label))
    try:
        job = services.print_job_request(
            by=request.user, term=term, school_class=school_class, grade=grade
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
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
    school_class = access.get_review_class_for_user(request.user, pk)
    term = _staff_term(request)
    _term_class_or_404(school_class, term)
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
    term = _staff_term(request)
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
    term = _staff_term(request)
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
