"""Reads every app shares about a school: which school year and term are
current, the term's times, the county's fee cap and the order a class's
students are listed in (STYLE.md §1, §18).

Each question has its answer here and nowhere else; enrollment, scheduling
and billing call these instead of re-deriving them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, When
from django.utils import timezone

from afterschool.models import (
    DEFAULT_TERM_TIMES,
    FEE_CAP_PER_PERIOD,
    FEE_CAP_PERIODS_PER_DAY,
    GRADE_NAMES,
    ClassMembership,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    StudentOrder,
    Term,
)


def current_school_year(*, school_id: int | None) -> SchoolYear | None:
    """The school year the people pages and figures default to: the one
    containing today (``school_year_start``), else the latest; ``None`` when the
    school has none. One query."""
    if school_id is None:
        return None
    start = school_year_start(timezone.localdate())
    years = list(SchoolYear.objects.filter(school_id=school_id).order_by("-start_year"))
    for year in years:
        if year.start_year == start:
            return year
    return years[0] if years else None


def school_year_start(day: datetime.date) -> int:
    """The ``start_year`` of the school year containing ``day``: a school
    year runs from September, and the summer from August belongs to the
    next one (its classes are formed and its first term prepared then)."""
    return day.year if day.month >= 8 else day.year - 1


def classes_in_year_of(
    classes: QuerySet[SchoolClass], day: datetime.date | None = None
) -> QuerySet[SchoolClass]:
    """``classes`` narrowed to the school year of ``day`` (default today) of
    each class's school, or the school's latest year when it has none for
    that day (``current_school_year``'s rule). Pages of "today" list this
    year's classes only: last year's 三年级（2）班 keeps its own children and
    stays reachable by its address, but is no longer offered. A subquery,
    so no query is added."""
    start = school_year_start(day or timezone.localdate())
    year = (
        SchoolYear.objects.filter(school_id=OuterRef("school_id"))
        .order_by(Case(When(start_year=start, then=0), default=1), "-start_year")
        .values("pk")[:1]
    )
    return classes.filter(school_year_id=Subquery(year))


def school_grades(*, school_id: int) -> list[int]:
    """The grades the school teaches (ints 1–9, lowest first): those of its
    classes in the current school year (``current_school_year``), else of
    any of its classes, else none. A primary school's classes stop at 6, so
    it is never offered 七至九年级. Two queries."""
    year = current_school_year(school_id=school_id)
    classes = SchoolClass.objects.filter(school_id=school_id)
    if year is not None:
        grades = set(classes.filter(school_year=year).values_list("grade", flat=True))
        if grades:
            return sorted(grades)
    return sorted(set(classes.values_list("grade", flat=True)))


def terms_of(school: School | int) -> QuerySet[Term]:
    """The school's terms (``school`` a School or its pk), first day first,
    with the school joined."""
    school_id = school.pk if isinstance(school, School) else school
    return Term.objects.filter(school_id=school_id).select_related("school").order_by("first_day")


def current_term(
    *,
    school: School | int | None,
    today: datetime.date | None = None,
    school_year: SchoolYear | None = None,
) -> Term | None:
    """The term every page of a school works on by default.

    Args:
        school: the School, or its pk; ``None`` (a user without a school)
            gives ``None``.
        today: the date to decide for; the local date (Asia/Shanghai) when
            omitted.
        school_year: only consider this school year's terms (roster letters
            for the year just imported).

    Returns the term running ``today`` (first day ≤ today ≤ last day), else
    the next one to start (a term is set up before it begins), else the
    latest one; ``None`` when the school has no term. One query.
    """
    if school is None:
        return None
    terms = terms_of(school)
    if school_year is not None:
        terms = terms.filter(school_year=school_year)
    return pick_current_term(terms, today=today)


def pick_current_term(terms: Iterable[Term], *, today: datetime.date | None = None) -> Term | None:
    """``current_term``'s rule on terms already chosen (first day first; an
    app that needs more joined, e.g. scheduling's term settings, passes its
    own queryset of one school's terms): the term running ``today``, else the
    next one to start, else the latest; ``None`` for no terms."""
    if today is None:
        today = timezone.localdate()
    terms = list(terms)
    for term in terms:
        if term.first_day <= today <= term.last_day:
            return term
    upcoming = [t for t in terms if t.first_day > today]
    if upcoming:
        return upcoming[0]
    return terms[-1] if terms else None


def term_times(term: Term | None) -> dict[str, datetime.time]:
    """Arrival and dismissal times of ``term`` (keys as in
    ``DEFAULT_TERM_TIMES``); the seed's times (一.2) when there is no term yet."""
    if term is None:
        return dict(DEFAULT_TERM_TIMES)
    return {name: getattr(term, name) for name in DEFAULT_TERM_TIMES}


