"""The demo's class memberships (``ClassMembership``), as the school's
roster imports and its rollover (升级) would have written them: each student
is a member of its class of the year shown; when the previous term is in the
school year before, the same children were in that year's class one grade
down, and that year's 六年级 graduated on the first day of the year shown.

A child promoted into a year joined its class on 1 September
(``school_year_rollover``); a new 一年级 came from the roster (no date).
Idempotent: a second run writes nothing; memberships of other years (an
older build's) are left as they were."""

from __future__ import annotations

import datetime

from afterschool.models import ClassMembership, LeaveReason, SchoolYear, Student
from demo.base import GRADES, DemoSchool, sync


def _first_day(year: SchoolYear) -> datetime.date:
    return datetime.date(year.start_year, 9, 1)


def build(demo: DemoSchool) -> None:
    """The memberships of the year shown and, when built, the previous year."""
    years = [demo.school_year]
    if demo.previous_classes:
        years.append(demo.previous_school_year)
    by_class = {c.pk: key for key, c in demo.classes.items()}
    graduated_from = {c.pk for (g, _n), c in demo.previous_classes.items() if g == max(GRADES)}
    wanted = []
    for student in Student.objects.filter(school=demo.school).order_by("pk"):
        key = by_class.get(student.school_class_id)
        if key is not None:
            grade, number = key
            wanted.append(
                ClassMembership(
                    student=student,
                    school_class_id=student.school_class_id,
                    start_date=_first_day(demo.school_year) if grade > 1 else None,
                )
            )
            if demo.previous_classes and grade > 1:
                wanted.append(
                    ClassMembership(
                        student=student,
                        school_class=demo.previous_classes[(grade - 1, number)],
                        start_date=_first_day(demo.previous_school_year) if grade > 2 else None,
                    )
                )
        elif student.school_class_id in graduated_from:
            # Last year's 六年级: graduated on the first day of this year.
            wanted.append(
                ClassMembership(
                    student=student,
                    school_class_id=student.school_class_id,
                    start_date=_first_day(demo.previous_school_year),
                    end_date=_first_day(demo.school_year),
                    leave_reason=LeaveReason.GRADUATED,
                )
            )
    sync(
        ClassMembership,
        ClassMembership.objects.filter(
            student__school=demo.school, school_class__school_year__in=years
        ),
        wanted,
        key=("student_id", "school_class_id"),
        fields=("start_date", "end_date", "leave_reason"),
    )
