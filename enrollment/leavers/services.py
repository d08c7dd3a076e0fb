"""Marking students as left (转学 / 离校) from a date.

The student's class membership of the year ends on that date
(``afterschool.rollover.services.memberships_end``), and each of their
applications still running on that date is withdrawn with the reason, its
``ApplicationEvent`` dated that day. Billing reads enrolment from those
events (``billing.statements.context.enrolment_windows``: a withdrawal closes
the enrolment the day before), so no day from the leave date on is charged.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from afterschool.access import is_admin_of
from afterschool.models import LeaveReason, School, SchoolYear, Student, User
from afterschool.rollover.services import memberships_end
from enrollment.applications.services import WITHDRAWABLE
from enrollment.models import Application, ApplicationEvent, Status

# Only a move to another school or leaving ends a membership mid-year here;
# graduation is the rollover's.
LEAVE_REASONS = (LeaveReason.TRANSFER, LeaveReason.LEFT)


@dataclass
class LeaveResult:
    """What ``students_mark_left`` wrote."""

    students: int = 0
    memberships_ended: int = 0
    applications_withdrawn: int = 0


@transaction.atomic
def students_mark_left(
    *,
    school: School,
    school_year: SchoolYear,
    student_ids: Iterable[int],
    left_on: datetime.date,
    reason: str,
    by: User,
) -> LeaveResult:
    """Mark the students ``student_ids`` of ``school`` as left from
    ``left_on`` (the first day they no longer attend) for ``reason``
    (``LeaveReason.TRANSFER`` 转学 or ``LeaveReason.LEFT`` 离校).

    Ends their open membership of ``school_year``; withdraws every
    application of theirs in a term of the school that has not ended before
    ``left_on`` and is still in a withdrawable status, with the reason
    「转学：自 2025-03-03 起离校」 and an event dated ``left_on`` (local
    midnight), so billing charges up to the day before and nothing from
    ``left_on`` on. Students already marked are left as they are (a double
    submit writes nothing more).

    Raises ValidationError (nothing written) when ``by`` is not the
    school's admin, the year is another school's, the reason is unknown or
    no student of the school is given. Fixed queries whatever the number of
    students (students, membership update, applications locked, their
    update and history, events).
    """
    if not is_admin_of(by, school.pk) or school_year.school_id != school.pk:
        raise ValidationError(_("只有本校管理员可以办理学生离校。"), code="forbidden")
    if reason not in LEAVE_REASONS:
        raise ValidationError(_("请选择离校原因：转学或离校。"), code="reason")
    students = list(Student.objects.filter(school=school, pk__in=list(student_ids)))
    if not students:
        raise ValidationError(_("请选择要标记为离校的学生。"), code="empty")
    ended = memberships_end(
        students=students, school_year=school_year, end_date=left_on, reason=reason
    )
    text = _("%(reason)s：自 %(day)s 起离校") % {
        "reason": LeaveReason(reason).label,
        "day": f"{left_on:%Y-%m-%d}",
    }
    at = timezone.make_aware(datetime.datetime.combine(left_on, datetime.time.min))
    now = timezone.now()
    apps = list(
        Application.objects.select_for_update().filter(
            student__in=students,
            term__school=school,
            term__last_day__gte=left_on,
            status__in=list(WITHDRAWABLE),
        )
    )
    events = []
    for app in apps:
        events.append(
            ApplicationEvent(
                application=app,
                from_status=app.status,
                to_status=Status.WITHDRAWN,
                by=by,
                at=at,
                reason=text,
            )
        )
        app.status = Status.WITHDRAWN
        app.last_reason = text
        app.updated_at = now
        app.class_submission = None
    if apps:
        bulk_update_with_history(
            apps,
            Application,
            ["status", "last_reason", "updated_at", "class_submission"],
            default_user=by,
            default_change_reason=text,
        )
        ApplicationEvent.objects.bulk_create(events)
    return LeaveResult(
        students=len(students), memberships_ended=ended, applications_withdrawn=len(apps)
    )
