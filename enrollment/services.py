"""Enrollment rules (STYLE.md §1): every write of the enrollment journey.

The journey is the seed's 服务流程 (一.5): (1) 调查摸底 → (2) 家长申请 → (3) 班主任
审核、以班为单位上报 → (4) 学校审核 → 协议书; (6) 放弃申请 for families who do not
join; 二.3 for 终止资格. Every status change of an application goes through
``application_transition``, which enforces ``TRANSITIONS``, locks the row and
writes an ``ApplicationEvent``. Errors are ``ValidationError`` with a Chinese
message the views show on the form.

These functions check the *role* of ``by`` (who may make a move at all) and
that ``by`` belongs to the student (school, class or family); the views also
scope which rows a user may see through ``enrollment/access.py``.
"""

from __future__ import annotations

import datetime
import functools
import io
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from pypdf import PdfReader

from afterschool.audit import audited
from afterschool.models import Guardian, Role, School, SchoolClass, Student, Term, User
from enrollment.agreements import (
    DEFAULT_BODY,
    agreement_context,
    agreement_render,
    template_body_validate,
)
from enrollment.models import (
    Agreement,
    AgreementTemplate,
    Application,
    ApplicationEvent,
    ClassSubmission,
    EnrollmentSettings,
    OptOut,
    PrintJob,
    PrintJobStatus,
    Status,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    WaiverRequest,
    WaiverStatus,
)
from enrollment.pdf import agreements_pdf
from enrollment.selectors import agreements_to_print, enrollment_settings_for, term_times

S = Status
STAFF_REVIEW = {Role.HOMEROOM, Role.ADMIN}
FAMILY_OR_STAFF = {Role.GUARDIAN, Role.HOMEROOM, Role.ADMIN}

# (from, to) → roles that may make the move. Staff may submit and withdraw on
# a family's behalf for paper forms (seed 一.5 (2): 书面向学校申请).
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (S.DRAFT, S.SUBMITTED): FAMILY_OR_STAFF,
    (S.RETURNED, S.SUBMITTED): FAMILY_OR_STAFF,
    (S.SUBMITTED, S.RETURNED): STAFF_REVIEW,
    (S.SUBMITTED, S.APPROVED_BY_HOMEROOM): STAFF_REVIEW,
    (S.APPROVED_BY_HOMEROOM, S.RETURNED): STAFF_REVIEW,
    (S.APPROVED_BY_HOMEROOM, S.SUBMITTED_TO_SCHOOL): STAFF_REVIEW,
    (S.SUBMITTED_TO_SCHOOL, S.APPROVED): {Role.ADMIN},
    (S.SUBMITTED_TO_SCHOOL, S.RETURNED): {Role.ADMIN},
    (S.APPROVED, S.TERMINATED): {Role.ADMIN},
    (S.SUBMITTED, S.WITHDRAWN): FAMILY_OR_STAFF,
    (S.RETURNED, S.WITHDRAWN): FAMILY_OR_STAFF,
    (S.APPROVED_BY_HOMEROOM, S.WITHDRAWN): FAMILY_OR_STAFF,
    (S.SUBMITTED_TO_SCHOOL, S.WITHDRAWN): FAMILY_OR_STAFF,
    (S.APPROVED, S.WITHDRAWN): FAMILY_OR_STAFF,
    # Re-applying after withdrawal, only where the term allows it.
    (S.WITHDRAWN, S.DRAFT): FAMILY_OR_STAFF,
}

# Moves that need a reason, and the message when it is missing.
REASON_REQUIRED = {
    S.RETURNED: _l("退回申请必须填写理由，家长会看到这条理由。"),
    S.WITHDRAWN: _l("退出课后服务须书面说明，请填写退出说明。"),
    S.TERMINATED: _l("终止资格必须填写理由。"),
}

# Specific messages for refusals people actually run into; others get a
# generic one naming both statuses.
REFUSALS: dict[tuple[str, str], Any] = {
    (S.SUBMITTED_TO_SCHOOL, S.RETURNED): _l("已提交学校审核的申请不能退回给家长，请由学校退回。"),
    (S.SUBMITTED_TO_SCHOOL, S.APPROVED): _l("只有学校管理员可以批准已上报学校的申请。"),
    (S.APPROVED, S.TERMINATED): _l("只有学校管理员可以终止学生的课后服务资格。"),
    (S.APPROVED, S.RETURNED): _l("学校已批准的申请不能退回；如需停止服务，请由学校终止资格。"),
    (S.APPROVED_BY_HOMEROOM, S.SUBMITTED_TO_SCHOOL): _l("请由班主任以班为单位上报学校。"),
    (S.SUBMITTED, S.APPROVED_BY_HOMEROOM): _l("只有班主任或学校管理员可以审核申请。"),
    (S.SUBMITTED, S.RETURNED): _l("只有班主任或学校管理员可以退回申请。"),
    (S.APPROVED_BY_HOMEROOM, S.RETURNED): _l("只有班主任或学校管理员可以退回申请。"),
    (S.SUBMITTED, S.APPROVED): _l("申请须先经班主任审核并以班为单位上报，学校才能批准。"),
    (S.APPROVED_BY_HOMEROOM, S.APPROVED): _l("申请须先以班为单位上报学校，学校才能批准。"),
    (S.WITHDRAWN, S.DRAFT): _l("本学期已退出课后服务，按学校规定本学期不能再次申请。"),
    (S.DRAFT, S.APPROVED_BY_HOMEROOM): _l("草稿尚未提交，不能审核。"),
}
FINAL_MESSAGES = {
    S.TERMINATED: _l("该学生的课后服务资格已终止，申请不能再变更。"),
    S.WITHDRAWN: _l("该申请已退出，不能再变更。"),
}


