"""Calendar, periods, sessions, the supervision rota and clubs.

Shape of the data (DESIGN.md "calendar × periods ─► daily sessions"):

- ``TermSchedule`` (one per Term): the term's settings — service on weekend
  make-up workdays, the featured weekday and period, the two periods' times.
- ``CalendarDay``: the school's own entries into the official calendar — a
  holiday or a (make-up) workday, with the weekday whose timetable a make-up
  day follows. Needed for years ``chinesecalendar`` does not know yet, and to
  change which weekday a known make-up day follows.
- ``CalendarYear``: the admin's statement "this year's holidays and make-up
  days are entered"; until then a year unknown to ``chinesecalendar`` raises.
- ``ServiceChange``: a day the school suspends service (with a notice guardians
  see) or adds service on a day that is not a school day.
- ``Session``: one dated basic session (基础课程) of one class in one period,
  in the class's room, with its supervising teacher or volunteer. Sessions are
  dated rows (not a weekly template) because roll call, leave and the teacher's
  workload all count real dates, and unavailability is by date.
- ``StaffUnavailability``: a person is not available on a date or on a weekday.
- ``Club``: a featured-course club (社团) meeting weekly on a weekday and period.

Rules live in ``scheduling/services.py`` and ``scheduling/calendar.py``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.models import GRADE_NAMES, Room, School, SchoolClass, Term


class Weekday(models.IntegerChoices):
    """Python's ``date.weekday()`` numbering: Monday = 0."""

    MONDAY = 0, _("周一")
    TUESDAY = 1, _("周二")
    WEDNESDAY = 2, _("周三")
    THURSDAY = 3, _("周四")
    FRIDAY = 4, _("周五")
    SATURDAY = 5, _("周六")
    SUNDAY = 6, _("周日")


SCHOOL_WEEKDAYS = [w for w in Weekday if w <= Weekday.FRIDAY]


class Period(models.TextChoices):
    """The two periods of a school day (seed 一.2: 每天共两课时)."""

    NOON = "noon", _("中午")
    AFTER_SCHOOL = "after", _("下午")


PERIOD_ORDER = {Period.NOON: 0, Period.AFTER_SCHOOL: 1}


class TermSchedule(models.Model):
    """The term's scheduling settings.

    Default period times are the gaps between participants' and
    non-participants' times in the seed (一.2): participants arrive 13:00 and
    leave 18:10, non-participants arrive 13:55 and leave 17:20, so the noon
    period is 13:00–13:55 and the after-school period 17:20–18:10. Once
    ``Term`` carries those four times (afterschool migration 0002), the
    defaults should be read from the term instead.
    """

    term = models.OneToOneField(Term, on_delete=models.CASCADE, related_name="schedule")
    service_on_makeup_days = models.BooleanField(
        _("调休补班日（周末上班）提供课后服务"), default=True
    )
    featured_weekday = models.PositiveSmallIntegerField(
        _("特色课后服务日"), choices=Weekday.choices, default=Weekday.THURSDAY
    )
    featured_period = models.CharField(
        _("特色课程课时"), max_length=10, choices=Period.choices, default=Period.AFTER_SCHOOL
    )
    noon_start = models.TimeField(_("中午课时开始"), default=datetime.time(13, 0))
    noon_end = models.TimeField(_("中午课时结束"), default=datetime.time(13, 55))
    after_start = models.TimeField(_("下午课时开始"), default=datetime.time(17, 20))
    after_end = models.TimeField(_("下午课时结束"), default=datetime.time(18, 10))

    class Meta:
        verbose_name = _("学期课表设置")
        verbose_name_plural = _("学期课表设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(noon_end__gt=models.F("noon_start")), name="noon_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(after_end__gt=models.F("after_start")), name="after_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(featured_weekday__lte=4), name="featured_weekday_mon_to_fri"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self._meta.verbose_name}"

    def period_times(self, period: str) -> tuple[datetime.time, datetime.time]:
        if period == Period.NOON:
            return self.noon_start, self.noon_end
        return self.after_start, self.after_end


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("工作日（调休补班）")


class CalendarDay(models.Model):
    """The school's entry for one date of the official calendar.

    Overrides ``chinesecalendar`` for that date; for a year the package does
    not know, these rows are the calendar (with weekends off and weekdays on
    unless a row says otherwise). ``follows_weekday`` says whose timetable a
    workday on a weekend follows.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    follows_weekday = models.PositiveSmallIntegerField(
        _("按周几课表"), choices=Weekday.choices[:5], null=True, blank=True
    )

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="unique_calendar_day"),
            models.CheckConstraint(
                condition=Q(follows_weekday__isnull=True) | Q(follows_weekday__lte=4),
                name="calendar_day_follows_school_weekday",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class CalendarYear(models.Model):
    """A year whose holidays and make-up days the school's admin has entered
    (years ``chinesecalendar`` does not know)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="calendar_years")
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已录入年份")
        verbose_name_plural = _("已录入年份")
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="unique_calendar_year"),
        ]

    def __str__(self) -> str:
        return str(self.year)


class ServiceChangeKind(models.TextChoices):
    SUSPENDED = "suspended", _("暂停服务")
    ADDED = "added", _("增加服务日")


