"""Application rules (STYLE.md §1): the status moves of an application and
the family's writes, from the draft to withdrawal or termination.

The journey is the seed's 服务流程 (一.5): (2) 家长申请 here; (3) 班主任审核、以班
为单位上报 and (4) 学校审核 in ``enrollment.review.services``; 二.3 for 终止资格.
Every status change of an application goes through ``application_transition``,
which enforces ``TRANSITIONS``, locks the row and writes an
``ApplicationEvent``. Errors are ``ValidationError`` with a Chinese message the
views show on the form.

These functions check the *role* of ``by`` (who may make a move at all) and
that ``by`` may see the student (``afterschool.access.can_see_student``); the
views also scope which rows a user may see through ``enrollment/access.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from afterschool.access import can_see_student, is_admin_of
from afterschool.audit import audited
from afterschool.models import ClassMembership, NoticeKind, Role, Student, Term, User
from afterschool.notices.services import notify_guardians_of_students
from enrollment.access import FAMILY_OR_STAFF, STAFF_REVIEW, may_act_for_student
from enrollment.applications.forms import APPLICATION_DATA_FIELDS
from enrollment.applications.selectors import enrollment_settings_for
from enrollment.models import Application, ApplicationEvent, EnrollmentSettings, Status
from enrollment.optouts.selectors import active_opt_out
from enrollment.waivers.services import waiver_sync

S = Status

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

# Statuses from which the family (or staff for a paper statement) may withdraw.
WITHDRAWABLE = frozenset(frm for frm, to in TRANSITIONS if to == S.WITHDRAWN)

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


def _check_move(
    locked: Application, *, to: str, by: User, reason: str, only_from: Iterable[str] | None
) -> None:
    """Raise the ``ValidationError`` refusing the move of the locked row to
    ``to`` by ``by``, if any (see ``application_transition``)."""
    frm = locked.status
    # Roles outside the family and the reviewers pass this check and are
    # refused below by ``TRANSITIONS`` with the move's own message.
    if by.role in FAMILY_OR_STAFF and not can_see_student(by, locked.student):
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
    if to in REASON_REQUIRED and not reason:
        raise ValidationError(str(REASON_REQUIRED[to]), code="reason")


def _apply_move(locked: Application, *, to: str, reason: str, now: datetime.datetime) -> list[str]:
    """Set the new status and what goes with it on ``locked`` (unsaved);
    returns the fields to save."""
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
    return fields


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
    reason = (reason or "").strip()
    _check_move(locked, to=to, by=by, reason=reason, only_from=only_from)
    now = timezone.now()
    fields = _apply_move(locked, to=to, reason=reason, now=now)
    move = f"{_status_label(frm)} → {_status_label(to)}"
    audited(locked, by, f"{move}：{reason}" if reason else move)
    locked.save(update_fields=fields)
    ApplicationEvent.objects.create(
        application=locked, from_status=frm, to_status=to, by=by, at=now, reason=reason
    )
    _notify_move(locked, to=to, reason=reason, event_at=now)
    # Keep the caller's instance in step with the row.
    for name in ("status", "updated_at", "submitted_at", "last_reason", "class_submission_id"):
        setattr(application, name, getattr(locked, name))
    return locked


def _notify_move(app: Application, *, to: str, reason: str, event_at: datetime.datetime) -> None:
    """The guardians hear of a return, a homeroom approval and the school's
    approval (with the agreement to sign), DESIGN.md 「Telling people」."""
    name = app.student.name
    family = reverse("enrollment:family")
    if to == Status.RETURNED:
        kind, title = (
            NoticeKind.APPLICATION_RETURNED,
            _("%(name)s的课后服务申请被退回") % {"name": name},
        )
        body = _("退回理由：%(reason)s。请修改后重新提交。") % {"reason": reason}
    elif to == Status.APPROVED_BY_HOMEROOM:
        kind, title = (
            NoticeKind.APPLICATION_APPROVED,
            _("%(name)s的课后服务申请已通过班主任审核") % {"name": name},
        )
        body = _("班主任已审核，班级名单上报学校后由学校审核。")
    elif to == Status.APPROVED:
        kind = NoticeKind.APPLICATION_SCHOOL_APPROVED
        title = _("%(name)s的课后服务申请学校已批准，请签署协议书") % {"name": name}
        body = _("请在手机上阅读并签署课后服务协议书。")
        family = reverse("enrollment:agreement-sign", args=[app.pk])
    else:
        return
    notify_guardians_of_students(
        school=app.student.school_id,
        student_ids=[app.student_id],
        kind=kind,
        title=title,
        body=body,
        link=family,
        dedupe_key=f"application:{app.pk}:{to}:{event_at.isoformat()}",
    )


# ------------------------------------------------------------ application


def check_school_year(student: Student, term: Term) -> None:
    """A student applies (or opts out) in a term only as a member of a class
    of the term's school year (``ClassMembership`` of that year, not the
    latest-class pointer): after a roster import or the rollover into the
    next school year, this year's children still apply for this year's term,
    and next year's classes are not enrolled into it. A student who leaves
    the class before the term ends (转学/离校, ``end_date`` on or before the
    term's last day) applies no more. One query.

    Raises ``ValidationError`` (code ``school_year``, or ``left``)."""
    membership = (
        ClassMembership.objects.filter(
            student=student, school_class__school_year_id=term.school_year_id
        )
        .select_related("school_class")
        .order_by("-pk")
        .first()
    )
    if membership is None:
        raise ValidationError(
            _("%(name)s所在班级不属于%(term)s所在学年，不能办理该学期的报名。")
            % {"name": student.name, "term": term.name},
            code="school_year",
        )
    if membership.end_date is not None and membership.end_date <= term.last_day:
        raise ValidationError(
            _("%(name)s自%(date)s起已离开%(cls)s，不能办理%(term)s的报名。")
            % {
                "name": student.name,
                "date": membership.end_date.isoformat(),
                "cls": membership.school_class.display_name,
                "term": term.name,
            },
            code="left",
        )


def _lock_or_create(
    *, student: Student, term: Term, by: User, on_paper: bool
) -> tuple[Application, bool]:
    """The (student, term) application, created as a draft when missing, and
    locked. Two requests at once end with the same row: the loser of the
    insert race gets the winner's row (unique constraint + get_or_create)."""
    if student.school_id != term.school_id:
        raise ValidationError(_("该学生不属于本学期的学校。"))
    check_school_year(student, term)
    if not may_act_for_student(by, student):
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
    if active_opt_out(student=student, term=term):
        raise ValidationError(_("已提交放弃申请声明，如需申请请先撤回放弃声明。"))
    app, _created = _lock_or_create(student=student, term=term, by=by, on_paper=on_paper)
    if app.status == S.WITHDRAWN:
        app = application_transition(application=app, to=S.DRAFT, by=by, reason="")
    if not app.is_editable:
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
    if active_opt_out(student=student, term=term):
        raise ValidationError(_("已提交放弃申请声明，如需申请请先撤回放弃声明。"))
    app, _created = _lock_or_create(student=student, term=term, by=by, on_paper=on_paper)
    if not app.is_reopenable:
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
    waiver_sync(application=app)
    return app


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


def enrollment_settings_save(*, term: Term, allow_reapply: bool, by: User) -> EnrollmentSettings:
    """Store the term's enrollment settings. Raises ``ValidationError`` when
    ``by`` is not an admin of the term's school."""
    if not is_admin_of(by, term.school_id):
        raise ValidationError(_("只有本校管理员可以修改报名设置。"))
    settings, _created = EnrollmentSettings.objects.update_or_create(
        term=term, defaults={"allow_reapply_after_withdrawal": allow_reapply}
    )
    return settings
