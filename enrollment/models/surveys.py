"""调查摸底 (seed 一.5 (1)): the term's survey and each family's answer, and
the parts of the service a family wants (shared with the application)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.models import School, Student, Term, User


class Survey(models.Model):
    """调查摸底 for one term (seed 一.5 (1)): open while ``closed_at`` is empty."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="surveys")
    term = models.OneToOneField(
        Term, on_delete=models.CASCADE, related_name="survey", verbose_name=_("学期")
    )
    opened_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    opened_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("意向调查")
        verbose_name_plural = _("意向调查")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="survey_closed_after_opened",
                violation_error_message=_("问卷结束时间不能早于开始时间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term}意向调查"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SurveyAnswer(models.TextChoices):
    JOIN = "join", _("参加")
    DECLINE = "decline", _("不参加")
    UNDECIDED = "undecided", _("未决定")


class PartsMixin(models.Model):
    """The parts of the service a family wants (seed 一.2, 一.4)."""

    wants_noon = models.BooleanField(_("中午时段"), default=False)
    wants_after_school = models.BooleanField(_("下午放学后时段"), default=False)
    wants_featured_day = models.BooleanField(_("特色课后服务日（社团）"), default=False)

    PART_FIELDS = ("wants_noon", "wants_after_school", "wants_featured_day")

    class Meta:
        abstract = True

    @property
    def part_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(f).verbose_name) for f in self.PART_FIELDS if getattr(self, f)
        ]


class SurveyResponse(PartsMixin):
    """One family's survey answer; one per student per survey, editable until
    the survey closes. ``on_paper`` when the homeroom teacher typed it in."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="survey_responses", verbose_name=_("学生")
    )
    answer = models.CharField(_("意向"), max_length=10, choices=SurveyAnswer.choices)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("填写人")
    )
    on_paper = models.BooleanField(_("纸质回执"), default=False)
    created_at = models.DateTimeField(_("填写时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("调查回执")
        verbose_name_plural = _("调查回执")
        ordering = ["survey", "student"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "student"], name="one_response_per_student"),
            models.CheckConstraint(
                condition=Q(answer__in=SurveyAnswer.values),
                name="survey_answer_valid",
                violation_error_message=_("请选择有效的回答。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.get_answer_display()}"
