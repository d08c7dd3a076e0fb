"""Writes about class membership and the yearly rollover (升级).

A student's class in school year N is a ``ClassMembership`` row of year N;
nothing of year N is rewritten when the school moves on to year N+1. The
rollover creates the next year's classes one grade up, copies each
continuing student's membership into the promoted class and moves
``Student.school_class`` (the latest-class pointer) there. The top grade
graduates: their membership of the last year ends, and they get no class in
the new year.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from afterschool.access import is_admin_of
from afterschool.models import (
    GRADE_NAMES,
    ClassMembership,
    LeaveReason,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Term,
    User,
)
from afterschool.selectors import school_year_start

# The top grade of a 小学 (六年级) and of a 九年制 school (九年级).
PRIMARY_TOP_GRADE = 6
TOP_GRADE = 9


def memberships_sync(*, students: Iterable[Student]) -> int:
    """Give each of ``students`` an open membership of its current
    ``school_class`` when it has none (students written by code that only
    sets the class field, e.g. the demo's register). Idempotent; two queries
    whatever the number. Returns how many memberships were created."""
    students = list(students)
    have = set(
        ClassMembership.objects.filter(student__in=students).values_list(
            "student_id", "school_class_id"
        )
    )
    rows = [
        ClassMembership(student=s, school_class_id=s.school_class_id)
        for s in students
        if (s.pk, s.school_class_id) not in have
    ]
    ClassMembership.objects.bulk_create(rows)
    return len(rows)


def memberships_end(
    *, students: Iterable[Student], school_year: SchoolYear, end_date: datetime.date, reason: str
) -> int:
    """End the open memberships of ``students`` in ``school_year``'s classes
    from ``end_date`` (the first day they are no longer in the class) with
    ``reason`` (a ``LeaveReason`` value). Raises ValidationError for an
    unknown reason. One update query; returns how many rows ended."""
    if reason not in LeaveReason.values:
        raise ValidationError(_("请选择离校原因。"), code="reason")
    return ClassMembership.objects.filter(
        student__in=list(students),
        school_class__school_year=school_year,
        end_date__isnull=True,
    ).update(end_date=end_date, leave_reason=reason)


@dataclass
class RolloverPlanRow:
    """One class of the old year and where it goes: ``to_grade`` is
    ``None`` for a graduating class."""

    source: SchoolClass
    students: int
    to_grade: int | None

    @property
    def graduates(self) -> bool:
        return self.to_grade is None

    @property
    def to_grade_name(self) -> str:
        """The promoted class's name, e.g. 四年级（2）班; empty for graduates."""
        if self.to_grade is None:
            return ""
        return f"{GRADE_NAMES[self.to_grade]}（{self.source.number}）班"


@dataclass
class RolloverResult:
    """What a rollover wrote."""

    school_year: SchoolYear
    classes_created: int = 0
    students_promoted: int = 0
    students_graduated: int = 0


def rollover_top_grade(classes: Iterable[SchoolClass]) -> int:
    """The graduating grade: 六年级 for a school whose classes stop at 6
    (小学), otherwise 九年级."""
    grades = {c.grade for c in classes}
    return PRIMARY_TOP_GRADE if grades and max(grades) <= PRIMARY_TOP_GRADE else TOP_GRADE


@transaction.atomic
def school_year_rollover(
    *,
    school: School,
    from_year: SchoolYear,
    by: User,
    homeroom_teachers: Mapping[int, User | None] | None = None,
) -> RolloverResult:
    """Promote ``school`` from ``from_year`` into the next school year (升级).

    Every class of ``from_year`` below the top grade (``rollover_top_grade``)
    gets a class one grade up, same number, in the year starting
    ``from_year.start_year + 1`` (created if missing); ``homeroom_teachers``
    maps a source class's pk to the promoted class's homeroom teacher (a
    staff user of the school, or ``None`` for none; classes not in the map
    keep their teacher). Each continuing student (membership still open)
    gets a membership of the promoted class starting September 1 and their
    ``school_class`` pointer moves there. The top grade's open memberships
    end on September 1 of the new year (their first day out) with reason
    毕业, and their pointer stays on their last class. Nothing else of
    ``from_year`` is written: its classes, memberships, applications,
    statements and rolls stay as they were.
    The new first grade comes from the new year's roster import.

    Raises ValidationError (nothing written) when ``by`` is not the
    school's admin, the year belongs to another school, a teacher is not
    the school's staff, or the new year already has classes (a second
    rollover, e.g. a double submit, writes nothing). Fixed queries whatever
    the number of classes and students.
    """
    if not is_admin_of(by, school.pk) or from_year.school_id != school.pk:
        raise ValidationError(_("只有本校管理员可以升级学年。"), code="forbidden")
    homeroom_teachers = dict(homeroom_teachers or {})
    for teacher in homeroom_teachers.values():
        if teacher is not None and teacher.school_id != school.pk:
            raise ValidationError(_("班主任必须是本校教职工。"), code="teacher")
    # Lock the old year: a second request waits here and then finds the
    # new year's classes in place.
    SchoolYear.objects.select_for_update().filter(pk=from_year.pk).get()
    new_year, _created = SchoolYear.objects.get_or_create(
        school=school, start_year=from_year.start_year + 1
    )
    if SchoolClass.objects.filter(school_year=new_year).exists():
        raise ValidationError(
            _("%(year)s 已有班级，学年已经升级过，不能重复升级。") % {"year": new_year},
            code="done",
        )
    sources = list(SchoolClass.objects.filter(school_year=from_year).order_by("grade", "number"))
    top = rollover_top_grade(sources)
    promoted = {
        c.pk: SchoolClass(
            school=school,
            school_year=new_year,
            grade=c.grade + 1,
            number=c.number,
            homeroom_teacher=homeroom_teachers.get(c.pk, c.homeroom_teacher),
            room=c.room,
        )
        for c in sources
        if c.grade < top
    }
    SchoolClass.objects.bulk_create(list(promoted.values()))
    new_classes = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school_year=new_year)}
    target = {pk: new_classes[(c.grade, c.number)] for pk, c in promoted.items()}
    first_day = datetime.date(new_year.start_year, 9, 1)
    open_rows = list(
        ClassMembership.objects.filter(
            school_class__school_year=from_year, end_date__isnull=True
        ).select_related("student")
    )
    memberships, moved, graduated = [], [], []
    for row in open_rows:
        to = target.get(row.school_class_id)
        if to is None:
            graduated.append(row.pk)
            continue
        memberships.append(
            ClassMembership(student=row.student, school_class=to, start_date=first_day)
        )
        row.student.school_class = to
        moved.append(row.student)
    ClassMembership.objects.bulk_create(memberships)
    Student.objects.bulk_update(moved, ["school_class"])
    # The graduates' last class stays their pointer; their year ends.
    ClassMembership.objects.filter(pk__in=graduated).update(
        end_date=first_day,
        leave_reason=LeaveReason.GRADUATED,
    )
    return RolloverResult(
        school_year=new_year,
        classes_created=len(promoted),
        students_promoted=len(moved),
        students_graduated=len(graduated),
    )


