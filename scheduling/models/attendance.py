"""Leave requests (请假), roll call marks (点名) and dismissals (离校).

Rules live in ``scheduling/attendance/``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.models import Term
from scheduling.models.calendar import Period
from scheduling.models.clubs import Club
from scheduling.models.rota import Session


class LeaveKind(models.TextChoices):
    DAYS = "days", _("整天请假")
    PERIODS = "periods", _("按课时请假")


class LeavePeriods(models.TextChoices):
    """Which periods a single-period leave covers on each of its days."""

    NOON = "noon", _("中午")
    AFTER_SCHOOL = "after", _("下午")
    BOTH = "both", _("中午和下午")


LEAVE_PERIODS_COVER: dict[str, tuple[str, ...]] = {
    LeavePeriods.NOON: (Period.NOON,),
    LeavePeriods.AFTER_SCHOOL: (Period.AFTER_SCHOOL,),
    LeavePeriods.BOTH: (Period.NOON, Period.AFTER_SCHOOL),
}


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", _("待班主任审批")
    APPROVED = "approved", _("已批准")
    DECLINED = "declined", _("未批准")
    CANCELLED = "cancelled", _("已撤销")


class LeaveRequest(models.Model):
    """A guardian's leave request (请假, seed 二.3: 有事有病必须履行请假手续)
    for one student: whole days, or some periods on each day, from
    ``first_day`` to ``last_day`` (inclusive; only service days count).

    Decided by the class's homeroom teacher; approved leave marks the roll
    "on leave" and is what billing reads
    (``scheduling.attendance.selectors.approved_leave_periods``).
    """

    student = models.ForeignKey(
        "afterschool.Student",
        verbose_name=_("学生"),
        on_delete=models.CASCADE,
        related_name="leave_requests",
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="leave_requests")
    kind = models.CharField(_("请假方式"), max_length=10, choices=LeaveKind.choices)
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("结束日期"))
    periods = models.CharField(_("课时"), max_length=10, choices=LeavePeriods.choices, blank=True)
    reason = models.CharField(_("请假事由"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.CharField(_("审批意见"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("请假")
        verbose_name_plural = _("请假")
        ordering = ["-first_day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")),
                name="leave_days_in_order",
                violation_error_message=_("请假结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=(Q(kind=LeaveKind.DAYS) & Q(periods=""))
                | (Q(kind=LeaveKind.PERIODS) & Q(periods__in=LeavePeriods.values)),
                name="leave_periods_match_kind",
                violation_error_message=_("请假课时与请假方式不一致。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=LeaveStatus.values),
                name="leave_status_valid",
                violation_error_message=_("请假状态无效。"),
            ),
        ]
        indexes = [models.Index(fields=["term", "status", "first_day"])]

    def __str__(self) -> str:
        return f"{self.student} {self.first_day:%Y-%m-%d}–{self.last_day:%Y-%m-%d}"

    @property
    def covered_periods(self) -> tuple[str, ...]:
        """The periods this leave covers on each of its days."""
        if self.kind == LeaveKind.DAYS:
            return (Period.NOON, Period.AFTER_SCHOOL)
        return LEAVE_PERIODS_COVER[self.periods]

    @property
    def span_display(self) -> str:
        first = f"{self.first_day.month}月{self.first_day.day}日"
        last = f"{self.last_day.month}月{self.last_day.day}日"
        days = first if self.first_day == self.last_day else f"{first}至{last}"
        if self.kind == LeaveKind.DAYS:
            return f"{days} {LeaveKind.DAYS.label}"
        return f"{days} {self.get_periods_display()}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("到")
    ABSENT = "absent", _("缺勤")
    LEAVE = "leave", _("请假")
    LATE = "late", _("迟到")


class Attendance(models.Model):
    """One student's mark in one roll: a basic ``session`` (基础课程) or a
    ``club`` meeting on ``date`` (特色课程) — exactly one of the two.

    ``date`` and ``period`` are copied from the session (or the club's
    meeting) so the day's absences are one indexed query.
    """

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="attendances"
    )
    club = models.ForeignKey(
        Club, on_delete=models.CASCADE, null=True, blank=True, related_name="attendances"
    )
    date = models.DateField(_("日期"))
    period = models.CharField(_("课时"), max_length=10, choices=Period.choices)
    student = models.ForeignKey(
        "afterschool.Student",
        verbose_name=_("学生"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    status = models.CharField(
        _("出勤"), max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )
    leave = models.ForeignKey(
        LeaveRequest,
        verbose_name=_("请假单"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("点名人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("点名时间"), default=timezone.now)

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        constraints = [
            models.CheckConstraint(
                condition=(Q(session__isnull=False) & Q(club__isnull=True))
                | (Q(session__isnull=True) & Q(club__isnull=False)),
                name="attendance_session_xor_club",
                violation_error_message=_("考勤记录必须对应一个课时或一个社团。"),
            ),
            models.UniqueConstraint(
                fields=["session", "student"],
                condition=Q(session__isnull=False),
                name="attendance_once_per_session",
            ),
            models.UniqueConstraint(
                fields=["club", "date", "student"],
                condition=Q(club__isnull=False),
                name="attendance_once_per_club_meeting",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values),
                name="attendance_status_valid",
                violation_error_message=_("考勤状态无效。"),
            ),
        ]
        indexes = [models.Index(fields=["date", "status"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.student} {self.get_status_display()}"


class Dismissal(models.Model):
    """How one student left on one day after the last period (离校, seed 一.5
    (6): 服务结束后由学校统一组织学生安全离校): collected by a named adult or
    alone (only if the application allows it). Boarders stay and get none."""

    student = models.ForeignKey(
        "afterschool.Student",
        verbose_name=_("学生"),
        on_delete=models.CASCADE,
        related_name="dismissals",
    )
    date = models.DateField(_("日期"))
    left_at = models.DateTimeField(_("离校时间"))
    alone = models.BooleanField(_("自行回家"), default=False)
    collected_by = models.CharField(_("接送人"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("离校登记")
        verbose_name_plural = _("离校登记")
        ordering = ["date", "left_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "date"], name="one_dismissal_per_day"),
            models.CheckConstraint(
                condition=Q(alone=True, collected_by="") | (Q(alone=False) & ~Q(collected_by="")),
                name="dismissal_alone_or_collected",
                violation_error_message=_("请填写接孩子的人，或注明自行离校。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.student}"
