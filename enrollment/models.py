"""Enrollment: survey, application or opt-out, review, approval, agreement.

The seed's 服务流程 (一.5): (1) 调查摸底 is ``Survey``/``SurveyResponse``; (2) 家长申请
is ``Application``; (3) 班主任审核 and 以班为单位上报 are the homeroom statuses and
``ClassSubmission``; (4) 学校审核 is the school's decision on a submission; the
《课后服务协议书》 is ``AgreementTemplate``/``Agreement``; (6) 放弃申请 is ``OptOut``.

Every row belongs to a school: ``Survey`` and ``AgreementTemplate`` carry it, the
others reach it through their term, student or class; the access helpers in
``enrollment/access.py`` scope by it. Status changes go through
``enrollment.services.application_transition`` only.

Audit (issue 6): applications, agreements, waiver requests, agreement
templates, opt-outs and class submissions keep every version of their row
with who changed it and when (django-simple-history, ``<row>.history``). The
user is the request's (HistoryRequestMiddleware) or, in the services, the
``by`` of the call (``_history_user``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.audit import audit_history
from afterschool.models import (
    GRADE_NAMES,
    MOBILE_VALIDATOR,
    School,
    SchoolClass,
    Student,
    Term,
    User,
)


class EnrollmentSettings(models.Model):
    """Per-term enrollment settings (product): whether a student whose
    application was withdrawn may apply again in the same term."""

    term = models.OneToOneField(
        Term, on_delete=models.CASCADE, related_name="enrollment_settings", verbose_name=_("学期")
    )
    allow_reapply_after_withdrawal = models.BooleanField(_("退出后本学期可再次申请"), default=False)

    class Meta:
        verbose_name = _("报名设置")
        verbose_name_plural = _("报名设置")

    def __str__(self) -> str:
        return str(self.term)


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
                condition=Q(answer__in=SurveyAnswer.values), name="survey_answer_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.get_answer_display()}"


class Status(models.TextChoices):
    """Application statuses; the allowed moves are in
    ``enrollment.services.TRANSITIONS``."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待班主任审核")
    RETURNED = "returned", _("已退回，待家长修改")
    APPROVED_BY_HOMEROOM = "approved_by_homeroom", _("班主任已审核")
    SUBMITTED_TO_SCHOOL = "submitted_to_school", _("已上报学校")
    APPROVED = "approved", _("学校已批准")
    WITHDRAWN = "withdrawn", _("已退出")
    TERMINATED = "terminated", _("已终止资格")


class ClassSubmission(models.Model):
    """以班为单位上报 (seed 一.5 (3)): the homeroom teacher sends the class's
    reviewed applications to the school; from then on only the school changes
    them (一.5 (4)). ``approved_at`` is set when the school approves the whole
    list; a later submission of late applications clears it again."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("班级")
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="class_submissions")
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("上报人")
    )
    submitted_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    frozen = models.BooleanField(_("已锁定"), default=True)
    approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("学校审核时间"), null=True, blank=True)

    history = audit_history(_("班级上报变更记录"))

    class Meta:
        verbose_name = _("班级上报")
        verbose_name_plural = _("班级上报")
        ordering = ["school_class__grade", "school_class__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "term"], name="one_submission_per_class_term"
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(approved_by__isnull=False),
                name="submission_approval_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} {self.term}"


class Application(PartsMixin):
    """课后服务申请书 (seed 一.5 (2)) of one student for one term.

    ``reason`` is in the guardian's own words and never pre-filled. One per
    (student, term), so a double submit leaves one. Pick-up: a named adult
    collects the child at the participants' dismissal (18:10), or the child
    goes home alone.
    """

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="applications", verbose_name=_("学生")
    )
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="applications", verbose_name=_("学期")
    )
    status = models.CharField(
        _("状态"), max_length=30, choices=Status.choices, default=Status.DRAFT
    )
    goes_home_alone = models.BooleanField(_("孩子自行回家"), default=False)
    pickup_name = models.CharField(_("接送人姓名"), max_length=50, blank=True)
    pickup_relation = models.CharField(_("接送人与学生关系"), max_length=20, blank=True)
    pickup_mobile = models.CharField(
        _("接送人手机号"), max_length=11, blank=True, validators=[MOBILE_VALIDATOR]
    )
    health_notes = models.TextField(_("健康状况说明"), blank=True)
    emergency_name = models.CharField(_("紧急联系人"), max_length=50, blank=True)
    emergency_mobile = models.CharField(
        _("紧急联系电话"), max_length=11, blank=True, validators=[MOBILE_VALIDATOR]
    )
    reason = models.TextField(_("申请理由"), blank=True)
    waiver_requested = models.BooleanField(_("申请减免课后服务费（家庭经济困难）"), default=False)
    waiver_reason = models.TextField(_("减免理由"), blank=True)
    on_paper = models.BooleanField(_("纸质申请"), default=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("填写人")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    last_reason = models.TextField(_("最近一次退回或处理理由"), blank=True)
    class_submission = models.ForeignKey(
        ClassSubmission,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("班级上报"),
    )

    history = audit_history(_("课后服务申请变更记录"))

    class Meta:
        verbose_name = _("课后服务申请")
        verbose_name_plural = _("课后服务申请")
        ordering = [
            "student__school_class__grade",
            "student__school_class__number",
            "student__name",
        ]
        constraints = [
            models.UniqueConstraint(fields=["student", "term"], name="one_application_per_term"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="application_status_valid"
            ),
            # Outside a draft the form is complete: some part chosen, a pick-up
            # arrangement, a reason, and a reason for any waiver asked.
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT)
                | (
                    (Q(wants_noon=True) | Q(wants_after_school=True) | Q(wants_featured_day=True))
                    & (Q(goes_home_alone=True) | ~Q(pickup_name=""))
                    & ~Q(reason="")
                    & (Q(waiver_requested=False) | ~Q(waiver_reason=""))
                ),
                name="application_complete_unless_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.term}"

    @property
    def is_editable_by_guardian(self) -> bool:
        return self.status in {Status.DRAFT, Status.RETURNED}


class ApplicationEvent(models.Model):
    """One status change of an application: the history timeline."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=30, choices=Status.choices)
    by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("申请记录")
        verbose_name_plural = _("申请记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.from_status}→{self.to_status}"


class WaiverStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意减免")
    DECLINED = "declined", _("不予减免")


class WaiverRequest(models.Model):
    """A request to waive the fee for economic hardship (seed 一.7: 对家庭困难子女免收).

    Created when an application asking for it is submitted; the school
    decides. Billing reads an approved one through
    ``enrollment.selectors.approved_waiver_for``.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="waiver", verbose_name=_("申请")
    )
    reason = models.TextField(_("减免理由"))
    status = models.CharField(
        _("审核结果"), max_length=10, choices=WaiverStatus.choices, default=WaiverStatus.PENDING
    )
    decision_reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    history = audit_history(_("减免申请变更记录"))

    class Meta:
        verbose_name = _("减免申请")
        verbose_name_plural = _("减免申请")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=WaiverStatus.PENDING)
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="waiver_decision_has_decider",
            ),
            models.CheckConstraint(
                condition=~Q(status=WaiverStatus.DECLINED) | ~Q(decision_reason=""),
                name="waiver_decline_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_status_display()}"


class OptOut(models.Model):
    """放弃申请 (seed 一.5 (6)): the family declares in writing that it takes
    charge of the child at the normal times. Final unless the guardian changes
    it (``revoked_at``); it starts no follow-up work."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="opt_outs", verbose_name=_("学生")
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="opt_outs")
    declared_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("声明人")
    )
    declared_at = models.DateTimeField(_("声明时间"), default=timezone.now)
    statement = models.TextField(_("声明内容"))
    on_paper = models.BooleanField(_("纸质声明"), default=False)
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = audit_history(_("放弃申请变更记录"))

    class Meta:
        verbose_name = _("放弃申请")
        verbose_name_plural = _("放弃申请")
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_opt_out_per_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.term} 放弃申请"


