"""Review reads (STYLE.md §1): a class's applications for the homeroom
teacher and the school's class submissions, joins applied.

Scoping by user is done in ``enrollment/access.py``; these functions take
already-scoped objects (a school, a term, a class).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from afterschool.models import ClassMembership, School, SchoolClass, Student, Term
from afterschool.selectors import class_order
from enrollment.applications.selectors import applications_with_people
from enrollment.models import Application, ClassSubmission, OptOut, Status

# The homeroom teacher's order: what waits for them first, then what waits
# for the family, then what is done.
REVIEW_ORDER = [
    Status.SUBMITTED,
    Status.RETURNED,
    Status.APPROVED_BY_HOMEROOM,
    Status.SUBMITTED_TO_SCHOOL,
    Status.APPROVED,
    Status.WITHDRAWN,
    Status.TERMINATED,
]


def class_applications(*, school_class: SchoolClass, term: Term) -> QuerySet[Application]:
    """A class's applications for a term, drafts left out (the teacher reviews
    what families submitted), each annotated with ``review_order`` (0 =
    waiting for the homeroom teacher, see ``REVIEW_ORDER``)."""
    return applications_with_people(
        Application.objects.filter(
            student__memberships__school_class=school_class, term=term
        ).exclude(status=Status.DRAFT)
    ).annotate(review_order=_review_order())


def _review_order() -> RawSQL:
    # CASE status WHEN 'submitted' THEN 0 ... END. Written as SQL: Django's
    # Case(When(...)) of seven branches took longer to build and compile
    # than the rest of the review query (the page teachers open most).
    table = connection.ops.quote_name(Application._meta.db_table)
    whens = " ".join("WHEN %s THEN %s" for _ in REVIEW_ORDER)
    params = [p for i, s in enumerate(REVIEW_ORDER) for p in (s.value, i)]
    return RawSQL(
        f'CASE {table}."status" {whens} ELSE %s END',
        (*params, len(REVIEW_ORDER)),
        output_field=IntegerField(),
    )


def class_review_rows(*, school_class: SchoolClass, term: Term) -> QuerySet[Application]:
    """``class_applications`` with only the student joined and only the
    columns the class review table shows (``REVIEW_ROW_FIELDS``): the page
    teachers open most builds two small model instances a row."""
    return (
        Application.objects.filter(student__memberships__school_class=school_class, term=term)
        .exclude(status=Status.DRAFT)
        .select_related("student")
        .only(*REVIEW_ROW_FIELDS)
        .annotate(review_order=_review_order())
    )


# What enrollment.review.tables.ApplicationReviewTable reads of a row.
REVIEW_ROW_FIELDS = (
    "status",
    "student_id",
    *Application.PART_FIELDS,
    "waiver_requested",
    "on_paper",
    "submitted_at",
    "student__name",
    *(f"student__{name}" for name in Student.PRIORITY_FIELDS),
)


def class_status_counts(*, school_class: SchoolClass, term: Term) -> list[tuple[str, str, int]]:
    """``(status, label, count)`` of the class's submitted applications for
    ``term`` in ``REVIEW_ORDER`` (the counts above the review table), statuses
    with none left out: one query."""
    counts = dict(
        Application.objects.filter(student__memberships__school_class=school_class, term=term)
        .exclude(status=Status.DRAFT)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    return _in_review_order(counts)


def status_counts_of(applications: Iterable[Application]) -> list[tuple[str, str, int]]:
    """``class_status_counts`` of applications already loaded (the class
    review table's rows, when no filter narrows them): the same
    ``(status, label, count)`` list, no query."""
    return _in_review_order(Counter(app.status for app in applications))


def _in_review_order(counts: Mapping[str, int]) -> list[tuple[str, str, int]]:
    return [(s.value, s.label, counts[s]) for s in REVIEW_ORDER if counts.get(s)]


def class_students_without_application(
    *, school_class: SchoolClass, term: Term, school: School | None = None
) -> QuerySet[Student]:
    """Students of the class with no submitted application for the term,
    each annotated with ``active_opt_out`` (bool: an opt-out not revoked),
    in the class's order: who still needs a paper application or an
    opt-out. One query. ``school``: the class's school if already loaded
    (its student order is then read from it, not joined)."""
    if school is not None and school.pk != school_class.school_id:
        school = None
    submitted = Application.objects.filter(student=OuterRef("pk"), term=term).exclude(
        status=Status.DRAFT
    )
    opted_out = OptOut.objects.filter(student=OuterRef("pk"), term=term, revoked_at__isnull=True)
    return (
        # Members of the class in its year, less those who left before the
        # term began (a past year's class keeps its children after rollover).
        Student.objects.filter(
            Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gt=term.first_day),
            ~Exists(submitted),
            memberships__school_class=school_class,
        )
        .annotate(active_opt_out=Exists(opted_out))
        .only("name", "school_id", "class_number", "student_number")
        .order_by(*class_order(school=school))
    )


def submissions_for_school(*, school_id: int, term: Term) -> QuerySet[ClassSubmission]:
    """The term's class submissions with counts of applications waiting for
    the school and approved: one query."""
    return (
        ClassSubmission.objects.filter(school_class__school_id=school_id, term=term)
        .select_related("school_class", "submitted_by", "approved_by")
        .annotate(
            waiting=Count(
                "applications", filter=Q(applications__status=Status.SUBMITTED_TO_SCHOOL)
            ),
            approved=Count("applications", filter=Q(applications__status=Status.APPROVED)),
        )
    )


def submission_applications(submission: ClassSubmission) -> QuerySet[Application]:
    """The applications of a class submission, with the class's approved and
    terminated ones of the term (approved earlier, or returned and
    resubmitted), by status then the class's order; joins applied."""
    # The class's children as a subquery: a join on their memberships under
    # the OR would repeat each row once per school year the child has.
    members = ClassMembership.objects.filter(school_class=submission.school_class)
    return applications_with_people(
        Application.objects.filter(
            Q(class_submission=submission)
            | Q(
                student__in=members.values("student_id"),
                term=submission.term,
                status__in=[Status.APPROVED, Status.TERMINATED],
            )
        )
    ).order_by("status", *class_order("student__"))


def classes_with_submission(classes: QuerySet[SchoolClass], *, term: Term) -> QuerySet[SchoolClass]:
    """``classes`` in grade and number order, each annotated with
    ``submitted`` and ``school_approved`` (booleans: the class list for
    ``term`` was 以班为单位上报 / approved by the school, seed 一.5 (3)–(4)).
    The admin's 尚未上报名单的班级 to-do lands on these marks. One query."""
    this_term = ClassSubmission.objects.filter(school_class=OuterRef("pk"), term=term)
    return classes.annotate(
        submitted=Exists(this_term),
        school_approved=Exists(this_term.filter(approved_at__isnull=False)),
    ).order_by("grade", "number")
