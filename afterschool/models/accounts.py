"""Account and import bookkeeping: guardians' activation codes and the
throttle on failed attempts, roster files kept between preview and confirm.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.models.people import User
from afterschool.models.school import School


class ActivationCode(models.Model):
    """A one-time code printed on a guardian's activation letter.

    Only a hash is kept: the plain code exists on the printed letter alone.
    Reprinting a class's letters supersedes the older unused codes of that
    class; activating with any code voids the user's other unused codes.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    # The class whose letters carried the code: a family with children in two
    # classes gets a letter in each, and printing one class must not void the
    # code on the other class's letter.
    school_class = models.ForeignKey(
        "SchoolClass",
        verbose_name=_("班级"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activation_codes",
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("激活码")
        verbose_name_plural = _("激活码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class RosterUpload(models.Model):
    """A roster file uploaded by a school admin, kept between preview and
    confirm. ``confirmed_at`` is set once, when the import is written; a
    second confirm finds it set and imports nothing."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="roster_uploads")
    uploaded_by = models.ForeignKey(
        User,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="roster_uploads",
    )
    filename = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField(_("文件内容"))
    start_year = models.PositiveSmallIntegerField(
        _("学年起始年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    summary = models.JSONField(_("导入结果"), null=True, blank=True)

    class Meta:
        verbose_name = _("名册上传")
        verbose_name_plural = _("名册上传")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class ActivationThrottle(models.Model):
    """Failed activation attempts for one mobile, counted in the app (nginx's
    rate limit is per address; a guesser can change addresses).

    ``mobile_key`` is a keyed hash of the normalised mobile (no mobile in the
    table). ``afterschool.activation.guardian_activate`` refuses every attempt
    while ``locked_until`` is in the future, with the wrong-code message.
    """

    mobile_key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("激活失败记录")
        verbose_name_plural = _("激活失败记录")

    def __str__(self) -> str:
        return self.mobile_key[:8]