class AgreementTemplate(models.Model):
    """One version of a school's 《课后服务协议书》 text: a Django template
    rendered with plain strings (see ``enrollment.agreements``). Versions
    are never edited in place: saving creates the next version."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="agreement_templates")
    version = models.PositiveIntegerField(_("版本号"))
    body = models.TextField(_("协议正文模板"))
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    history = audit_history(_("协议书模板变更记录"))

    class Meta:
        verbose_name = _("协议书模板")
        verbose_name_plural = _("协议书模板")
        ordering = ["school", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="unique_template_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="template_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.school} 协议书 第{self.version}版"


class Agreement(models.Model):
    """A signed (or paper-received) 《课后服务协议书》 for one application.

    ``text`` is the template rendered at signing and frozen: later template
    edits never change it. Either signed online (name typed, consent ticked,
    time and IP) or received on paper.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="agreement", verbose_name=_("申请")
    )
    template = models.ForeignKey(
        AgreementTemplate, on_delete=models.PROTECT, related_name="agreements"
    )
    template_version = models.PositiveIntegerField(_("协议版本"))
    text = models.TextField(_("协议全文"))
    signed_name = models.CharField(_("签名"), max_length=50, blank=True)
    consent = models.BooleanField(_("同意协议内容"), default=False)
    signed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("签署IP"), null=True, blank=True)
    paper_received_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paper_received_at = models.DateTimeField(_("纸质协议收回时间"), null=True, blank=True)

    history = audit_history(_("课后服务协议变更记录"))

    class Meta:
        verbose_name = _("课后服务协议")
        verbose_name_plural = _("课后服务协议")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(signed_at__isnull=False, consent=True, signed_by__isnull=False)
                    & ~Q(signed_name="")
                )
                | Q(paper_received_at__isnull=False, paper_received_by__isnull=False),
                name="agreement_signed_or_paper",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} 协议书"

    @property
    def is_signed_online(self) -> bool:
        return self.signed_at is not None


class PrintJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在生成")
    DONE = "done", _("已完成")
    FAILED = "failed", _("生成失败")


class PrintJob(models.Model):
    """A batch of 《课后服务协议书》 (a class or a grade) printed as one PDF in
    the background (issue 3: batches of more than 100 never make a request
    wait). The finished PDF is kept in the row (``pdf``), so any web server
    of the deployment can offer it without shared disk; pages that list jobs
    defer it."""

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
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="print_job_done_le_total"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PrintJobStatus.values), name="print_job_status_valid"
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
