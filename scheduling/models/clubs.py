"""Clubs (社团, the featured course) and club choice: selection windows,
ranked choices, allocation runs, their results and the changes afterwards.

Rules live in ``scheduling/clubs/`` (the clubs) and ``scheduling/choice/``
(windows, choices, allocation).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afterschool.models import GRADE_NAMES, Role, Room, School, SchoolClass, Term
from scheduling.models.calendar import Period, Weekday

# Who may lead a club: any staff member of the school.
CLUB_TEACHER_ROLES = (Role.ADMIN, Role.HOMEROOM, Role.TEACHER, Role.VOLUNTEER)


class ClubCategory(models.TextChoices):
    SPORTS = "sports", _("体育")
    MUSIC = "music", _("音乐")
    DANCE = "dance", _("舞蹈")
    ART = "art", _("美术")
    CALLIGRAPHY = "calligraphy", _("书法")
    READING = "reading", _("阅读")
    SCIENCE = "science", _("科技")
    OTHER = "other", _("其他")


class Club(models.Model):
    """A featured-course club (社团) on the featured day (seed 一.2 特色课程)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="clubs")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="clubs")
    name = models.CharField(_("社团名称"), max_length=50)
    category = models.CharField(_("类别"), max_length=20, choices=ClubCategory.choices)
    min_grade = models.PositiveSmallIntegerField(
        _("最低年级"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    max_grade = models.PositiveSmallIntegerField(
        _("最高年级"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    capacity = models.PositiveSmallIntegerField(_("人数上限"), validators=[MinValueValidator(1)])
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指导教师"),
        on_delete=models.PROTECT,
        related_name="clubs",
    )
    room = models.ForeignKey(
        Room, verbose_name=_("场地"), on_delete=models.PROTECT, related_name="clubs"
    )
    weekday = models.PositiveSmallIntegerField(_("周几"), choices=Weekday.choices[:5])
    period = models.CharField(_("课时"), max_length=10, choices=Period.choices)
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("社团")
        verbose_name_plural = _("社团")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="unique_club_name_per_term"),
            models.UniqueConstraint(
                fields=["term", "weekday", "period", "room"], name="club_room_once_per_slot"
            ),
            models.UniqueConstraint(
                fields=["term", "weekday", "period", "teacher"], name="club_teacher_once_per_slot"
            ),
            models.CheckConstraint(
                condition=Q(max_grade__gte=models.F("min_grade")),
                name="club_grades_in_order",
                violation_error_message=_("最高年级不能低于最低年级。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_to_grade(self, grade: int) -> bool:
        return self.min_grade <= grade <= self.max_grade

    @property
    def grades_display(self) -> str:
        if self.min_grade == self.max_grade:
            return GRADE_NAMES[self.min_grade]
        return f"{GRADE_NAMES[self.min_grade]}至{GRADE_NAMES[self.max_grade]}"


class WindowScope(models.TextChoices):
    SCHOOL = "school", _("全校")
    GRADE = "grade", _("年级")
    CLASS = "class", _("班级")


class ChoiceWindow(models.Model):
    """A selection window (选课时间) of a term for the whole school, one grade
    or one class. A student's window is the most specific one: their class's,
    else their grade's, else the school's — so a class can open later or
    earlier than the rest without anyone being told late."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="choice_windows")
    scope = models.CharField(_("范围"), max_length=10, choices=WindowScope.choices)
    grade = models.PositiveSmallIntegerField(
        _("年级"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("班级"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="choice_windows",
    )
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("结束时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("选课时间")
        verbose_name_plural = _("选课时间")
        ordering = ["opens_at", "scope", "grade"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="window_in_order",
                violation_error_message=_("选课结束时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=(Q(scope="school") & Q(grade__isnull=True) & Q(school_class__isnull=True))
                | (Q(scope="grade") & Q(grade__isnull=False) & Q(school_class__isnull=True))
                | (Q(scope="class") & Q(grade__isnull=True) & Q(school_class__isnull=False)),
                name="window_scope_fields",
                violation_error_message=_("选课范围与所选年级或班级不一致。"),
            ),
            models.UniqueConstraint(
                fields=["term"], condition=Q(scope="school"), name="one_school_window_per_term"
            ),
            models.UniqueConstraint(
                fields=["term", "grade"],
                condition=Q(scope="grade"),
                name="one_grade_window_per_term",
            ),
            models.UniqueConstraint(
                fields=["term", "school_class"],
                condition=Q(scope="class"),
                name="one_class_window_per_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.scope == WindowScope.GRADE:
            return GRADE_NAMES[self.grade]
        if self.scope == WindowScope.CLASS:
            return str(self.school_class)
        return str(WindowScope.SCHOOL.label)


class ClubChoice(models.Model):
    """One ranked choice (志愿) of a student for a club in a term; rank 1 is the
    first choice. ``club_name`` keeps the name if the club is later deleted
    (the choice is then kept and shown to the guardian as no longer valid,
    never dropped silently)."""

    student = models.ForeignKey(
        "afterschool.Student", on_delete=models.CASCADE, related_name="club_choices"
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="club_choices")
    club = models.ForeignKey(
        Club, on_delete=models.SET_NULL, null=True, blank=True, related_name="choices"
    )
    club_name = models.CharField(_("社团名称"), max_length=50)
    rank = models.PositiveSmallIntegerField(
        _("志愿"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("社团志愿")
        verbose_name_plural = _("社团志愿")
        ordering = ["student_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["student", "term", "rank"], name="one_choice_per_rank"),
            models.UniqueConstraint(fields=["student", "term", "club"], name="club_chosen_once"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=3),
                name="choice_rank_1_3",
                violation_error_message=_("志愿顺序必须是1至3。"),
            ),
        ]
        indexes = [models.Index(fields=["term", "club"])]

    def __str__(self) -> str:
        return f"{self.student} {self.rank} {self.club_name}"


class AllocationRun(models.Model):
    """One run of the allocation (社团分配) with its seed and figures; guardians
    see a run's result once it is published (the latest published run of the
    term counts)."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="allocation_runs")
    seed = models.BigIntegerField(_("随机种子"))
    objective = models.TextField(_("目标"))
    tie_range = models.PositiveIntegerField(_("随机扰动范围"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("分配时间"), default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    students = models.PositiveIntegerField(_("参与分配人数"), default=0)
    no_choice = models.PositiveIntegerField(_("未填志愿人数"), default=0)
    got_first = models.PositiveIntegerField(_("第一志愿"), default=0)
    got_second = models.PositiveIntegerField(_("第二志愿"), default=0)
    got_third = models.PositiveIntegerField(_("第三志愿"), default=0)
    got_none = models.PositiveIntegerField(_("未分配"), default=0)
    priority_students = models.PositiveIntegerField(_("优先保障学生"), default=0)
    priority_placed = models.PositiveIntegerField(_("优先保障学生已分配"), default=0)
    total_score = models.PositiveIntegerField(_("满意度总分"), default=0)
    seconds = models.FloatField(_("求解用时（秒）"), default=0)

    class Meta:
        verbose_name = _("社团分配")
        verbose_name_plural = _("社团分配")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.term} #{self.pk} seed={self.seed}"


class AllocationState(models.TextChoices):
    PLACED = "placed", _("已分配")
    UNPLACED = "unplaced", _("未分配（候补）")
    WITHDRAWN = "withdrawn", _("已退出")


class Allocation(models.Model):
    """One student's result in a run: the club and the rank it was (1..3), or
    none. ``choices`` snapshots the ranked club ids the run saw, for the
    waiting lists and the audit."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="allocations")
    student = models.ForeignKey(
        "afterschool.Student", on_delete=models.CASCADE, related_name="club_allocations"
    )
    club = models.ForeignKey(
        Club, on_delete=models.SET_NULL, null=True, blank=True, related_name="allocations"
    )
    rank = models.PositiveSmallIntegerField(_("所得志愿"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=AllocationState.choices)
    is_priority = models.BooleanField(_("优先保障"), default=False)
    choices = models.JSONField(_("志愿"), default=list)
    tie_order = models.PositiveIntegerField(_("随机顺序"), default=0)
    from_waiting_list = models.BooleanField(_("候补递补"), default=False)

    class Meta:
        verbose_name = _("社团分配结果")
        verbose_name_plural = _("社团分配结果")
        ordering = ["run_id", "student_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "student"], name="one_allocation_per_run"),
            # A placed row keeps its rank; its club becomes NULL only if the
            # school deletes the club afterwards (shown as cancelled).
            models.CheckConstraint(
                condition=(Q(state="placed") & Q(rank__isnull=False)) | ~Q(state="placed"),
                name="placed_has_rank",
                violation_error_message=_("已录取的志愿必须有志愿顺序。"),
            ),
        ]
        indexes = [models.Index(fields=["run", "club", "state"])]

    def __str__(self) -> str:
        return f"{self.student} {self.club or '-'}"


class AllocationChangeKind(models.TextChoices):
    WITHDRAWN = "withdrawn", _("退出社团")
    MOVED = "moved", _("调整社团")
    FILLED = "filled", _("候补递补")


class AllocationChange(models.Model):
    """A change after the run: a withdrawal, a move, or a seat filled from the
    waiting list — the record that lets the result be audited."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("类型"), max_length=10, choices=AllocationChangeKind.choices)
    from_club = models.ForeignKey(
        Club, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_club = models.ForeignKey(
        Club, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("社团分配变更")
        verbose_name_plural = _("社团分配变更")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.allocation} {self.get_kind_display()}"