def _status_label(value: str) -> str:
    return str(S(value).label)


def _role_of(user: User) -> str:
    return user.role if user.school_id or user.role == Role.GUARDIAN else ""


def _acts_for(user: User, student: Student) -> bool:
    """Whether ``user`` may act on ``student``'s application at all: an admin
    of the student's school, the homeroom teacher of the student's class, or
    a guardian of the student. (Views scope rows with the access helpers;
    this keeps the rule true for any caller.)"""
    if user.role == Role.ADMIN:
        return user.school_id == student.school_id
    if user.role == Role.HOMEROOM:
        return (
            user.school_id == student.school_id
            and student.school_class.homeroom_teacher_id == user.pk
        )
    if user.role == Role.GUARDIAN:
        return Guardian.objects.filter(user=user, guardianships__student=student).exists()
    return True  # other roles are refused by the transitions table


def _refusal(frm: str, to: str) -> ValidationError:
    if (frm, to) in REFUSALS:
        return ValidationError(str(REFUSALS[frm, to]), code="transition")
    if frm in FINAL_MESSAGES:
        return ValidationError(str(FINAL_MESSAGES[frm]), code="transition")
    return ValidationError(
        _("申请状态为“%(from)s”，不能变为“%(to)s”。")
        % {"from": _status_label(frm), "to": _status_label(to)},
        code="transition",
    )


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to: str,
    by: User,
    reason: str = "",
    only_from: Iterable[str] | None = None,
) -> Application:
    """Move ``application`` to status ``to`` on behalf of ``by``.

    The one place status changes happen: locks the row (select_for_update),
    re-reads the status, checks the move is in ``TRANSITIONS`` and that the
    role of ``by`` may make it, requires ``reason`` for return / withdrawal /
    termination, then saves and writes an ``ApplicationEvent`` (who, when,
    from, to, reason). Re-applying after withdrawal (withdrawn → draft) also
    needs the term's ``allow_reapply_after_withdrawal``.

    ``only_from`` narrows the starting statuses for a named action (checked
    on the locked row, so a stale instance cannot slip through).

    Raises ``ValidationError`` with a Chinese message and writes nothing when
    the move is not allowed. Returns the saved application (a fresh instance).
    """
    locked = (
        Application.objects.select_for_update()
        .select_related("term", "student__school_class")
        .get(pk=application.pk)
    )
    frm = locked.status
    if not _acts_for(by, locked.student):
        raise ValidationError(_("您无权处理该学生的申请。"), code="scope")
    if only_from is not None and frm not in set(only_from):
        raise _refusal(frm, to)
    allowed_roles = TRANSITIONS.get((frm, to))
    if allowed_roles is None or _role_of(by) not in allowed_roles:
        raise _refusal(frm, to)
    if (frm, to) == (S.WITHDRAWN, S.DRAFT) and not enrollment_settings_for(
        locked.term
    ).allow_reapply_after_withdrawal:
        raise _refusal(frm, to)
    reason = (reason or "").strip()
    if to in REASON_REQUIRED and not reason:
        raise ValidationError(str(REASON_REQUIRED[to]), code="reason")
    now = timezone.now()
    locked.status = to
    locked.updated_at = now
    fields = ["status", "updated_at"]
    if to == S.SUBMITTED:
        locked.submitted_at = now
        fields.append("submitted_at")
    if to in REASON_REQUIRED:
        locked.last_reason = reason
        fields.append("last_reason")
    if to in {S.RETURNED, S.DRAFT, S.WITHDRAWN}:
        # A returned application leaves the class list; it comes back through
        # homeroom review and a new submission.
        locked.class_submission = None
        fields.append("class_submission")
    move = f"{_status_label(frm)} → {_status_label(to)}"
    audited(locked, by, f"{move}：{reason}" if reason else move)
    locked.save(update_fields=fields)
    ApplicationEvent.objects.create(
        application=locked, from_status=frm, to_status=to, by=by, at=now, reason=reason
    )
    # Keep the caller's instance in step with the row.
    for name in ("status", "updated_at", "submitted_at", "last_reason", "class_submission_id"):
        setattr(application, name, getattr(locked, name))
    return locked


# ---------------------------------------------------------------- survey


