"""The people of a school: the User with its roles, Student, Guardian,
their guardianships, a student's class membership per school year and the
adults registered to collect a child.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.idnumbers import mask_id_number
from afterschool.models.school import (
    MOBILE_VALIDATOR,
    WECOM_PARENT_USERID_VALIDATOR,
    School,
    SchoolClass,
)


class Role(models.TextChoices):
    """A person's role at a school; each maps to a Django group of the same label."""

    ADMIN = "admin", _("学校管理员")
    HOMEROOM = "homeroom", _("班主任")
    TEACHER = "teacher", _("教师")
    VOLUNTEER = "volunteer", _("志愿者")
    GUARDIAN = "guardian", _("家长")
    # 县教体局: read-only figures of every school of one county (User.county).
    SUPERVISOR = "supervisor", _("县教体局督导")


class User(AbstractUser):
    """A login. Staff log in with a username; guardians with their mobile number
    (their ``username`` is the mobile). ``school`` is set for staff; a guardian's
    schools are those of their Guardian records (a family may have children in
    a primary and a middle school of the same county)."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    school = models.ForeignKey(
        School,
        verbose_name=_("学校"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True)
    # Unread notices, kept by afterschool.notices.services so the navigation
    # badge costs no query (the user row is loaded for every request anyway).
    unread_notices = models.PositiveIntegerField(_("未读通知"), default=0, editable=False)
    # A supervisor's county (Role.SUPERVISOR); empty for everyone else.
    county = models.ForeignKey(
        "County",
        verbose_name=_("所属县教体局"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisors",
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def is_school_admin(self) -> bool:
        return self.role == Role.ADMIN and self.school_id is not None

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR and self.county_id is not None

    @property
    def is_guardian(self) -> bool:
        return self.role == Role.GUARDIAN

    @property
    def is_staff_member(self) -> bool:
        return self.school_id is not None and self.role in {
            Role.ADMIN,
            Role.HOMEROOM,
            Role.TEACHER,
            Role.VOLUNTEER,
        }


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Student(models.Model):
    """A student on the school's register (学籍).

    ``student_number`` (学籍号, e.g. G + ID number) is unique within the school
    and is the key a re-import updates by. The four priority flags are the
    groups the seed (一.3) says come first when places are short.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students")
    student_number = models.CharField(_("学籍号"), max_length=30)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("班级"),
        on_delete=models.PROTECT,
        related_name="students",
    )
    is_boarder = models.BooleanField(_("住宿生"), default=False)
    is_migrant_child = models.BooleanField(_("进城务工人员随迁子女"), default=False)
    is_left_behind = models.BooleanField(_("留守儿童"), default=False)
    is_disabled = models.BooleanField(_("残疾儿童"), default=False)
    is_financial_hardship = models.BooleanField(_("家庭经济困难"), default=False)
    guardians = models.ManyToManyField(
        "Guardian", through="Guardianship", related_name="students", verbose_name=_("家长")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    # 学号: the number a child has inside the class (1, 2, 3 …), the order a
    # class list is read out in; not the 学籍号 above.
    class_number = models.PositiveSmallIntegerField(
        _("学号"), null=True, blank=True, help_text=_("班内学号，例如 1、2、3")
    )

    PRIORITY_FIELDS = ("is_migrant_child", "is_left_behind", "is_disabled", "is_financial_hardship")

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = [
            "school_class__grade",
            "school_class__number",
            models.F("class_number").asc(nulls_last=True),
            "student_number",
        ]
        permissions = [
            ("import_roster", _("可导入学生名册")),
            ("view_id_number", _("可查看完整身份证号")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "student_number"], name="unique_student_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_priority(self) -> bool:
        return any(getattr(self, f) for f in self.PRIORITY_FIELDS)

    @property
    def priority_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(f).verbose_name)
            for f in self.PRIORITY_FIELDS
            if getattr(self, f)
        ]


class Guardian(models.Model):
    """家长 / 监护人 at one school, identified by mobile. Siblings share one
    Guardian (and one login)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号"), max_length=11, validators=[MOBILE_VALIDATOR])
    user = models.ForeignKey(
        User,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardian_records",
    )
    # The guardian's parent_userid in the school's 企业微信 家校通讯录: where
    # 学校通知 messages go (NoticeChannel.WECOM). Per school: each school's
    # WeCom has its own address book.
    wecom_parent_userid = models.CharField(
        _("企业微信家长账号"),
        max_length=64,
        blank=True,
        validators=[WECOM_PARENT_USERID_VALIDATOR],
    )

    class Meta:
        verbose_name = _("家长")
        verbose_name_plural = _("家长")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "mobile"], name="unique_guardian_mobile"),
            models.UniqueConstraint(
                "school",
                Lower("wecom_parent_userid"),
                condition=~Q(wecom_parent_userid=""),
                name="unique_guardian_wecom_parent_userid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_mobile}）"

    @property
    def masked_mobile(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]}" if len(self.mobile) == 11 else ""


class Guardianship(models.Model):
    """Links a guardian to a student with the relation (父亲, 母亲, 祖母 …)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardianships")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="guardianships")
    relation = models.CharField(_("与学生关系"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("监护关系")
        verbose_name_plural = _("监护关系")
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"], name="unique_guardianship"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian.name} — {self.student.name}"


class LeaveReason(models.TextChoices):
    TRANSFER = "transfer", _("转学")
    LEFT = "left", _("离校")
    GRADUATED = "graduated", _("毕业")


class ClassMembership(models.Model):
    """A student's place in one class of one school year: the fact of year N
    that a later year never rewrites. ``Student.school_class`` is only the
    pointer to the student's latest class (the current year's, or the last
    one before graduating or leaving); every page of a given year lists the
    class's children through these rows.

    ``end_date`` is the first day the student is no longer in the class
    (transfer, leaving, graduation), ``None`` while they are.
    """

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("学生")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("班级")
    )
    start_date = models.DateField(_("入班日期"), null=True, blank=True)
    end_date = models.DateField(_("离班日期"), null=True, blank=True)
    leave_reason = models.CharField(
        _("离班原因"), max_length=20, choices=LeaveReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("班级成员")
        verbose_name_plural = _("班级成员")
        ordering = ["school_class__grade", "school_class__number", "student__student_number"]
        constraints = [
            models.UniqueConstraint(fields=["student", "school_class"], name="one_membership"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="membership_dates_in_order",
                violation_error_message=_("离班日期不能早于入班日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.school_class}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


# ---------------------------------------------------------------------------
class PickupPerson(models.Model):
    """An adult a guardian registers as allowed to collect the child at
    dismissal (安全共管). The photo is kept in the database only and served
    only to the child's teachers through an access-checked view."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="pickup_people")
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与学生关系"), max_length=20)
    mobile = models.CharField(_("手机号"), max_length=11, validators=[MOBILE_VALIDATOR])
    photo = models.BinaryField(_("照片"), null=True, blank=True, editable=False)
    photo_type = models.CharField(max_length=30, blank=True, editable=False)
    added_by = models.ForeignKey(
        User, verbose_name=_("登记人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("接送人")
        verbose_name_plural = _("接送人")
        ordering = ["student", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["student", "mobile"], name="unique_pickup_mobile"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"

    @property
    def masked_mobile(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]}" if len(self.mobile) == 11 else ""