class ServiceChange(models.Model):
    """Service suspended on a school day (特殊情况，另行通知; seed 一.2) or
    added on a day that is not one. ``notice`` is shown to guardians."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="service_changes")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=ServiceChangeKind.choices)
    notice = models.CharField(_("通知内容"), max_length=300, blank=True)
    follows_weekday = models.PositiveSmallIntegerField(
        _("按周几课表"), choices=Weekday.choices[:5], null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务日调整")
        verbose_name_plural = _("服务日调整")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="unique_service_change"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class Session(models.Model):
    """A dated basic session (基础课程: homework guidance, no new teaching —
    seed 一.2) of one class in one period, in the class's room.

    ``weekday`` is the timetable weekday (a make-up Saturday following Monday
    has ``weekday`` 0). ``is_manual`` marks a supervisor chosen by the admin;
    regenerating the rota keeps it.
    """

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("日期"))
    weekday = models.PositiveSmallIntegerField(_("课表周几"), choices=Weekday.choices)
    period = models.CharField(_("课时"), max_length=10, choices=Period.choices)
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), on_delete=models.CASCADE, related_name="sessions"
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("场地"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("看班教师"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_sessions",
    )
    is_manual = models.BooleanField(_("手动安排"), default=False)

    class Meta:
        verbose_name = _("课后服务课时")
        verbose_name_plural = _("课后服务课时")
        ordering = ["date", "period", "school_class__grade", "school_class__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "period", "school_class"], name="one_session_per_class_period"
            ),
            # Never one person in two places at once (NULLs are distinct).
            models.UniqueConstraint(
                fields=["date", "period", "supervisor"], name="supervisor_once_per_period"
            ),
            models.UniqueConstraint(fields=["date", "period", "room"], name="room_once_per_period"),
        ]
        indexes = [models.Index(fields=["term", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_period_display()} {self.school_class}"


class StaffUnavailability(models.Model):
    """A staff member cannot supervise on ``date`` or on every ``weekday``
    (exactly one of the two), optionally only in one ``period``."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="unavailabilities",
    )
    date = models.DateField(_("日期"), null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("每周"), choices=Weekday.choices, null=True, blank=True
    )
    period = models.CharField(
        _("课时"), max_length=10, choices=Period.choices, blank=True, help_text=_("留空表示全天")
    )
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("不可值班时间")
        verbose_name_plural = _("不可值班时间")
        ordering = ["person_id", "date", "weekday"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(date__isnull=False) & Q(weekday__isnull=True))
                | (Q(date__isnull=True) & Q(weekday__isnull=False)),
                name="unavailability_date_xor_weekday",
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.date:%Y-%m-%d}" if self.date else self.get_weekday_display()
        return f"{self.person} {when}"

    def covers(self, day: datetime.date, timetable_weekday: int, period: str) -> bool:
        if self.period and self.period != period:
            return False
        if self.date is not None:
            return self.date == day
        # A weekly rule applies to the calendar weekday and the timetable
        # weekday: a teacher who cannot stay on Mondays cannot stay on a
        # make-up Saturday that follows Monday's timetable either.
        return self.weekday in (day.weekday(), timetable_weekday)


class ClubCategory(models.TextChoices):
    SPORTS = "sports", _("体育")
    MUSIC = "music", _("音乐")
    DANCE = "dance", _("舞蹈")
    ART = "art", _("美术")
    CALLIGRAPHY = "calligraphy", _("书法")
    READING = "reading", _("阅读")
    SCIENCE = "science", _("科技")
    OTHER = "other", _("其他")


class Club(models.Model):
    """A featured-course club (社团) on the featured day (seed 一.2 特色课程)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="clubs")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="clubs")
    name = models.CharField(_("社团名称"), max_length=50)
    category = models.CharField(_("类别"), max_length=20, choices=ClubCategory.choices)
    min_grade = models.PositiveSmallIntegerField(
        _("最低年级"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    max_grade = models.PositiveSmallIntegerField(
        _("最高年级"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    capacity = models.PositiveSmallIntegerField(_("人数上限"), validators=[MinValueValidator(1)])
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指导教师"),
        on_delete=models.PROTECT,
        related_name="clubs",
    )
    room = models.ForeignKey(
        Room, verbose_name=_("场地"), on_delete=models.PROTECT, related_name="clubs"
    )
    weekday = models.PositiveSmallIntegerField(_("周几"), choices=Weekday.choices[:5])
    period = models.CharField(_("课时"), max_length=10, choices=Period.choices)
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("社团")
        verbose_name_plural = _("社团")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="unique_club_name_per_term"),
            models.UniqueConstraint(
                fields=["term", "weekday", "period", "room"], name="club_room_once_per_slot"
            ),
            models.UniqueConstraint(
                fields=["term", "weekday", "period", "teacher"], name="club_teacher_once_per_slot"
            ),
            models.CheckConstraint(
                condition=Q(max_grade__gte=models.F("min_grade")), name="club_grades_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_to_grade(self, grade: int) -> bool:
        return self.min_grade <= grade <= self.max_grade

    @property
    def grades_display(self) -> str:
        if self.min_grade == self.max_grade:
            return GRADE_NAMES[self.min_grade]
        return f"{GRADE_NAMES[self.min_grade]}至{GRADE_NAMES[self.max_grade]}"


# ---------------------------------------------------------------- leave, roll call, dismissal


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
    "on leave" and is what billing reads (``selectors.approved_leave_periods``).
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
                condition=Q(last_day__gte=models.F("first_day")), name="leave_days_in_order"
            ),
            models.CheckConstraint(
                condition=(Q(kind=LeaveKind.DAYS) & Q(periods=""))
                | (Q(kind=LeaveKind.PERIODS) & Q(periods__in=LeavePeriods.values)),
                name="leave_periods_match_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=LeaveStatus.values), name="leave_status_valid"
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
                condition=Q(status__in=AttendanceStatus.values), name="attendance_status_valid"
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
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.student}"