@transaction.atomic
def survey_open(*, term: Term, by: User) -> Survey:
    """Open the survey (调查摸底, seed 一.5 (1)) of ``term``, or reopen a
    closed one. Only a school admin of the term's school.

    Raises ``ValidationError`` when ``by`` is not that admin.
    """
    if not (by.is_school_admin and by.school_id == term.school_id):
        raise ValidationError(_("只有本校管理员可以发起意向调查。"))
    survey, created = Survey.objects.select_for_update().get_or_create(
        term=term, defaults={"school_id": term.school_id, "opened_by": by}
    )
    if not created and survey.closed_at is not None:
        survey.closed_at = None
        survey.closed_by = None
        survey.save(update_fields=["closed_at", "closed_by"])
    return survey


def survey_close(*, survey: Survey, by: User) -> Survey:
    """Close ``survey``: answers can no longer be changed.

    Raises ``ValidationError`` when ``by`` is not an admin of its school.
    """
    if not (by.is_school_admin and by.school_id == survey.school_id):
        raise ValidationError(_("只有本校管理员可以结束意向调查。"))
    if survey.closed_at is None:
        survey.closed_at = timezone.now()
        survey.closed_by = by
        survey.save(update_fields=["closed_at", "closed_by"])
    return survey


@transaction.atomic
def survey_answer(
    *,
    survey: Survey,
    student: Student,
    answer: str,
    by: User,
    wants_noon: bool = False,
    wants_after_school: bool = False,
    wants_featured_day: bool = False,
    on_paper: bool = False,
) -> SurveyResponse:
    """Record (or change) the family's survey answer for ``student``: one per
    student per survey, editable until the survey closes (seed 一.5 (1)).

    ``answer`` is a ``SurveyAnswer`` value; parts only count for "join" and
    "undecided" and are cleared for "decline". ``on_paper`` when the homeroom
    teacher types in a paper answer.

    Raises ``ValidationError`` when the survey is closed, belongs to another
    school, or "join" is answered without any part.
    """
    if survey.closed_at is not None:
        raise ValidationError(_("意向调查已结束，不能再修改回执。"))
    if student.school_id != survey.school_id:
        raise ValidationError(_("该学生不属于本次调查的学校。"))
    if not _acts_for(by, student) or by.role not in FAMILY_OR_STAFF:
        raise ValidationError(_("您无权处理该学生的回执。"), code="scope")
    answer = SurveyAnswer(answer)
    parts = {
        "wants_noon": wants_noon,
        "wants_after_school": wants_after_school,
        "wants_featured_day": wants_featured_day,
    }
    if answer == SurveyAnswer.DECLINE:
        parts = dict.fromkeys(parts, False)
    elif answer == SurveyAnswer.JOIN and not any(parts.values()):
        raise ValidationError(_("选择参加时，请至少选择一个服务时段。"))
    now = timezone.now()
    response, created = SurveyResponse.objects.select_for_update().get_or_create(
        survey=survey,
        student=student,
        defaults={"answer": answer, "recorded_by": by, "on_paper": on_paper, **parts},
    )
    if not created:
        response.answer = answer
        response.recorded_by = by
        response.on_paper = on_paper
        response.updated_at = now
        for name, value in parts.items():
            setattr(response, name, value)
        response.save()
    return response


# ------------------------------------------------------------ application

APPLICATION_DATA_FIELDS = (
    "wants_noon",
    "wants_after_school",
    "wants_featured_day",
    "goes_home_alone",
    "pickup_name",
    "pickup_relation",
    "pickup_mobile",
    "health_notes",
    "emergency_name",
    "emergency_mobile",
    "reason",
    "waiver_requested",
    "waiver_reason",
)


def _active_opt_out(student: Student, term: Term) -> OptOut | None:
    return OptOut.objects.filter(student=student, term=term, revoked_at__isnull=True).first()


def _check_school_year(student: Student, term: Term) -> None:
    """A student applies (or opts out) in a term only when their class is in
    the term's school year: after a roster import into the next school year,
    next year's classes must not be enrolled into this year's term."""
    if student.school_class.school_year_id != term.school_year_id:
        raise ValidationError(
            _("%(name)s所在班级不属于%(term)s所在学年，不能办理该学期的报名。")
            % {"name": student.name, "term": term.name},
            code="school_year",
        )


def _lock_or_create(
    *, student: Student, term: Term, by: User, on_paper: bool
) -> tuple[Application, bool]:
    """The (student, term) application, created as a draft when missing, and
    locked. Two requests at once end with the same row: the loser of the
    insert race gets the winner's row (unique constraint + get_or_create)."""
    if student.school_id != term.school_id:
        raise ValidationError(_("该学生不属于本学期的学校。"))
    _check_school_year(student, term)
    if not _acts_for(by, student) or by.role not in FAMILY_OR_STAFF:
        raise ValidationError(_("您无权处理该学生的申请。"), code="scope")
    app, created = Application.objects.get_or_create(
        student=student, term=term, defaults={"created_by": by, "on_paper": on_paper}
    )
    return Application.objects.select_for_update().get(pk=app.pk), created


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    clean = {name: data.get(name) for name in APPLICATION_DATA_FIELDS if name in data}
    for name, value in list(clean.items()):
        if isinstance(value, str):
            clean[name] = value.strip()
    if clean.get("goes_home_alone"):
        clean.update(pickup_name="", pickup_relation="", pickup_mobile="")
    if "waiver_requested" in clean and not clean["waiver_requested"]:
        clean["waiver_reason"] = ""
    return clean


