"""The school and its year: School, County, SchoolYear, Term, Room,
SchoolClass, and the settings every school shares (fee cap, class sizes,
the seed's times, grade names, mobile rules).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
                condition=Q(last_day__gte=models.F("first_day")),
                name="term_days_in_order",
                violation_error_message=_("学期结束日期不能早于开始日期。"),
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
        "User",
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
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=9),
                name="grade_1_to_9",
                violation_error_message=_("年级必须在1至9之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES[self.grade]

    @property
    def display_name(self) -> str:
        return f"{GRADE_NAMES[self.grade]}（{self.number}）班"


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
