"""《课后服务协议书》: the school's versioned template and each signed (or
paper-received) agreement with its frozen text."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.audit import audit_history
from afterschool.models import School, User
from enrollment.models.applications import Application


class AgreementTemplate(models.Model):
    """One version of a school's 《课后服务协议书》 text: a Django template
    rendered with plain strings (see ``enrollment.agreements.texts``). Versions
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
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="template_version_positive",
                violation_error_message=_("协议版本号必须从1开始。"),
            ),
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
                violation_error_message=_("协议必须由家长签名同意，或登记为纸质协议。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} 协议书"

    @property
    def is_signed_online(self) -> bool:
        return self.signed_at is not None
