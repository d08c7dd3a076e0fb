"""家长申请 to 学校审核 (seed 一.5 (2)–(4)), the fee waiver (一.7) and 放弃申请
(一.5 (6)): the application, its status history, the class submission, the
waiver request, the opt-out, and the term's enrollment settings."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.audit import audit_history
from afterschool.models import MOBILE_VALIDATOR, SchoolClass, Student, Term, User
from enrollment.models.surveys import PartsMixin


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


class Status(models.TextChoices):
    """Application statuses; the allowed moves are in
    ``enrollment.applications.services.TRANSITIONS``."""

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
                violation_error_message=_("审核通过必须记录审核人。"),
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
                condition=Q(status__in=Status.values),
                name="application_status_valid",
                violation_error_message=_("报名状态无效。"),
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
                violation_error_message=_(
                    "报名表未填写完整：请选择至少一个课时，填写接送方式和报名理由；申请减免时请填写减免理由。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.term}"

    # The statuses in which the form can still be changed (seed 一.5 (2)): a
    # draft, or one returned to the family for changes. Once submitted, only
    # the reviewers move it.
    EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})

    @property
    def is_editable(self) -> bool:
        """Whether the family (or staff entering a paper form) may still
        change the form: ``EDITABLE_STATUSES``."""
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_reopenable(self) -> bool:
        """Editable, or withdrawn: a withdrawn application reopens as a draft
        when the form is saved again, where the term allows re-applying
        (``EnrollmentSettings.allow_reapply_after_withdrawal``)."""
        return self.is_editable or self.status == Status.WITHDRAWN


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
    ``enrollment.waivers.selectors.approved_waiver_for``.
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
    # From which day an approved waiver applies (days before it are charged);
    # ``waiver_decide`` sets it, by default to the day the guardian asked
    # (``enrollment.waivers.selectors.waiver_start``).
    effective_from = models.DateField(_("减免生效日期"), null=True, blank=True)
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
                violation_error_message=_("审核结果必须记录审核人和审核时间。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=WaiverStatus.DECLINED) | ~Q(decision_reason=""),
                name="waiver_decline_has_reason",
                violation_error_message=_("不同意减免时请填写理由。"),
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
