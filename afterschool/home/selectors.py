"""The administrator's home-page figures."""

from __future__ import annotations

from django.db.models import Q

from afterschool.activation import ACTIVATED
from afterschool.expressions import CountOf
from afterschool.models import Guardian, School, SchoolClass, Student
from afterschool.selectors import current_school_year

PRIORITY = (
    Q(is_migrant_child=True)
    | Q(is_left_behind=True)
    | Q(is_disabled=True)
    | Q(is_financial_hardship=True)
)


def school_figures(*, school_id: int) -> dict[str, int]:
    """Counts for the administrator's home page, in two queries: the
    current school year (``current_school_year``); then its classes, its
    students and priority-group children, and the school's guardians and
    those activated, as five counts of one query (``CountOf``). Classes and
    students of other school years (e.g. next year's roster imported early)
    are not counted.

    Returns ``{"classes", "students", "priority", "guardians", "activated",
    "school_year"}``.
    """
    year = current_school_year(school_id=school_id)
    students = Student.objects.filter(school_id=school_id, school_class__school_year=year)
    guardians = Guardian.objects.filter(school_id=school_id)
    names = ("classes", "students", "priority", "guardians", "activated")
    counts = (
        School.objects.filter(pk=school_id)
        .order_by()
        .values_list(
            CountOf(SchoolClass.objects.filter(school_id=school_id, school_year=year).values("pk")),
            CountOf(students.values("pk")),
            CountOf(students.filter(PRIORITY).values("pk")),
            CountOf(guardians.values("pk")),
            CountOf(guardians.filter(ACTIVATED).values("pk")),
        )
        .get()
    )
    return {**dict(zip(names, counts, strict=True)), "school_year": year}
