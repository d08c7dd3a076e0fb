"""Reads of the roster import (STYLE.md §1): what a checked file would
change in each of its classes, for the preview.

The school year's class membership is compared with the file, student by
student (matched by 学籍号): who is new to the class, who moves in from
another class of the same year, and who is in the class but not in the
file (transferred, left, or simply missing from this file). Importing next
year's roster into the classes the rollover promoted works the same way: the
promoted children are the class's members, the file says who is still there.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from afterschool.models import (
    ClassMembership,
    LeaveReason,
    School,
    SchoolClass,
    SchoolYear,
    Student,
)
from afterschool.roster.cells import mask_student_number
from afterschool.roster.parse import ParsedRoster
from afterschool.selectors import class_name_of


@dataclass
class DiffStudent:
    """One student in a class's diff. ``student_id`` is ``None`` for a
    student new to the school; ``from_class`` names the class a mover comes
    from; ``left_on``/``leave_reason`` are set once marked as left."""

    student_number: str
    name: str
    student_id: int | None = None
    from_class: str = ""
    left_on: datetime.date | None = None
    leave_reason: str = ""

    @property
    def masked_student_number(self) -> str:
        return mask_student_number(self.student_number)

    @property
    def new_to_school(self) -> bool:
        return self.student_id is None

    @property
    def leave_reason_label(self) -> str:
        return str(LeaveReason(self.leave_reason).label) if self.leave_reason else ""


@dataclass
class ClassDiff:
    """What the file changes in one class of the year. ``in_file`` counts
    its rows; ``limit`` is the school's class-size limit for the grade."""

    grade: int
    number: int
    class_id: int | None
    limit: int
    in_file: int = 0
    new: list[DiffStudent] = field(default_factory=list)
    moved_in: list[DiffStudent] = field(default_factory=list)
    missing: list[DiffStudent] = field(default_factory=list)
    left: list[DiffStudent] = field(default_factory=list)

    @property
    def name(self) -> str:
        return class_name_of(self.grade, self.number)

    @property
    def size_if_kept(self) -> int:
        """The class's size when the students not in the file are kept."""
        return self.in_file + len(self.missing)

    @property
    def over_limit(self) -> bool:
        """The class would hold more than the limit (大班额), with the
        students not in the file kept (the import itself removes no one)."""
        return self.size_if_kept > self.limit

    @property
    def changed(self) -> bool:
        return bool(self.new or self.moved_in or self.missing)


@dataclass
class RosterDiff:
    """Per class of the file, in class order, and the totals."""

    school_year: SchoolYear | None
    classes: list[ClassDiff]

    @property
    def new_count(self) -> int:
        return sum(len(c.new) for c in self.classes)

    @property
    def moved_count(self) -> int:
        return sum(len(c.moved_in) for c in self.classes)

    @property
    def missing_count(self) -> int:
        return sum(len(c.missing) for c in self.classes)

    @property
    def over_limit(self) -> list[ClassDiff]:
        return [c for c in self.classes if c.over_limit]

    @property
    def missing_ids(self) -> list[int]:
        return [s.student_id for c in self.classes for s in c.missing if s.student_id]


def roster_diff(*, roster: ParsedRoster, school: School, start_year: int) -> RosterDiff:
    """Compare a checked ``roster`` with the class membership of ``school``'s
    year starting ``start_year`` (see the module docstring). Only the
    classes the file names are compared (a file may hold one grade).
    Students marked as left (membership ended) are listed apart and not
    counted as missing. Four queries whatever the size: the year, its
    classes, its memberships with students, the file's students."""
    year = SchoolYear.objects.filter(school=school, start_year=start_year).first()
    rows = [r for r in roster.rows if r.grade and r.class_number]
    keys = sorted({(r.grade, r.class_number) for r in rows})
    classes: dict[tuple[int, int], SchoolClass] = {}
    memberships: list[ClassMembership] = []
    if year is not None:
        classes = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school_year=year)}
        memberships = list(
            ClassMembership.objects.filter(school_class__school_year=year).select_related(
                "student", "school_class"
            )
        )
    known = dict(
        Student.objects.filter(
            school=school, student_number__in=[r.student_number for r in rows]
        ).values_list("student_number", "pk")
    )
    diffs = {
        key: ClassDiff(
            grade=key[0],
            number=key[1],
            class_id=classes[key].pk if key in classes else None,
            limit=school.class_size_limit(key[0]),
        )
        for key in keys
    }
    of_number = {m.student.student_number: m for m in memberships}
    in_file = set()
    for row in rows:
        diff = diffs[(row.grade, row.class_number)]
        diff.in_file += 1
        in_file.add(row.student_number)
        membership = of_number.get(row.student_number)
        entry = DiffStudent(
            student_number=row.student_number,
            name=row.name,
            student_id=known.get(row.student_number),
        )
        if membership is None:
            diff.new.append(entry)
        elif (membership.school_class.grade, membership.school_class.number) != (
            row.grade,
            row.class_number,
        ):
            entry.student_id = membership.student_id
            entry.from_class = membership.school_class.display_name
            diff.moved_in.append(entry)
    for m in memberships:
        key = (m.school_class.grade, m.school_class.number)
        if key not in diffs or m.student.student_number in in_file:
            continue
        entry = DiffStudent(
            student_number=m.student.student_number,
            name=m.student.name,
            student_id=m.student_id,
            left_on=m.end_date,
            leave_reason=m.leave_reason,
        )
        (diffs[key].left if m.end_date else diffs[key].missing).append(entry)
    return RosterDiff(school_year=year, classes=[diffs[k] for k in keys])
