"""Opt-out rules (STYLE.md §1): 放弃申请 (seed 一.5 (6)), declared in writing
and final unless the guardian revokes it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.audit import audited
from afterschool.models import Student, Term, User
from enrollment.access import may_act_for_student
from enrollment.applications.services import check_school_year
from enrollment.models import Application, OptOut, Status
from enrollment.optouts.selectors import active_opt_out
from enrollment.optouts.texts import opt_out_statement


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
    check_school_year(student, term)
    if not may_act_for_student(by, student):
        raise ValidationError(_("您无权处理该学生的申请。"), code="scope")
    # Lock the student row so two declarations in parallel make one.
    Student.objects.select_for_update().get(pk=student.pk)
    existing = active_opt_out(student=student, term=term)
    if existing:
        return existing
    app = Application.objects.filter(student=student, term=term).first()
    if app and app.status not in {Status.DRAFT, Status.WITHDRAWN}:
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
    if not may_act_for_student(by, opt_out.student):
        raise ValidationError(_("您无权处理该学生的申请。"), code="scope")
    opt_out.revoked_at = timezone.now()
    opt_out.revoked_by = by
    audited(opt_out, by).save(update_fields=["revoked_at", "revoked_by"])
    return opt_out