def _check_complete(app: Application) -> None:
    errors: dict[str, str] = {}
    if not (app.wants_noon or app.wants_after_school or app.wants_featured_day):
        errors["wants_after_school"] = _("请至少选择一个服务时段。")
    if not app.goes_home_alone and not app.pickup_name:
        errors["pickup_name"] = _("请填写接送人，或选择孩子自行回家。")
    if not app.goes_home_alone and not app.pickup_mobile:
        errors["pickup_mobile"] = _("请填写接送人手机号。")
    if not app.emergency_name or not app.emergency_mobile:
        errors["emergency_name"] = _("请填写紧急联系人及电话。")
    if not app.reason:
        errors["reason"] = _("请用自己的话写明申请理由。")
    if app.waiver_requested and not app.waiver_reason:
        errors["waiver_reason"] = _("申请减免须说明家庭经济困难情况。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def application_save_draft(
    *, student: Student, term: Term, data: dict[str, Any], by: User, on_paper: bool = False
) -> Application:
    """Save the form of ``student``'s application for ``term`` as a draft
    (seed 一.5 (2)). ``data`` holds the fields of ``APPLICATION_DATA_FIELDS``
    (booleans and strings); nothing is required in a draft.

    Creates the draft on first save; a withdrawn application is reopened as a
    draft when the term allows re-applying. Raises ``ValidationError`` when
    the application is no longer editable by the family (submitted or later)
    or the family has opted out.
    """
    if _active_opt_out(student, term):
        raise ValidationError(_("已提交放弃申请声明，如需申请请先撤回放弃声明。"))
    app, _created = _lock_or_create(student=student, term=term, by=by, on_paper=on_paper)
    if app.status == S.WITHDRAWN:
        app = application_transition(application=app, to=S.DRAFT, by=by, reason="")
    if app.status not in {S.DRAFT, S.RETURNED}:
        raise ValidationError(
            _("申请已提交（%(status)s），不能再修改。") % {"status": app.get_status_display()}
        )
    for name, value in _clean_data(data).items():
        setattr(app, name, value)
    if app.status == S.RETURNED:
        # A returned application was complete once; it stays complete.
        _check_complete(app)
    app.updated_at = timezone.now()
    audited(app, by).save()
    return app


@transaction.atomic
def application_submit(
    *, student: Student, term: Term, data: dict[str, Any], by: User, on_paper: bool = False
) -> Application:
    """Submit ``student``'s application for ``term`` (seed 一.5 (2): 家长申请),
    from a draft, a returned application (resubmission) or nothing yet.

    Idempotent under a double click or two tabs: the (student, term) row is
    fetched or created and locked; if it is already submitted (or further),
    it is returned unchanged and no second event is written. Creates the
    ``WaiverRequest`` when a waiver is asked (or updates a pending one).

    ``on_paper`` when a homeroom teacher enters a paper application for the
    family. Raises ``ValidationError`` (per field) when the form is not
    complete, or when the family opted out.
    """
    if _active_opt_out(student, term):
        raise ValidationError(_("已提交放弃申请声明，如需申请请先撤回放弃声明。"))
    app, _created = _lock_or_create(student=student, term=term, by=by, on_paper=on_paper)
    if app.status not in {S.DRAFT, S.RETURNED, S.WITHDRAWN}:
        return app  # already submitted: the second click changes nothing
    if app.status == S.WITHDRAWN:
        app = application_transition(application=app, to=S.DRAFT, by=by)
    for name, value in _clean_data(data).items():
        setattr(app, name, value)
    if on_paper:
        app.on_paper = True
    _check_complete(app)
    app.updated_at = timezone.now()
    audited(app, by).save()
    app = application_transition(application=app, to=S.SUBMITTED, by=by)
    _waiver_sync(app)
    return app


def _waiver_sync(app: Application) -> None:
    """Keep the waiver request in step with the submitted form: create or
    update a pending one; drop a pending one the family no longer asks for.
    A decided one stays as decided."""
    existing = WaiverRequest.objects.filter(application=app).first()
    if app.waiver_requested:
        if existing is None:
            WaiverRequest.objects.create(application=app, reason=app.waiver_reason)
        elif existing.status == WaiverStatus.PENDING:
            existing.reason = app.waiver_reason
            existing.save(update_fields=["reason"])
    elif existing is not None and existing.status == WaiverStatus.PENDING:
        existing.delete()


def application_return(*, application: Application, by: User, reason: str) -> Application:
    """Return an application to the family with ``reason`` (seed 一.5 (3)
    班主任审核, or (4) 学校审核 once submitted to the school). The guardian
    sees the reason and can resubmit. Homeroom teachers return submitted or
    homeroom-approved applications; only the school returns those already
    submitted to it. Raises ``ValidationError`` otherwise or without reason.
    """
    return application_transition(application=application, to=S.RETURNED, by=by, reason=reason)


