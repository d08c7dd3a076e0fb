"""The family's pages and the pages of one application (any role that may
see it): thin, access helper → form → one service call → redirect with a
message (STYLE.md §2). Guardians work on a phone (375 px): single-column
cards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from afterschool.access import students_for_user
from afterschool.models import Role, Student, Term
from afterschool.params import BadQueryParameter
from afterschool.selectors import current_term, term_times_text
from enrollment import access
from enrollment.access import STAFF_REVIEW
from enrollment.agreements.selectors import agreement_of
from enrollment.applications import selectors, services
from enrollment.applications.forms import WRITTEN_AFRESH_FIELDS, ApplicationForm, ReasonForm
from enrollment.applications.services import WITHDRAWABLE
from enrollment.models import Application, Status
from enrollment.optouts.selectors import active_opt_out


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
    cards = selectors.family_cards(children=children)
    return render(request, "enrollment/family.html", {"cards": cards})


def child_and_term(request: HttpRequest, student_pk: int) -> tuple[Student, Term]:
    """The guardian's own child ``student_pk`` (``access.get_own_child_for_user``)
    and the current term of the child's school; 404 when it has none."""
    child = access.get_own_child_for_user(request.user, student_pk)
    term = current_term(school=child.school_id)
    if term is None:
        raise Http404
    return child, term


def application_form_page(
    request: HttpRequest, *, child: Student, term: Term, paper: bool, cancel_url: str
) -> HttpResponse:
    """The application form, shared by the guardian's page and the homeroom
    teacher's paper entry (``review.views.paper_application``)."""
    app = Application.objects.filter(student=child, term=term).first()
    opt_out = active_opt_out(student=child, term=term)
    if app and not app.is_reopenable:
        messages.info(request, _("申请已提交，不能再修改。"))
        return redirect("enrollment:application-detail", pk=app.pk)
    if (
        app
        and app.status == Status.WITHDRAWN
        and not selectors.enrollment_settings_for(term).allow_reapply_after_withdrawal
    ):
        messages.info(request, _("本学期已退出课后服务，按学校规定本学期不能再次申请。"))
        return redirect("enrollment:application-detail", pk=app.pk)
    # A guardian's first form of the term may start from the child's last
    # application (offered; ``?start=last`` takes it): its arrangements only,
    # the reason and other own words stay empty.
    starting = None
    if app is None and not paper:
        starting = selectors.application_starting_point(student=child, term=term)
    started = _start_from_last(request) and starting is not None
    # Reason is never pre-filled from anything but the family's own draft.
    # Bound on every POST, even an empty one (all boxes unticked).
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        instance=app,
        initial=starting.initial if started else None,
    )
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
            "times": term_times_text(term),
            "starting_point": starting,
            "started_from_last": started,
            "written_afresh": [
                Application._meta.get_field(name).verbose_name for name in WRITTEN_AFRESH_FIELDS
            ],
        },
    )


def _start_from_last(request: HttpRequest) -> bool:
    """Whether the page was asked to start from the last application
    (``?start=last``); blank or absent: no. Anything else is a 400."""
    value = request.GET.get("start", "")
    if value not in ("", "last"):
        raise BadQueryParameter("start", value)
    return value == "last"


@login_required
def application_edit(request: HttpRequest, student_pk: int) -> HttpResponse:
    """课后服务申请书 on a phone: save a draft, submit, resubmit after return."""
    child, term = child_and_term(request, student_pk)
    return application_form_page(
        request, child=child, term=term, paper=False, cancel_url=reverse("enrollment:family")
    )


def reason_page(
    request: HttpRequest,
    app,
    *,
    act,
    label,
    success,
    title,
    button,
    danger=False,
    success_url: str | None = None,
) -> HttpResponse:
    """The one page for actions that need a written reason (withdraw, return,
    terminate): ``act(reason)`` calls the service; its ValidationError is shown
    on the form, success goes back to ``success_url`` (a path we built, never
    one from the request), by default the application."""
    form = ReasonForm(request.POST or None, label=label)
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(success_url or reverse("enrollment:application-detail", args=[app.pk]))
    return render(
        request,
        "enrollment/reason_form.html",
        {
            "form": form,
            "application": app,
            "title": title,
            "button": button,
            "danger": danger,
            "cancel_url": success_url,
        },
    )


@login_required
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw in writing (guardian; staff record a paper withdrawal)."""
    app = access.get_application_for_user(
        request.user, pk, roles={Role.GUARDIAN, Role.HOMEROOM, Role.ADMIN}
    )
    return reason_page(
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
def application_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """终止资格 (seed 二.3), school admin only, with a reason."""
    app = access.get_application_for_user(request.user, pk, roles={Role.ADMIN})
    return reason_page(
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
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application with its history timeline and the actions the user's
    role may take in its status; for the school admin also the 变更记录
    (every saved version with who changed which field, from the audit trail)."""
    app = access.get_application_for_user(request.user, pk)
    role = request.user.role
    agreement = agreement_of(app)
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
            # 变更记录 (the audit trail): the school admin only.
            "change_history": (
                selectors.application_change_history(app) if role == Role.ADMIN else None
            ),
        },
    )
