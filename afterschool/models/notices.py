"""Notices (通知): the outbox every event writes to, announcements, delivery
records and each person's channel choices. Rules in ``afterschool/notices/``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.models.people import Guardian, User
from afterschool.models.school import GRADE_NAMES, School, SchoolClass

# Notices (通知): the outbox every event writes to, announcements, delivery
# records and each person's channel choices. Rules in ``afterschool/notices/``.
# ---------------------------------------------------------------------------


class NoticeKind(models.TextChoices):
    """What a notice is about; one kind per event that writes notices."""

    APPLICATION_RETURNED = "application_returned", _("申请被退回")
    APPLICATION_APPROVED = "application_approved", _("班主任已审核申请")
    APPLICATION_SCHOOL_APPROVED = "application_school_approved", _("学校已批准申请")
    AGREEMENT_READY = "agreement_ready", _("协议书待签署")
    SURVEY_OPENED = "survey_opened", _("意向调查开始")
    CHOICE_WINDOW_OPEN = "choice_window_open", _("社团选课开始")
    CHOICE_WINDOW_CLOSING = "choice_window_closing", _("社团选课明天截止")
    ALLOCATION_PUBLISHED = "allocation_published", _("社团分配结果公布")
    SERVICE_SUSPENDED = "service_suspended", _("停课通知")
    LEAVE_DECIDED = "leave_decided", _("请假审批结果")
    ABSENT_WITHOUT_LEAVE = "absent_without_leave", _("未到且未请假")
    ROLL_NOT_TAKEN = "roll_not_taken", _("未按时点名")
    NOT_COLLECTED = "not_collected", _("放学后未被接走")
    STATEMENT_READY = "statement_ready", _("账单已生成")
    PAYMENT_RECORDED = "payment_recorded", _("缴费已登记")
    WAIVER_DECIDED = "waiver_decided", _("减免审核结果")
    ANNOUNCEMENT = "announcement", _("学校公告")


class AnnouncementAudience(models.TextChoices):
    SCHOOL = "school", _("全校家长")
    GRADE = "grade", _("一个年级的家长")
    CLASS = "class", _("一个班的家长")


class Announcement(models.Model):
    """An announcement (公告) the school writes to the guardians of a class, a
    grade or the whole school (a homeroom teacher: their own class); each
    guardian gets one Notice, with a login or not."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(
        User, verbose_name=_("发布人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), max_length=2000)
    audience = models.CharField(_("发送范围"), max_length=10, choices=AnnouncementAudience.choices)
    grade = models.PositiveSmallIntegerField(_("年级"), null=True, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), on_delete=models.CASCADE, null=True, blank=True
    )
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("学校公告")
        verbose_name_plural = _("学校公告")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def grade_name(self) -> str:
        """The grade in words (三年级) for a grade announcement, else ""."""
        return GRADE_NAMES.get(self.grade, "") if self.grade else ""


class Notice(models.Model):
    """One notice to one person (the in-app channel, always on). ``dedupe_key``
    makes an event that fires twice (a double submit, a periodic check run
    again) write one notice per person. Never carries an ID number.

    A notice to a guardian names the ``guardian`` record. While that guardian
    has no login, ``recipient`` is empty: the notice still goes out by SMS or
    WeCom, and is handed to the login once there is one
    (``afterschool.notices.services.notices_claim``), so it shows in the
    inbox after activation."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("家长"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
    )
    kind = models.CharField(_("类型"), max_length=40, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("办理链接"), max_length=300, blank=True)
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notice_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["guardian", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notice_once_per_guardian_event",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(guardian__isnull=False),
                name="notice_has_addressee",
                violation_error_message=_("通知必须有收件人。"),
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NoticeChannel(models.TextChoices):
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信家校通知")
    CONSOLE = "console", _("开发日志")


class NoticePreference(models.Model):
    """A person's channels beyond in-app (always on). The 企业微信 家校通讯录
    parent userid is the guardian's, per school (``Guardian.wecom_parent_userid``)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notice_preference")
    sms = models.BooleanField(_("短信"), default=True)
    wecom = models.BooleanField(_("企业微信家校通知"), default=True)

    class Meta:
        verbose_name = _("通知方式")
        verbose_name_plural = _("通知方式")

    def __str__(self) -> str:
        return str(self.user)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    RETRY = "retry", _("等待重试")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("无法发送")


class Delivery(models.Model):
    """One notice sent through one outside channel, with each attempt's
    result: ``attempts``, the last error and when the next try is due."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=NoticeChannel.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.TextField(_("错误"), blank=True)
    provider_reply = models.TextField(_("服务商回复"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="one_delivery_per_channel"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.notice} {self.channel}"