def school_return_application(*, application: Application, by: User, reason: str) -> Application:
    """The school returns one application of a class submission (seed 一.5
    (4)); the rest of the class list stays. Raises ``ValidationError`` unless
    the application is submitted to the school and ``by`` is an admin."""
    return application_transition(
        application=application,
        to=S.RETURNED,
        by=by,
        reason=reason,
        only_from={S.SUBMITTED_TO_SCHOOL},
    )


def application_approve_homeroom(*, application: Application, by: User) -> Application:
    """Homeroom approval of one application (seed 一.5 (3) 班主任审核).
    Raises ``ValidationError`` unless it is submitted and ``by`` is staff."""
    return application_transition(application=application, to=S.APPROVED_BY_HOMEROOM, by=by)


@transaction.atomic
def applications_bulk_approve(*, applications: Iterable[Application], by: User) -> int:
    """Homeroom-approve several applications at once, all or nothing.

    Returns how many were approved. Raises ``ValidationError`` naming the
    first student whose application cannot be approved; nothing is written.
    """
    count = 0
    for app in applications:
        try:
            application_transition(application=app, to=S.APPROVED_BY_HOMEROOM, by=by)
        except ValidationError as exc:
            raise ValidationError(
                _("%(name)s：%(error)s") % {"name": app.student.name, "error": exc.messages[0]}
            ) from exc
        count += 1
    return count


@transaction.atomic
def class_submit_to_school(*, school_class: SchoolClass, term: Term, by: User) -> ClassSubmission:
    """以班为单位上报学校 (seed 一.5 (3)): move every homeroom-approved
    application of the class to "submitted to school" and attach it to the
    class's submission, which freezes them: from now on only the school
    changes them (一.5 (4)). Submitting again later adds late applications and
    puts the submission back in the school's queue.

    Raises ``ValidationError`` when ``by`` is neither the class's homeroom
    teacher nor an admin of the school, when some applications still wait
    for review, or when none is ready.
    """
    if not (
        (by.is_school_admin and by.school_id == school_class.school_id)
        or (by.role == Role.HOMEROOM and school_class.homeroom_teacher_id == by.pk)
    ):
        raise ValidationError(_("只有本班班主任或学校管理员可以上报班级名单。"))
    apps = list(
        Application.objects.select_for_update()
        .filter(student__school_class=school_class, term=term)
        .select_related("student")
    )
    waiting = [a for a in apps if a.status == S.SUBMITTED]
    if waiting:
        raise ValidationError(
            _("还有%(n)d份申请待审核（%(names)s），请先审核或退回后再上报。")
            % {"n": len(waiting), "names": "、".join(a.student.name for a in waiting[:5])}
        )
    ready = [a for a in apps if a.status == S.APPROVED_BY_HOMEROOM]
    if not ready:
        raise ValidationError(_("没有班主任已审核、待上报的申请。"))
    now = timezone.now()
    submission, created = ClassSubmission.objects.select_for_update().get_or_create(
        school_class=school_class, term=term, defaults={"submitted_by": by, "submitted_at": now}
    )
    if not created:
        submission.submitted_by = by
        submission.submitted_at = now
        submission.approved_at = None
        submission.approved_by = None
        submission.frozen = True
        audited(submission, by).save()
    for app in ready:
        app = application_transition(application=app, to=S.SUBMITTED_TO_SCHOOL, by=by)
        app.class_submission = submission
        audited(app, by).save(update_fields=["class_submission"])
    return submission


@transaction.atomic
def school_approve_class(*, submission: ClassSubmission, by: User) -> int:
    """学校审核 (seed 一.5 (4)): approve every application of the class
    submission that is waiting for the school (ones the school returned stay
    returned). Returns how many were approved.

    Raises ``ValidationError`` when ``by`` is not an admin of the school or
    nothing waits.
    """
    submission = ClassSubmission.objects.select_for_update().get(pk=submission.pk)
    if not (by.is_school_admin and by.school_id == submission.school_class.school_id):
        raise ValidationError(_("只有学校管理员可以审核班级上报名单。"))
    apps = list(
        Application.objects.filter(class_submission=submission, status=S.SUBMITTED_TO_SCHOOL)
    )
    if not apps:
        raise ValidationError(_("该班没有待学校审核的申请。"))
    for app in apps:
        application_transition(application=app, to=S.APPROVED, by=by)
    submission.approved_at = timezone.now()
    submission.approved_by = by
    audited(submission, by).save(update_fields=["approved_at", "approved_by"])
    return len(apps)


def application_withdraw(*, application: Application, by: User, reason: str) -> Application:
    """The family withdraws in writing (``reason`` is the written statement);
    staff may record a paper withdrawal. Whether the student may apply again
    this term is the term's ``allow_reapply_after_withdrawal``. Raises
    ``ValidationError`` without a statement or from a draft/final status."""
    return application_transition(application=application, to=S.WITHDRAWN, by=by, reason=reason)


