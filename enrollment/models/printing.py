"""Background print jobs of 《课后服务协议书》 batches."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.models import GRADE_NAMES, School, SchoolClass, Term, User


class PrintJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在生成")
    DONE = "done", _("已完成")
    FAILED = "failed", _("生成失败")


class PrintJob(models.Model):
    """A batch of 《课后服务协议书》 (a class or a grade) printed as one PDF in
    the background, so no request waits for a batch larger than
    ``AGREEMENT_PRINT_INLINE_MAX``. The finished PDF is kept in the row
    (``pdf``), so any web server of the deployment can offer it without
    shared disk; pages that list jobs defer it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="print_jobs")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="print_jobs")
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="print_jobs",
        verbose_name=_("班级"),
    )
    grade = models.PositiveSmallIntegerField(_("年级"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=PrintJobStatus.choices, default=PrintJobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("已完成份数"), default=0)
    total = models.PositiveIntegerField(_("总份数"), default=0)
    pages = models.PositiveIntegerField(_("页数"), default=0)
    pdf = models.BinaryField(_("PDF文件"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    task_id = models.CharField(_("后台任务编号"), max_length=64, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("协议书打印任务")
        verbose_name_plural = _("协议书打印任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(school_class__isnull=False) & Q(grade__isnull=True))
                | (Q(school_class__isnull=True) & Q(grade__isnull=False)),
                name="print_job_class_or_grade",
                violation_error_message=_("请选择一个班级或一个年级。"),
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")),
                name="print_job_done_le_total",
                violation_error_message=_("已打印份数不能超过总份数。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=PrintJobStatus.values),
                name="print_job_status_valid",
                violation_error_message=_("打印任务状态无效。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} 协议书"

    @property
    def scope_label(self) -> str:
        if self.school_class_id:
            return self.school_class.display_name
        return GRADE_NAMES.get(self.grade, str(self.grade))

    @property
    def is_finished(self) -> bool:
        return self.status in {PrintJobStatus.DONE, PrintJobStatus.FAILED}

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
