"""Survey reads (STYLE.md §1): a class's answers and the survey figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from afterschool.models import GRADE_NAMES, SchoolClass, Student
from afterschool.selectors import class_order, students_of_class, students_of_year
from enrollment.models import Survey, SurveyAnswer, SurveyResponse

# The priority groups of seed 一.3 (migrant, left-behind, disabled, hardship).
PRIORITY_Q = (
    Q(is_migrant_child=True)
    | Q(is_left_behind=True)
    | Q(is_disabled=True)
    | Q(is_financial_hardship=True)
)


def class_survey_rows(*, school_class: SchoolClass, survey: Survey) -> QuerySet[Student]:
    """The class's students in its own school year (``students_of_class``),
    each with ``responses`` (0 or 1 item) for the survey and who recorded
    it: two queries however big the class."""
    return (
        students_of_class(school_class)
        .prefetch_related(
            Prefetch(
                "survey_responses",
                queryset=SurveyResponse.objects.filter(survey=survey).select_related("recorded_by"),
                to_attr="responses",
            )
        )
        .order_by(*class_order())
    )


@dataclass
class FigureRow:
    """Survey figures of a class or a grade."""

    label: str
    students: int = 0
    joining: int = 0
    declining: int = 0
    undecided: int = 0
    no_answer: int = 0
    priority: int = 0
    priority_joining: int = 0
    priority_declining: int = 0
    priority_undecided: int = 0
    priority_no_answer: int = 0
    classes: list = field(default_factory=list)

    def add(self, other: FigureRow) -> None:
        for name in (
            "students",
            "joining",
            "declining",
            "undecided",
            "no_answer",
            "priority",
            "priority_joining",
            "priority_declining",
            "priority_undecided",
            "priority_no_answer",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def survey_figures(survey: Survey) -> tuple[list[FigureRow], FigureRow]:
    """Figures per class grouped by grade, and the school total, from ONE
    aggregate query: students of the term's school year per class of that
    year (``students_of_year``: memberships, so a past term keeps its
    children after a rollover), with
    conditional counts of each answer and of priority-group children (seed
    一.3) among each.

    Returns ``(grades, total)``; each grade row has its class rows in ``classes``.
    """
    in_survey = Q(survey_responses__survey=survey)

    def answered(answer: str, *, priority: bool = False) -> Count:
        cond = in_survey & Q(survey_responses__answer=answer)
        if priority:
            cond &= PRIORITY_Q
        return Count("pk", filter=cond, distinct=True)

    # Each child counts in the class of the term's school year (its
    # membership), not in its latest class: after a rollover that is next
    # year's, and the term would lose its children.
    grade_key, number_key = "memberships__school_class__grade", "memberships__school_class__number"
    rows = (
        students_of_year(survey.term.school_year_id)
        .filter(school_id=survey.school_id)
        .values(grade_key, number_key, "memberships__school_class_id")
        .annotate(
            students=Count("pk", distinct=True),
            answered=Count("pk", filter=in_survey, distinct=True),
            joining=answered(SurveyAnswer.JOIN),
            declining=answered(SurveyAnswer.DECLINE),
            undecided=answered(SurveyAnswer.UNDECIDED),
            priority=Count("pk", filter=PRIORITY_Q, distinct=True),
            priority_answered=Count("pk", filter=in_survey & PRIORITY_Q, distinct=True),
            priority_joining=answered(SurveyAnswer.JOIN, priority=True),
            priority_declining=answered(SurveyAnswer.DECLINE, priority=True),
            priority_undecided=answered(SurveyAnswer.UNDECIDED, priority=True),
        )
        .order_by(grade_key, number_key)
    )
    grades: dict[int, FigureRow] = {}
    total = FigureRow(label="")
    for r in rows:
        row = FigureRow(
            label=f"{GRADE_NAMES[r[grade_key]]}（{r[number_key]}）班",
            students=r["students"],
            joining=r["joining"],
            declining=r["declining"],
            undecided=r["undecided"],
            no_answer=r["students"] - r["answered"],
            priority=r["priority"],
            priority_joining=r["priority_joining"],
            priority_declining=r["priority_declining"],
            priority_undecided=r["priority_undecided"],
            priority_no_answer=r["priority"] - r["priority_answered"],
        )
        grade = grades.setdefault(r[grade_key], FigureRow(label=GRADE_NAMES[r[grade_key]]))
        grade.add(row)
        grade.classes.append(row)
        total.add(row)
    return list(grades.values()), total