def application_terminate(*, application: Application, by: User, reason: str) -> Application:
    """终止资格 (seed 二.3: 对严重违纪或屡教不改的学生，学校有权终止其参加课后服务的资格).
    Only a school admin, only an approved application, ``reason`` required.
    Final: a terminated application changes no more."""
    return application_transition(application=application, to=S.TERMINATED, by=by, reason=reason)


@transaction.atomic
def waiver_decide(
    *, waiver: WaiverRequest, approve: bool, by: User, reason: str = ""
) -> WaiverRequest:
    """The school decides a fee waiver (seed 一.7: 对家庭困难子女免收). A decline
    needs ``reason``. A decision can be changed; the latest one counts and is
    what billing reads (``selectors.approved_waiver_for``).

    Raises ``ValidationError`` when ``by`` is not an admin of the student's
    school, the application is a draft or withdrawn, or a decline has no reason.
    """
    waiver = (
        WaiverRequest.objects.select_for_update()
        .select_related("application__student")
        .get(pk=waiver.pk)
    )
    if not (by.is_school_admin and by.school_id == waiver.application.student.school_id):
        raise ValidationError(_("只有学校管理员可以审核减免申请。"))
    if waiver.application.status in {S.DRAFT, S.WITHDRAWN}:
        raise ValidationError(_("该申请未提交或已退出，不能审核减免。"))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError(_("不予减免时必须填写理由。"))
    waiver.status = WaiverStatus.APPROVED if approve else WaiverStatus.DECLINED
    waiver.decision_reason = reason
    waiver.decided_by = by
    waiver.decided_at = timezone.now()
    audited(waiver, by, reason).save()
    return waiver


# --------------------------------------------------------------- opt-out


def opt_out_statement(*, term: Term, student: Student | None = None) -> str:
    """The written declaration (放弃申请, seed 一.5 (6)) with the term's
    times: the family takes charge after normal dismissal (17:20 by default).
    Without ``student`` the class and name are blank lines, for the printed
    form families fill in by hand."""
    times = term_times(term)
    blank = "________"
    return _(
        "本人是%(class)s学生%(student)s的家长（监护人），已知晓学校%(term)s课后服务安排，"
        "自愿放弃参加课后服务。学生按规定时间正常上下学：下午%(arrival)s到校，"
        "%(dismissal)s放学。放学后由家庭负责接送和监护，安全责任由家庭承担。"
    ) % {
        "class": student.school_class.display_name if student else blank,
        "student": student.name if student else blank,
        "term": term.name,
        "arrival": times["nonparticipant_arrival"],
        "dismissal": times["nonparticipant_dismissal"],
    }


@transaction.atomic
def opt_out_declare(*, student: Student, term: Term, by: User, on_paper: bool = False) -> OptOut:
    """Record the family's written opt-out for ``term`` (seed 一.5 (6)
    无缝衔接): who and when, with the statement text frozen. Final unless the
    guardian revokes it; it creates no task or follow-up for anyone.

    Idempotent: a second declaration returns the active one. A draft
    application is left as it is (it cannot be submitted while the opt-out
    stands). Raises ``ValidationError`` when an application is already
    submitted or further: withdraw it first.
    """
    if student.school_id != term.school_id:
        raise ValidationError(_("该学生不属于本学期的学校。"))
    _check_school_year(student, term)
    if not _acts_for(by, student) or by.role not in FAMILY_OR_STAFF:
        raise ValidationError(_("您无权处理该学生的申请。"), code="scope")
    # Lock the student row so two declarations in parallel make one.
    Student.objects.select_for_update().get(pk=student.pk)
    existing = _active_opt_out(student, term)
    if existing:
        return existing
    app = Application.objects.filter(student=student, term=term).first()
    if app and app.status not in {S.DRAFT, S.WITHDRAWN}:
        raise ValidationError(
            _("已有课后服务申请（%(status)s），请先退出申请再声明放弃。")
            % {"status": app.get_status_display()}
        )
    opt_out = OptOut(
        student=student,
        term=term,
        declared_by=by,
        statement=opt_out_statement(student=student, term=term),
        on_paper=on_paper,
    )
    audited(opt_out, by).save()
    return opt_out


def opt_out_revoke(*, opt_out: OptOut, by: User) -> OptOut:
    """The guardian changes their mind: the opt-out stays on record as
    revoked and the family may apply. Raises ``ValidationError`` when it was
    already revoked."""
    if opt_out.revoked_at is not None:
        raise ValidationError(_("该放弃声明已撤回。"))
    if not _acts_for(by, opt_out.student) or by.role not in FAMILY_OR_STAFF:
        raise ValidationError(_("您无权处理该学生的申请。"), code="scope")
    opt_out.revoked_at = timezone.now()
    opt_out.revoked_by = by
    audited(opt_out, by).save(update_fields=["revoked_at", "revoked_by"])
    return opt_out


# ------------------------------------------------------------- agreement


@transaction.atomic
def agreement_template_current(*, school: School) -> AgreementTemplate:
    """The school's latest agreement template; version 1 with the default
    body (seed 一.2/一.4/一.7, 二) is created on first use."""
    template = AgreementTemplate.objects.filter(school=school).order_by("-version").first()
    if template is None:
        template, _created = AgreementTemplate.objects.get_or_create(
            school=school, version=1, defaults={"body": DEFAULT_BODY}
        )
    return template