def term_times_text(term: Term | None) -> dict[str, str]:
    """``term_times`` as ``"HH:MM"`` strings, for agreement and letter texts."""
    return {name: value.strftime("%H:%M") for name, value in term_times(term).items()}


def term_months(term: Term) -> list[datetime.date]:
    """The first day of every calendar month ``term`` touches, in order
    (a 2024-09-02 – 2025-01-17 term gives 2024-09-01 … 2025-01-01)."""
    months = []
    day = term.first_day.replace(day=1)
    while day <= term.last_day:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


@dataclass(frozen=True)
class FeeCap:
    """The county's fee cap (seed 一.7): yuan per period, periods charged per
    day, and the document it comes from."""

    per_period: Decimal
    periods_per_day: int
    document: str = ""

    @property
    def per_day(self) -> Decimal:
        """Yuan per day (2.30 × 2 = 4.60), to the fen."""
        return (self.per_period * self.periods_per_day).quantize(Decimal("0.01"))


def school_fee_cap(school: School) -> FeeCap:
    """The school's fee cap from its saved settings (``School.fee_cap_*``,
    ``fee_document``), defaulting to the seed's 2.30 yuan × 2 periods."""
    per_period = school.fee_cap_per_period
    periods = school.fee_cap_periods_per_day
    return FeeCap(
        per_period=Decimal(per_period if per_period is not None else FEE_CAP_PER_PERIOD),
        periods_per_day=int(periods if periods is not None else FEE_CAP_PERIODS_PER_DAY),
        document=school.fee_document or "",
    )


def class_order(prefix: str = "", *, school: School | None = None) -> list:
    """ORDER BY terms that list students the way their school chose
    (``School.student_order``): by 学号 (``class_number``, students without
    one last), by name, or by 学籍号; always then by 学籍号 and id, so the
    order is total. ``prefix`` is the path to the student from the queried
    model, e.g. ``"student__"`` for applications. The school's choice is
    read in the same query (a join), so a page keeps its query count; pass
    ``school`` (the students' school, already loaded) to order by its
    choice directly, without the join.

    Use it everywhere a class's students are listed:
    ``qs.order_by(*class_order("student__"))``.
    """
    tail = [f"{prefix}student_number", f"{prefix}pk"]
    if school is not None:
        if school.student_order == StudentOrder.CLASS_NUMBER:
            return [F(f"{prefix}class_number").asc(nulls_last=True), *tail]
        if school.student_order == StudentOrder.NAME:
            return [f"{prefix}name", *tail]
        return tail
    setting = f"{prefix}school__student_order"
    return [
        Case(When(**{setting: StudentOrder.CLASS_NUMBER}, then=F(f"{prefix}class_number"))).asc(
            nulls_last=True
        ),
        Case(When(**{setting: StudentOrder.NAME}, then=F(f"{prefix}name"))).asc(nulls_last=True),
        *tail,
    ]


# ---------------------------------------------------------------------------
# Class membership per school year: who was in a class in its own year
# ---------------------------------------------------------------------------


