"""The administrator's home-page figures."""

from __future__ import annotations

from django.db.models import Count, Q

from afterschool.activation import ACTIVATED
from afterschool.models import Guardian, SchoolClass, Student
from afterschool.selectors import current_school_year

PRIORITY = (
    Q(is_migrant_child=True)
    | Q(is_left_behind=True)
    | Q(is_disabled=True)
    | Q(is_financial_hardship=True)
)


def school_figures(*, school_id: int) -> dict[str, int]:
    """Counts for the administrator's home page, in four queries: the
    current school year (``current_school_year``); its classes; its students
    with priority-group children; guardians with activated. Classes and
    students of other school years (e.g. next year's roster imported early)
    are not counted.

    Returns ``{"classes", "students", "priority", "guardians", "activated",
    "school_year"}``.
    """
    year = current_school_year(school_id=school_id)
    students = Student.objects.filter(
        school_id=school_id, school_class__school_year=year
    ).aggregate(students=Count("pk"), priority=Count("pk", filter=PRIORITY))
    guardians = Guardian.objects.filter(school_id=school_id).aggregate(
        guardians=Count("pk"), activated=Count("pk", filter=ACTIVATED)
    )
    return {
        "classes": SchoolClass.objects.filter(school_id=school_id, school_year=year).count(),
        "school_year": year,
        **students,
        **guardians,
    }