@transaction.atomic
def agreement_template_save(*, school: School, body: str, by: User) -> AgreementTemplate:
    """Save an edited agreement text as the next version; earlier versions
    stay untouched (signed agreements point at them). Raises
    ``ValidationError`` when the body is not a valid template, ``by`` is not
    an admin of the school, or nothing changed."""
    if not (by.is_school_admin and by.school_id == school.pk):
        raise ValidationError(_("只有本校管理员可以修改协议书模板。"))
    body = body.replace("\r\n", "\n")
    template_body_validate(body)
    School.objects.select_for_update().get(pk=school.pk)
    current = agreement_template_current(school=school)
    if current.body == body:
        raise ValidationError(_("协议内容没有变化，未保存新版本。"))
    template = AgreementTemplate(
        school=school, version=current.version + 1, body=body, created_by=by
    )
    audited(template, by).save()
    return template


def _normalise_name(name: str) -> str:
    return "".join(name.split()).replace("\u3000", "")


def guardian_record_for(*, user: User, student: Student) -> Guardian | None:
    """The Guardian record linking ``user`` to ``student``, if any."""
    return Guardian.objects.filter(user=user, guardianships__student=student).first()


@transaction.atomic
def agreement_sign(
    *,
    application: Application,
    by: User,
    signed_name: str,
    consent: bool,
    ip: str | None,
    today: datetime.date | None = None,
) -> Agreement:
    """The guardian signs the 《课后服务协议书》 online after school approval
    (seed 一.5 (3)/(4)). ``signed_name`` must equal the guardian record's
    name (spaces ignored), ``consent`` must be ticked. The current template
    is rendered and frozen with its version, the time and ``ip``.

    Raises ``ValidationError`` when the application is not approved, it is
    already signed, ``by`` is not a guardian of the student, the name does
    not match, or consent is missing. Writes nothing then.
    """
    app = (
        Application.objects.select_for_update()
        .select_related("student__school", "student__school_class", "term")
        .get(pk=application.pk)
    )
    if app.status != S.APPROVED:
        raise ValidationError(_("学校批准申请后才能签署协议书。"))
    if Agreement.objects.filter(application=app).exists():
        raise ValidationError(_("协议书已签署，不能重复签署。"))
    guardian = guardian_record_for(user=by, student=app.student)
    if guardian is None:
        raise ValidationError(_("只有该学生的家长可以签署协议书。"))
    errors = {}
    if _normalise_name(signed_name) != _normalise_name(guardian.name):
        errors["signed_name"] = _("签名须与学校登记的家长姓名一致，请输入您的完整姓名。")
    if not consent:
        errors["consent"] = _("请阅读协议并勾选同意。")
    if errors:
        raise ValidationError(errors)
    template = agreement_template_current(school=app.student.school)
    now = timezone.now()
    text = agreement_render(
        body=template.body,
        context=agreement_context(
            application=app,
            guardian_name=guardian.name,
            signature=guardian.name,
            signed_on=today or timezone.localdate(now),
        ),
    )
    agreement = Agreement(
        application=app,
        template=template,
        template_version=template.version,
        text=text,
        signed_name=guardian.name,
        consent=True,
        signed_by=by,
        signed_at=now,
        ip=ip,
    )
    audited(agreement, by).save()
    return agreement


@transaction.atomic
def agreement_mark_paper_received(*, application: Application, by: User) -> Agreement:
    """A school collecting paper signatures marks the signed paper agreement
    as received; the current template text is frozen as printed, with the
    first guardian on record as 乙方. Raises ``ValidationError`` unless the
    application is approved, not yet signed, and ``by`` is staff of the school.
    """
    app = (
        Application.objects.select_for_update()
        .select_related("student__school", "student__school_class", "term")
        .get(pk=application.pk)
    )
    if not (by.is_staff_member and by.school_id == app.student.school_id) or by.role not in (
        STAFF_REVIEW
    ):
        raise ValidationError(_("只有班主任或学校管理员可以登记纸质协议书。"))
    if app.status != S.APPROVED:
        raise ValidationError(_("学校批准申请后才能登记协议书。"))
    if Agreement.objects.filter(application=app).exists():
        raise ValidationError(_("协议书已签署或已登记。"))
    guardian = app.student.guardians.order_by("pk").first()
    template = agreement_template_current(school=app.student.school)
    now = timezone.now()
    text = agreement_render(
        body=template.body,
        context=agreement_context(
            application=app, guardian_name=guardian.name if guardian else "________"
        ),
    )
    agreement = Agreement(
        application=app,
        template=template,
        template_version=template.version,
        text=text,
        paper_received_by=by,
        paper_received_at=now,
    )
    audited(agreement, by).save()
    return agreement


