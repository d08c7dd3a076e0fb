"""Homework publication (作业公示): the day's homework of a class with its
estimated time, published by the class's homeroom or a subject teacher and
shown to the class's guardians.

Caps (DESIGN.md "Rules with numbers", seed 小学开展"双减"工作实施方案 二.4):
grades 1–2 no written homework; grades 3–6 at most 60 minutes of written
homework a day on average; junior middle school (grades 7–9) at most 90.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.models import School, SchoolClass, User

# Minutes of written homework a day, by grade; None means none allowed.
NO_WRITTEN_HOMEWORK_GRADES = frozenset({1, 2})
PRIMARY_DAILY_CAP_MINUTES = 60
JUNIOR_DAILY_CAP_MINUTES = 90


def homework_cap_minutes(grade: int) -> int:
    """The most minutes of written homework a day for ``grade`` (1–9):
    0 for grades 1–2, 60 for grades 3–6, 90 for grades 7–9 (seed 二.4; policy)."""
    if grade in NO_WRITTEN_HOMEWORK_GRADES:
        return 0
    if grade <= 6:
        return PRIMARY_DAILY_CAP_MINUTES
    return JUNIOR_DAILY_CAP_MINUTES


class Homework(models.Model):
    """One subject's homework for one class on one day (作业公示)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="homework")
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), on_delete=models.CASCADE, related_name="homework"
    )
    date = models.DateField(_("日期"))
    subject = models.CharField(_("学科"), max_length=20)
    content = models.CharField(_("作业内容"), max_length=300)
    is_written = models.BooleanField(_("书面作业"), default=True)
    minutes = models.PositiveSmallIntegerField(
        _("预计用时（分钟）"), validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    set_by = models.ForeignKey(
        User,
        verbose_name=_("布置教师"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="homework_set",
    )
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("作业公示")
        verbose_name_plural = _("作业公示")
        ordering = ["date", "subject", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "date", "subject"], name="unique_homework_per_subject_day"
            ),
        ]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return f"{self.school_class} {self.date} {self.subject}"
