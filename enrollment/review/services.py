"""Review rules (STYLE.md §1): 班主任审核, 以班为单位上报 and 学校审核 (seed
一.5 (3)–(4)). Every status change goes through
``enrollment.applications.services.application_transition``; errors are
``ValidationError`` with a Chinese message the views show.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.access import can_see_class, is_admin_of
from afterschool.audit import audited
from afterschool.models import SchoolClass, Term, User
from enrollment.applications.services import application_transition
from enrollment.models import Application, ClassSubmission
from enrollment.models import Status as S


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
    if not can_see_class(by, school_class):
        raise ValidationError(_("只有本班班主任或学校管理员可以上报班级名单。"))
    apps = list(
        Application.objects.select_for_update()
        .filter(student__memberships__school_class=school_class, term=term)
        .select_related("student")
    )
    waiting = [a for a in apps if a.status == S.SUBMITTED]
    if waiting:
        names = "、".join(a.student.name for a in waiting[:5])
        if len(waiting) > 5:
            names += _("等")
        raise ValidationError(
            _("还有%(n)d份申请待审核（%(names)s），请先审核或退回后再上报。")
            % {"n": len(waiting), "names": names}
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
    if not is_admin_of(by, submission.school_class.school_id):
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