TERM_TIME_FIELDS = (
    "participant_arrival",
    "participant_dismissal",
    "nonparticipant_arrival",
    "nonparticipant_dismissal",
)


def term_create_from(
    *,
    source: Term,
    name: str,
    first_day: datetime.date,
    last_day: datetime.date,
    times: Mapping[str, datetime.time] | None = None,
) -> Term:
    """A new term of ``source``'s school with ``source``'s four times
    (participants' / others' arrival and dismissal) unless ``times`` (keys of
    ``TERM_TIME_FIELDS``) changes them; its school year is the one containing
    ``first_day`` (created if missing). Raises ValidationError (nothing
    written) for days out of order, a term crossing into another school
    year, or a name the school already uses. Part of the term copy that
    ``billing.terms.services.term_next_from_last`` runs."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写学期名称。")})
    if last_day < first_day:
        raise ValidationError({"last_day": _("结束日期不能早于开始日期。")})
    start = school_year_start(first_day)
    if school_year_start(last_day) != start:
        raise ValidationError({"last_day": _("学期不能跨越两个学年。")})
    if Term.objects.filter(school_id=source.school_id, name=name).exists():
        raise ValidationError({"name": _("已有同名学期“%(name)s”。") % {"name": name}})
    year, _created = SchoolYear.objects.get_or_create(school_id=source.school_id, start_year=start)
    values = {f: getattr(source, f) for f in TERM_TIME_FIELDS}
    values.update({k: v for k, v in (times or {}).items() if k in TERM_TIME_FIELDS})
    return Term.objects.create(
        school_id=source.school_id,
        school_year=year,
        name=name,
        first_day=first_day,
        last_day=last_day,
        **values,
    )
