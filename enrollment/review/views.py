"""Review pages (STYLE.md §2: thin views): 班主任审核 and 以班为单位上报 for the
homeroom teacher (seed 一.5 (3)), paper applications, and 学校审核 of class
submissions for the school (一.5 (4)). Staff get django-tables2 tables with
django-filter filters."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from afterschool.access import classes_for_user, school_admin_required, term_for_user
from afterschool.models import Role
from afterschool.redirects import next_url
from afterschool.selectors import classes_in_year_of
from afterschool.tables import url_maker
from enrollment import access
from enrollment.access import STAFF_REVIEW
from enrollment.applications.views import application_form_page, reason_page
from enrollment.models import Status, Survey
from enrollment.pages import error_text, no_term
from enrollment.review import selectors, services
from enrollment.review.filters import ApplicationReviewFilter
from enrollment.review.tables import ApplicationReviewTable


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    """The classes a homeroom teacher (own) or admin (all) reviews."""
    if request.user.role not in STAFF_REVIEW:
        raise PermissionDenied
    term = term_for_user(request.user)
    if term is None:
        classes = classes_in_year_of(classes_for_user(request.user))
    else:
        classes = selectors.classes_with_submission(
            classes_for_user(request.user).filter(school_year_id=term.school_year_id), term=term
        )
    # ?status=unsubmitted: the admin's to-do shows only the classes it names.
    only_unsubmitted = term is not None and request.GET.get("status") == "unsubmitted"
    if only_unsubmitted:
        classes = classes.filter(submitted=False)
    return render(
        request,
        "enrollment/class_list.html",
        {
            "classes": classes,
            "term": term,
            "only_unsubmitted": only_unsubmitted,
            "survey": Survey.objects.filter(term=term).first() if term else None,
        },
    )


@login_required
def class_review(request: HttpRequest, pk: int) -> HttpResponse:
    """班主任审核 (seed 一.5 (3)): the class's applications in a sortable,
    filterable table with bulk approve; students still without an
    application (paper entry) and the 以班为单位上报 button."""
    term = term_for_user(request.user)
    school_class = access.get_review_class_for_user(request.user, pk, term=term)
    if term is None:
        return no_term(request)
    qs = selectors.class_review_rows(school_class=school_class, term=term)
    filterset = ApplicationReviewFilter(request.GET or None, queryset=qs)
    table = ApplicationReviewTable(filterset.qs)
    RequestConfig(request, paginate=False).configure(table)
    filters_used = any(request.GET.get(name) for name in filterset.filters)
    if filters_used:
        counts = selectors.class_status_counts(school_class=school_class, term=term)
    else:
        # Unfiltered, the table's rows are the class's applications: count
        # them instead of asking again (the table reads the same rows).
        counts = selectors.status_counts_of(table.records())
    missing = list(
        selectors.class_students_without_application(
            school_class=school_class, term=term, school=request.user.school
        )
    )
    # Early in enrolment most of the class is here: one reverse() per URL
    # name, not two per student.
    paper_url = url_maker("enrollment:paper-application", school_class.pk)
    opt_out_url = url_maker("enrollment:paper-opt-out", school_class.pk)
    for student in missing:
        student.paper_url = paper_url(student.pk)
        student.opt_out_url = opt_out_url(student.pk)
    submission = school_class.submissions.filter(term=term).first()
    return render(
        request,
        "enrollment/class_review.html",
        {
            "school_class": school_class,
            "term": term,
            "filter": filterset,
            "filters_used": filters_used,
            "table": table,
            "counts": counts,
            "missing": missing,
            "submission": submission,
        },
    )


def _review_row(request: HttpRequest, app, note: str, error: bool = False) -> HttpResponse:
    """htmx answer to an action on one row of the class review table: the
    row as it is now, and (out of band) the status counts and a note."""
    school_class = app.student.school_class
    fresh = selectors.class_review_rows(school_class=school_class, term=app.term).get(pk=app.pk)
    table = ApplicationReviewTable([fresh])
    return render(
        request,
        "enrollment/_review_row.html",
        {
            "row": next(table.fast_rows()),
            "counts": selectors.class_status_counts(school_class=school_class, term=app.term),
            "note": note,
            "error": error,
        },
    )


@login_required
@require_POST
def class_bulk_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve the ticked applications of the class, all or nothing."""
    term = term_for_user(request.user)
    school_class = access.get_review_class_for_user(request.user, pk, term=term)
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
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已审核通过%(n)d份申请。") % {"n": n})
    return redirect("enrollment:class-review", pk=school_class.pk)


@login_required
@require_POST
def class_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """以班为单位上报学校 (seed 一.5 (3))."""
    term = term_for_user(request.user)
    school_class = access.get_review_class_for_user(request.user, pk, term=term)
    if term is None:
        raise Http404
    try:
        services.class_submit_to_school(school_class=school_class, term=term, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("班级名单已上报学校，等待学校审核。"))
    return redirect("enrollment:class-review", pk=school_class.pk)


@login_required
def paper_application(request: HttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """The homeroom teacher enters a paper application for a family."""
    term = term_for_user(request.user)
    child = access.get_class_student_for_user(request.user, pk, student_pk, term=term)
    if term is None:
        return no_term(request)
    return application_form_page(
        request,
        child=child,
        term=term,
        paper=True,
        cancel_url=reverse("enrollment:class-review", args=[pk]),
    )


@login_required
@require_POST
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Homeroom approval of one application."""
    app = access.get_application_for_user(request.user, pk, roles=STAFF_REVIEW)
    htmx = request.headers.get("HX-Request") == "true"
    try:
        services.application_approve_homeroom(application=app, by=request.user)
    except ValidationError as exc:
        if htmx:
            return _review_row(request, app, error_text(exc), error=True)
        messages.error(request, error_text(exc))
    else:
        done = _("已审核通过%(name)s的申请。") % {"name": app.student.name}
        if htmx:
            return _review_row(request, app, done)
        messages.success(request, done)
    if request.POST.get("from") == "review" or "select" in request.POST:
        # The button of the review table's bulk form, without script: back to its row.
        return redirect(
            reverse("enrollment:class-review", args=[app.student.school_class_id]) + f"#app-{pk}"
        )
    return redirect(next_url(request, reverse("enrollment:application-detail", args=[pk])))


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

    back = None
    if request.GET.get("from") == "review":
        # From the class review table: back to the list at this row.
        back = reverse("enrollment:class-review", args=[app.student.school_class_id]) + f"#app-{pk}"
    return reason_page(
        request,
        app,
        act=act,
        success_url=back,
        label=_("退回理由（家长可见）"),
        success=_("申请已退回给家长。"),
        title=_("退回申请"),
        button=_("退回"),
    )


@login_required
@school_admin_required
def submissions(request: HttpRequest) -> HttpResponse:
    """学校审核 (seed 一.5 (4)): the term's class submissions."""
    term = term_for_user(request.user)
    if term is None:
        return no_term(request)
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
    apps = list(selectors.submission_applications(submission))
    return render(
        request,
        "enrollment/submission_detail.html",
        {
            "submission": submission,
            "applications": apps,
            # 全部批准 only while some application waits for the school.
            "waiting": sum(a.status == Status.SUBMITTED_TO_SCHOOL for a in apps),
        },
    )


@login_required
@require_POST
def submission_approve(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.get_submission_for_user(request.user, pk)
    try:
        n = services.school_approve_class(submission=submission, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已批准%(n)d份申请。") % {"n": n})
    return redirect("enrollment:submission-detail", pk=submission.pk)
