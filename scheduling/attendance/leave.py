"""Leave (请假): a guardian asks, the homeroom teacher decides, the guardian
may cancel before it starts.

Rule source: seed 二.3 (有事有病必须履行请假手续). Every function raises
``ValidationError`` with a Chinese message and writes nothing when a rule
refuses. Who may act: ``scheduling.access``; reads:
``scheduling.attendance.selectors``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.dates import month_day
from afterschool.models import NoticeKind, Student, Term, User
from afterschool.notices.services import notify_guardians_of_students
from scheduling.access import (
    can_decide_leave,
    is_guardian_of,
)
from scheduling.attendance.selectors import (
    enrolled_application,
    leave_periods_refusal,
)
from scheduling.calendar.days import days_between, term_schedule
from scheduling.models import (
    Attendance,
    AttendanceStatus,
    LeaveKind,
    LeavePeriods,
    LeaveRequest,
    LeaveStatus,
)


def _span(first: datetime.date, last: datetime.date, today: datetime.date) -> tuple[str, str]:
    """``first`` and ``last`` as 「9月2日」, or with years 「2024年9月2日」 when
    the span crosses a new year or is not in ``today``'s year (else an autumn
    term's 「9月2日至1月17日」 reads as going backwards)."""
    if first.year == last.year == today.year:
        return month_day(first), month_day(last)
    return f"{first.year}年{month_day(first)}", f"{last.year}年{month_day(last)}"


# ---------------------------------------------------------------- leave


def _check_leave_form(
    *, kind: str, periods: str, reason: str, first_day: datetime.date, last_day: datetime.date
) -> str:
    """The request's own fields: a kind, periods for a by-period leave, a
    reason, days in order. Returns ``periods`` as stored ("" for whole days)."""
    if kind not in LeaveKind.values:
        raise ValidationError({"kind": _("请选择请假方式。")})
    if kind == LeaveKind.DAYS:
        periods = ""
    elif periods not in LeavePeriods.values:
        raise ValidationError({"periods": _("按课时请假请选择中午、下午或两个课时。")})
    if not reason:
        raise ValidationError({"reason": _("请填写请假事由。")})
    if last_day < first_day:
        raise ValidationError({"last_day": _("结束日期不能早于开始日期。")})
    return periods


def _check_leave_days(
    *, term: Term, first_day: datetime.date, last_day: datetime.date, today: datetime.date
) -> None:
    """Not before ``today``, inside the term, both ends service days."""
    if first_day < today:
        raise ValidationError(
            {
                "first_day": _("不能为已经过去的日期请假（%(day)s）。")
                % {"day": month_day(first_day)}
            }
        )
    if first_day < term.first_day or last_day > term.last_day:
        raise ValidationError(
            _("请假日期须在本学期内（%(first)s至%(last)s）。")
            % dict(zip(("first", "last"), _span(term.first_day, term.last_day, today), strict=True))
        )
    service = {
        d.date
        for d in days_between(
            term.school, first_day, last_day, schedule=term_schedule(term), strict=False
        )
        if d.has_service
    }
    for end in (first_day, last_day):
        if end not in service:
            field = "first_day" if end == first_day else "last_day"
            raise ValidationError(
                {field: _("%(day)s没有课后服务，请选择课后服务日。") % {"day": month_day(end)}}
            )


def _check_no_overlap(new: LeaveRequest) -> None:
    """No other requested or approved leave of the child shares a period on
    one of ``new``'s days."""
    others = LeaveRequest.objects.filter(
        student=new.student,
        status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED],
        first_day__lte=new.last_day,
        last_day__gte=new.first_day,
    )
    for other in others:
        if set(other.covered_periods) & set(new.covered_periods):
            raise ValidationError(
                _("与已有的请假（%(span)s，%(status)s）时间重叠，请勿重复申请。")
                % {"span": other.span_display, "status": other.get_status_display()}
            )