def enrollment_settings_save(*, term: Term, allow_reapply: bool, by: User) -> EnrollmentSettings:
    """Store the term's enrollment settings. Raises ``ValidationError`` when
    ``by`` is not an admin of the term's school."""
    if not (by.is_school_admin and by.school_id == term.school_id):
        raise ValidationError(_("只有本校管理员可以修改报名设置。"))
    settings, _created = EnrollmentSettings.objects.update_or_create(
        term=term, defaults={"allow_reapply_after_withdrawal": allow_reapply}
    )
    return settings


# -------------------------------------------------------------- printing

# Batches up to this many agreements render in the request; larger ones go
# to a background print job (issue 3: no request waits minutes).
AGREEMENT_PRINT_INLINE_MAX = 100


def agreement_print_inline_max() -> int:
    """How many agreements a request may print itself (setting
    ``AGREEMENT_PRINT_INLINE_MAX``, default 100)."""
    return int(getattr(settings, "AGREEMENT_PRINT_INLINE_MAX", AGREEMENT_PRINT_INLINE_MAX))


def may_print_agreements(
    *, user: User, school_class: SchoolClass | None = None, grade: int | None = None
) -> bool:
    """Who may print a batch: an admin of the school any class or grade; a
    homeroom teacher their own class only (they may see every agreement of
    it, and no other)."""
    if user.role == Role.ADMIN:
        return bool(user.school_id) and (
            school_class is None or school_class.school_id == user.school_id
        )
    if user.role == Role.HOMEROOM and school_class is not None:
        return (
            school_class.school_id == user.school_id and school_class.homeroom_teacher_id == user.pk
        )
    return False


def _enqueue_print_job(job_id: int) -> None:
    from enrollment.tasks import print_agreements  # tasks import this module

    result = print_agreements.enqueue(job_id)
    PrintJob.objects.filter(pk=job_id).update(task_id=str(result.id))


@transaction.atomic
def print_job_request(
    *, by: User, term: Term, school_class: SchoolClass | None = None, grade: int | None = None
) -> PrintJob:
    """Queue a background job printing every approved agreement of a class
    or a grade of ``term`` as one PDF (``enrollment.tasks.print_agreements``,
    run by ``manage.py db_worker``; enqueued when the transaction commits).

    A second request for the same scope while the first is still queued or
    running returns the first (a double click makes one job). Raises
    ``ValidationError`` when ``by`` may not print that scope
    (``may_print_agreements``) or nothing is approved there.
    """
    if school_class is not None and school_class.school_id != term.school_id:
        raise ValidationError(_("该班级不属于本学期的学校。"))
    if not may_print_agreements(user=by, school_class=school_class, grade=grade) or (
        by.school_id != term.school_id
    ):
        raise ValidationError(_("您无权打印这些协议书。"))
    School.objects.select_for_update().get(pk=term.school_id)
    running = PrintJob.objects.filter(
        requested_by=by,
        term=term,
        school_class=school_class,
        grade=grade,
        status__in=[PrintJobStatus.QUEUED, PrintJobStatus.RUNNING],
    ).first()
    if running is not None:
        return running
    total = agreements_to_print(
        school_id=term.school_id, term=term, school_class=school_class, grade=grade
    ).count()
    if total == 0:
        raise ValidationError(_("没有学校已批准的申请，无协议书可打印。"))
    job = PrintJob.objects.create(
        school_id=term.school_id,
        term=term,
        requested_by=by,
        school_class=school_class,
        grade=grade,
        total=total,
    )
    transaction.on_commit(functools.partial(_enqueue_print_job, job.pk))
    return job


def print_job_run(*, job_id: int) -> PrintJob:
    """Render a print job (the background task's body): every approved
    agreement of its scope, ``pdf.AGREEMENTS_PER_PART`` per WeasyPrint
    document, joined into one PDF stored on the job. Progress (``done`` of
    ``total``) is saved after each part so the job's page can show it.

    A finished job is left as it is. On any error the job is marked failed
    with the error's class and message, and the error is raised again for
    the worker's log.
    """
    job = PrintJob.objects.select_related("school", "term", "school_class").get(pk=job_id)
    if job.is_finished:
        return job
    now = timezone.now()
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.RUNNING, started_at=now)
    try:
        apps = list(
            agreements_to_print(
                school_id=job.school_id,
                term=job.term,
                school_class=job.school_class,
                grade=job.grade,
            )
        )
        template = agreement_template_current(school=job.school)
        PrintJob.objects.filter(pk=job.pk).update(total=len(apps), done=0)

        def progress(done: int) -> None:
            PrintJob.objects.filter(pk=job.pk).update(done=done)

        data = agreements_pdf(apps, template=template, school=job.school, on_progress=progress)
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except Exception as exc:
        PrintJob.objects.filter(pk=job.pk).update(
            status=PrintJobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    finished = {
        "status": PrintJobStatus.DONE,
        "pdf": data,
        "size": len(data),
        "pages": pages,
        "total": len(apps),
        "done": len(apps),
        "started_at": now,
        "finished_at": timezone.now(),
    }
    PrintJob.objects.filter(pk=job.pk).update(**finished)
    for name, value in finished.items():
        setattr(job, name, value)
    return job
