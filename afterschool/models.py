"""The school and its people: School, SchoolYear, Term, SchoolClass, Student,
Guardian, Room and the User with its roles.

Every row belongs to one School (``school`` foreign key), so one installation can
serve all the schools of a county while nobody of school A sees a row of school B.
Models keep single-row derived values and invariants only; rules that cross
models live in ``afterschool/services.py``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.idnumbers import mask_id_number

# The county's fee cap when a school has not set its own (seed 一.7: at most
# 2.30 yuan a period, at most two periods charged a day). The one home of
# these numbers: School's defaults, FeePolicy's defaults and the agreement
# text all read them from here or from the school's saved settings.
FEE_CAP_PER_PERIOD = Decimal("2.30")
FEE_CAP_PERIODS_PER_DAY = 2

# 大班额 rules (教育部《关于做好消除大班额工作的通知》): 56 is the most any class
# may ever hold; the standard sizes (45 小学, 50 初中) are the School's defaults.
CLASS_SIZE_MAX = 56

# Seed 一.2: participants arrive 13:00 and leave 18:10; the others arrive
# 13:55 and leave 17:20. A term's own times default to these.
DEFAULT_TERM_TIMES: dict[str, datetime.time] = {
    "participant_arrival": datetime.time(13, 0),
    "participant_dismissal": datetime.time(18, 10),
    "nonparticipant_arrival": datetime.time(13, 55),
    "nonparticipant_dismissal": datetime.time(17, 20),
}

MOBILE_VALIDATOR = RegexValidator(r"^1[3-9]\d{9}$", _("请输入11位中国大陆手机号。"))

# 企业微信 家校通讯录 parent_userid (the WeCom API's rule for 创建家长): 1–64
# bytes of digits, letters and 「_-@.」, starting with a digit or a letter;
# unique in the school, case-insensitive.
WECOM_PARENT_USERID_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_\-@.]{0,63}\Z",
    _("企业微信家长账号只能由字母、数字和“_-@.”组成，以字母或数字开头，最长64个字符。"),
)

GRADE_NAMES = {
    1: "一年级",
    2: "二年级",
    3: "三年级",
    4: "四年级",
    5: "五年级",
    6: "六年级",
    7: "七年级",
    8: "八年级",
    9: "九年级",
}


class StudentOrder(models.TextChoices):
    """How a school lists a class's students (roll call, dismissal, class
    lists): ``afterschool.selectors.class_order`` is the one place that
    turns it into an ORDER BY."""

    CLASS_NUMBER = "class_number", _("按学号")
    NAME = "name", _("按姓名")
    STUDENT_NUMBER = "student_number", _("按学籍号")


class School(models.Model):
    """A school; the root every other row hangs from."""

    name = models.CharField(_("学校名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    county = models.CharField(_("所属区县"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    # The county's fee cap (seed 一.7: at most 2.3 yuan a period, at most two
    # periods a day charged). Counties differ, so these are settings.
    fee_cap_per_period = models.DecimalField(
        _("每课时收费上限（元）"),
        max_digits=6,
        decimal_places=2,
        default=FEE_CAP_PER_PERIOD,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    fee_cap_periods_per_day = models.PositiveSmallIntegerField(
        _("每天最多收费课时数"), default=FEE_CAP_PERIODS_PER_DAY, validators=[MinValueValidator(1)]
    )
    fee_document = models.CharField(
        _("收费依据文件号"), max_length=100, blank=True, help_text=_("例如：X发【2024】X号")
    )
    student_order = models.CharField(
        _("班级名单排序"),
        max_length=20,
        choices=StudentOrder.choices,
        default=StudentOrder.CLASS_NUMBER,
        help_text=_("点名、离校登记和各种班级名单中学生的先后顺序；没有学号的学生排在最后。"),
    )
    # The county education bureau that inspects the school (seed, county plan
    # 四: 专项督查). ``county`` above is the free-text address line.
    supervising_county = models.ForeignKey(
        "County",
        verbose_name=_("主管县教体局"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schools",
    )
    # 大班额 rules: a class of more than 45 (小学) or 50 (初中) is oversized,
    # more than 56 is 超大班额 and never allowed. A roster import flags a class
    # that would grow past the school's limit before it is confirmed.
    class_size_limit_primary = models.PositiveSmallIntegerField(
        _("小学班额上限"),
        default=45,
        validators=[MinValueValidator(1), MaxValueValidator(CLASS_SIZE_MAX)],
    )
    class_size_limit_middle = models.PositiveSmallIntegerField(
        _("初中班额上限"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(CLASS_SIZE_MAX)],
    )

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def class_size_limit(self, grade: int) -> int:
        """The most students a class of ``grade`` (1–9) may hold: 1–6 are
        小学, 7–9 初中."""
        return self.class_size_limit_primary if grade <= 6 else self.class_size_limit_middle

    @property
    def fee_cap_per_day(self) -> Decimal:
        """The most a student can be charged in one day, in yuan (2.30 × 2 = 4.60)."""
        return self.fee_cap_per_period * self.fee_cap_periods_per_day


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


class SchoolYear(models.Model):
    """学年: starts in September of ``start_year`` and ends the next summer."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="school_years")
    start_year = models.PositiveSmallIntegerField(
        _("起始年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )

    class Meta:
        verbose_name = _("学年")
        verbose_name_plural = _("学年")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "start_year"], name="unique_school_year"),
        ]

    def __str__(self) -> str:
        return f"{self.start_year}—{self.start_year + 1}学年"


