"""Calendar, periods and the term's settings (DESIGN.md "calendar × periods ─► daily sessions").

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

Rules live in ``scheduling/calendar/``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from afterschool.models import School, Term


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


def slot_label(weekday: int, period: str) -> str:
    """「周四 下午」."""
    return f"{Weekday(weekday).label} {Period(period).label}"


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
    # The local end of working hours the admin enters (national guidance
    # 2021: service ends no earlier than it); empty until entered.
    work_day_end = models.TimeField(
        _("当地正常下班时间"),
        null=True,
        blank=True,
        help_text=_("课后服务结束时间不得早于当地正常下班时间"),
    )

    class Meta:
        verbose_name = _("学期课表设置")
        verbose_name_plural = _("学期课表设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(noon_end__gt=models.F("noon_start")),
                name="noon_period_in_order",
                violation_error_message=_("中午结束时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(after_end__gt=models.F("after_start")),
                name="after_period_in_order",
                violation_error_message=_("下午结束时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(featured_weekday__lte=4),
                name="featured_weekday_mon_to_fri",
                violation_error_message=_("特色课后服务日必须是周一至周五中的一天。"),
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
                violation_error_message=_("补班日只能按周一至周五的课表。"),
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
