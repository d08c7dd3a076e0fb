"""Dated basic sessions and staff unavailability.

- ``Session``: one dated basic session (基础课程) of one class in one period,
  in the class's room, with its supervising teacher or volunteer. Sessions are
  dated rows (not a weekly template) because roll call, leave and the teacher's
  workload all count real dates, and unavailability is by date.
- ``StaffUnavailability``: a person is not available on a date or on a weekday.

Rules live in ``scheduling/rota/``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from afterschool.models import Role, Room, SchoolClass, Term
from scheduling.models.calendar import Period, Weekday, slot_label

# Who may supervise a basic session (seed 三: teachers first, plus
# parent-committee and community volunteers).
ROTA_ROLES = (Role.HOMEROOM, Role.TEACHER, Role.VOLUNTEER)


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
                violation_error_message=_("请填写具体日期或每周几，二者选其一。"),
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


class WeeklySupervisor(models.Model):
    """The rota pattern's people (看班安排): who supervises a class's basic
    session in ``period`` on timetable ``weekday`` through ``term``.

    Taken over from the last term when the next term is made from it
    (``scheduling.terms.services.rota_pattern_copy``); ``rota_generate``
    gives every session of the slot this person when they are free then,
    and balances the rest. One person per class slot, and never one person
    for two classes in the same weekly slot.
    """

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="weekly_supervisors")
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), on_delete=models.CASCADE, related_name="+"
    )
    weekday = models.PositiveSmallIntegerField(_("课表周几"), choices=Weekday.choices)
    period = models.CharField(_("课时"), max_length=10, choices=Period.choices)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("看班教师"),
        on_delete=models.CASCADE,
        related_name="weekly_supervisions",
    )

    class Meta:
        verbose_name = _("每周看班安排")
        verbose_name_plural = _("每周看班安排")
        ordering = ["term", "weekday", "period", "school_class__grade", "school_class__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "school_class", "weekday", "period"],
                name="one_weekly_supervisor_per_class_slot",
            ),
            models.UniqueConstraint(
                fields=["term", "weekday", "period", "supervisor"],
                name="weekly_supervisor_once_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} {slot_label(self.weekday, self.period)} {self.school_class}"