def leave_request(
    *,
    student: Student,
    term: Term,
    kind: str,
    first_day: datetime.date,
    last_day: datetime.date,
    periods: str = "",
    reason: str,
    by: User,
    today: datetime.date | None = None,
) -> LeaveRequest:
    """A guardian asks leave for their enrolled child (seed 二.3 请假手续).

    ``kind``: ``LeaveKind.DAYS`` (both periods of every day) or
    ``LeaveKind.PERIODS`` with ``periods`` (noon / after / both) on every day
    from ``first_day`` to ``last_day`` inclusive. Rules: the child is enrolled
    for the term (approved application); both ends are service days of the
    term; not before ``today``; a leave by period names periods the child
    takes part in (``leave_periods_refusal``); no overlap with another requested or approved
    leave of the child in a shared period; a reason. Serialised per student
    (row lock), so a double submit is refused as an overlap.

    Raises ``ValidationError`` (Chinese message); nothing written on refusal.
    """
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not is_guardian_of(by, student):
        raise ValidationError(_("只有学生的家长可以为其请假。"))
    periods = _check_leave_form(
        kind=kind, periods=periods, reason=reason, first_day=first_day, last_day=last_day
    )
    _check_leave_days(term=term, first_day=first_day, last_day=last_day, today=today)
    with transaction.atomic():
        Student.objects.select_for_update().filter(pk=student.pk).first()
        app = enrolled_application(student=student, term=term)
        if app is None:
            raise ValidationError(
                _("%(name)s本学期未参加课后服务，无需请假。") % {"name": student.name}
            )
        app.student = student
        refusal = leave_periods_refusal(app, kind=kind, periods=periods)
        if refusal:
            raise ValidationError({"periods": refusal})
        new = LeaveRequest(
            student=student,
            term=term,
            kind=kind,
            first_day=first_day,
            last_day=last_day,
            periods=periods,
            reason=reason,
            requested_by=by,
        )
        _check_no_overlap(new)
        new.save()
    return new


@transaction.atomic
def leave_decide(
    *,
    leave: LeaveRequest,
    by: User,
    approve: bool,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> LeaveRequest:
    """The homeroom teacher (or the school admin) approves or declines a
    requested leave; declining needs a reason the guardian sees. Approving
    marks the child "on leave" in rolls already taken in the leave's periods
    where they were marked absent (seed 二.3: leave makes an absence excused).

    Raises ``ValidationError`` when the leave is not waiting for a decision,
    the actor may not decide, or a decline has no reason.
    """
    reason = (reason or "").strip()
    leave = (
        LeaveRequest.objects.select_for_update()
        .select_related("student__school_class")
        .get(pk=leave.pk)
    )
    if not can_decide_leave(by, leave.student):
        raise ValidationError(_("只有该班班主任可以审批请假。"))
    if leave.status != LeaveStatus.REQUESTED:
        raise ValidationError(
            _("该请假已是“%(status)s”状态，不能再审批。") % {"status": leave.get_status_display()}
        )
    if not approve and not reason:
        raise ValidationError(_("不批准请假时请填写理由，家长会看到。"))
    leave.status = LeaveStatus.APPROVED if approve else LeaveStatus.DECLINED
    leave.decided_by = by
    leave.decided_at = now or timezone.now()
    leave.decision_reason = reason
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if approve:
        Attendance.objects.filter(
            student_id=leave.student_id,
            date__range=(leave.first_day, leave.last_day),
            period__in=leave.covered_periods,
            status=AttendanceStatus.ABSENT,
        ).update(status=AttendanceStatus.LEAVE, leave=leave)
    notify_guardians_of_students(
        school=leave.student.school_id,
        student_ids=[leave.student_id],
        kind=NoticeKind.LEAVE_DECIDED,
        title=(_("%(name)s的请假已批准") if approve else _("%(name)s的请假未批准"))
        % {"name": leave.student.name},
        body=leave.span_display + (_("。审批意见：%(r)s") % {"r": reason} if reason else ""),
        link=reverse("scheduling:leave-list"),
        dedupe_key=f"leave:{leave.pk}",
    )
    return leave


@transaction.atomic
def leave_cancel(
    *, leave: LeaveRequest, by: User, now: datetime.datetime | None = None
) -> LeaveRequest:
    """A guardian of the child withdraws a leave request: while it waits for
    a decision, or once approved as long as its first day has not come
    (rolls only exist for days that have come).

    Raises ``ValidationError`` otherwise.
    """
    now = now or timezone.now()
    leave = LeaveRequest.objects.select_for_update().select_related("student").get(pk=leave.pk)
    if not is_guardian_of(by, leave.student):
        raise ValidationError(_("只有学生的家长可以撤销请假。"))
    if leave.status not in (LeaveStatus.REQUESTED, LeaveStatus.APPROVED):
        raise ValidationError(
            _("该请假已是“%(status)s”状态，不能撤销。") % {"status": leave.get_status_display()}
        )
    if leave.status == LeaveStatus.APPROVED and leave.first_day <= timezone.localdate(now):
        raise ValidationError(_("请假已开始，不能撤销；如孩子返校，请联系班主任。"))
    leave.status = LeaveStatus.CANCELLED
    leave.cancelled_at = now
    leave.save(update_fields=["status", "cancelled_at"])
    return leave