def students_of_class(school_class: SchoolClass | int) -> QuerySet[Student]:
    """The students who belong to ``school_class`` in its own school year
    (``ClassMembership``), including those who left during the year: a past
    year's class keeps its children after the school rolls over. One query
    when evaluated (a join, no extra queries)."""
    return Student.objects.filter(memberships__school_class=school_class)


def students_of_year(
    school_year: SchoolYear | int | Iterable[int], *, grade: int | None = None
) -> QuerySet[Student]:
    """The students who belong to a class of ``school_year`` (a SchoolYear,
    its pk, or several pks, e.g. each school's current year for the county),
    optionally of ``grade`` (1–9) in that year, through ``ClassMembership``
    and including those who left during the year, as ``students_of_class``:
    after a rollover a past term still finds its children, by the grade they
    were in then, not by ``Student.school_class`` (next year's class). A
    student has one membership per year (a move within the year rewrites
    it), so there are no duplicate rows. One join, no extra query."""
    if isinstance(school_year, SchoolYear):
        school_year = school_year.pk
    if isinstance(school_year, int):
        lookup = {"memberships__school_class__school_year_id": school_year}
    else:
        lookup = {"memberships__school_class__school_year_id__in": list(school_year)}
    if grade is not None:
        # The same filter() call, so the grade is the one of that year's class.
        lookup["memberships__school_class__grade"] = grade
    return Student.objects.filter(**lookup)


def year_class_annotations(*, student: str, school_year: str) -> dict[str, Subquery]:
    """Annotations for a queryset whose rows reach a student (``student``,
    e.g. ``"student"``) and a school year (``school_year``, e.g.
    ``"term__school_year"``): ``year_class_id``, ``year_class_grade`` and
    ``year_class_number`` of the student's class in that year (``None`` when
    the student had none). Subqueries, so they add no query."""
    memberships = ClassMembership.objects.filter(
        student=OuterRef(student), school_class__school_year=OuterRef(school_year)
    ).order_by("-pk")
    return {
        "year_class_id": Subquery(memberships.values("school_class_id")[:1]),
        "year_class_grade": Subquery(memberships.values("school_class__grade")[:1]),
        "year_class_number": Subquery(memberships.values("school_class__number")[:1]),
    }


def with_year_class(
    students: QuerySet[Student], *, school_year: SchoolYear | int | None
) -> QuerySet[Student]:
    """``students`` annotated with ``year_class_id``, ``year_class_grade`` and
    ``year_class_number``: each student's class in ``school_year`` (a
    SchoolYear or its pk; through ``ClassMembership``, so a past year's list
    shows the class the child was in that year), or, for ``None`` (every
    year), the latest class (``Student.school_class``). Subqueries or joins,
    so no query is added; ``year_class_label`` reads them."""
    if school_year is None:
        return students.annotate(
            year_class_id=F("school_class_id"),
            year_class_grade=F("school_class__grade"),
            year_class_number=F("school_class__number"),
        )
    year_id = school_year.pk if isinstance(school_year, SchoolYear) else school_year
    memberships = ClassMembership.objects.filter(
        student=OuterRef("pk"), school_class__school_year_id=year_id
    ).order_by("-pk")
    return students.annotate(
        year_class_id=Subquery(memberships.values("school_class_id")[:1]),
        year_class_grade=Subquery(memberships.values("school_class__grade")[:1]),
        year_class_number=Subquery(memberships.values("school_class__number")[:1]),
    )


def class_name_of(grade: int, number: int) -> str:
    """三年级（2）班 for grade 3, number 2 (as ``SchoolClass.display_name``)."""
    return f"{GRADE_NAMES[grade]}（{number}）班"


def year_class_label(row: object, student: Student) -> tuple[int, int]:
    """(grade, number) of ``student``'s class in the year of ``row`` when
    ``row`` carries ``year_class_annotations``; the student's latest class
    otherwise (a row read without them, e.g. a form being filled today)."""
    grade = getattr(row, "year_class_grade", None)
    number = getattr(row, "year_class_number", None)
    if grade is not None and number is not None:
        return grade, number
    return student.school_class.grade, student.school_class.number
