"""Reads of the rollover page: the latest school year, its classes and
where each goes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from afterschool.models import Role, School, SchoolClass, SchoolYear, User
from afterschool.rollover.services import RolloverPlanRow, rollover_top_grade


def rollover_source_year(school: School) -> SchoolYear | None:
    """The school year a rollover starts from: the latest one that has
    classes (one query); ``None`` when the school has none."""
    return (
        SchoolYear.objects.filter(school=school, classes__isnull=False)
        .order_by("-start_year")
        .distinct()
        .first()
    )


def rollover_plan(year: SchoolYear) -> list[RolloverPlanRow]:
    """Each class of ``year`` (homeroom teacher joined) with its members
    still in it (membership open) and the grade it moves up to, ``None`` for the
    graduating grade. One query."""
    classes = list(
        SchoolClass.objects.filter(school_year=year)
        .select_related("homeroom_teacher")
        .annotate(current=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
        .order_by("grade", "number")
    )
    top = rollover_top_grade(classes)
    return [
        RolloverPlanRow(
            source=c, students=c.current, to_grade=None if c.grade >= top else c.grade + 1
        )
        for c in classes
    ]


def homeroom_candidates(school: School):
    """Staff of ``school`` who may lead a class (homeroom teachers and
    admins), by name: the choices of the rollover table."""
    return User.objects.filter(
        school=school, role__in=[Role.HOMEROOM, Role.ADMIN], is_active=True
    ).order_by("name", "username")


def classes_followed_into(
    *, classes: Iterable[SchoolClass], school_year: SchoolYear
) -> dict[int, SchoolClass]:
    """Where each of ``classes`` is in ``school_year`` by the rollover's rule
    (``school_year_rollover``: one grade up a year, the same number —
    三年级（2）班 of 2024 is 四年级（2）班 of 2025; a class of ``school_year``
    itself is itself): class pk → that class of ``school_year``. A class
    with no such class there (its children graduated, or the school has not
    rolled over yet) is left out. One query."""
    classes = list(classes)
    found = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school_year=school_year)}
    out = {}
    for c in classes:
        years_on = school_year.start_year - c.school_year.start_year
        target = found.get((c.grade + years_on, c.number))
        if target is not None:
            out[c.pk] = target
    return out