class Term(models.Model):
    """学期: a named span of school days inside a school year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("学期名称"), max_length=50)
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("结束日期"))
    # School settings, defaulting to the seed's times (DEFAULT_TERM_TIMES).
    participant_arrival = models.TimeField(
        _("参加课后服务学生到校时间"), default=DEFAULT_TERM_TIMES["participant_arrival"]
    )
    participant_dismissal = models.TimeField(
        _("参加课后服务学生放学时间"), default=DEFAULT_TERM_TIMES["participant_dismissal"]
    )
    nonparticipant_arrival = models.TimeField(
        _("不参加课后服务学生到校时间"), default=DEFAULT_TERM_TIMES["nonparticipant_arrival"]
    )
    nonparticipant_dismissal = models.TimeField(
        _("不参加课后服务学生放学时间"), default=DEFAULT_TERM_TIMES["nonparticipant_dismissal"]
    )

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["-first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="term_days_in_order"
            ),
            models.UniqueConstraint(fields=["school", "name"], name="unique_term_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day


class RoomKind(models.TextChoices):
    CLASSROOM = "classroom", _("教室")
    LIBRARY = "library", _("图书室")
    READING_ROOM = "reading_room", _("阅览室")
    PLAYGROUND = "playground", _("操场")
    GYM = "gym", _("体育馆")
    MUSIC = "music", _("音乐室")
    ART = "art", _("美术室")
    FUNCTION_ROOM = "function_room", _("功能室")


class Room(models.Model):
    """A place where a session or club meets."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=RoomKind.choices)
    capacity = models.PositiveSmallIntegerField(_("容纳人数"))

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="unique_room_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """班级 of one school year, e.g. 三年级（2）班 (grade 3, number 2)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="classes")
    grade = models.PositiveSmallIntegerField(
        _("年级"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    number = models.PositiveSmallIntegerField(_("班号"), validators=[MinValueValidator(1)])
    homeroom_teacher = models.ForeignKey(
        User,
        verbose_name=_("班主任"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homeroom_classes",
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("教室"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="classes",
    )

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["grade", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "grade", "number"], name="unique_class_per_year"
            ),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=9), name="grade_1_to_9"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES[self.grade]

    @property
    def display_name(self) -> str:
        return f"{GRADE_NAMES[self.grade]}（{self.number}）班"


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


class County(models.Model):
    """县教体局: the county education bureau that owns (inspects) its schools.

    Its supervisors (``User.county``, ``Role.SUPERVISOR``) see the figures of
    every school of the county, read-only, never named children (seed, county
    plan 四: 专项督查, counted in schools' assessment). ``api_token_hash`` is
    the hash of the regional platform's token for the JSON API; the plain
    token is shown once when it is issued.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    api_token_hash = models.CharField(_("接口令牌（哈希）"), max_length=128, blank=True)
    api_token_issued_at = models.DateTimeField(_("接口令牌签发时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("县教体局")
        verbose_name_plural = _("县教体局")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.school_class}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


# ---------------------------------------------------------------------------
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
