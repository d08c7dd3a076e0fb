"""Review reads (STYLE.md §1): a class's applications for the homeroom
teacher and the school's class submissions, joins applied.

Scoping by user is done in ``enrollment/access.py``; these functions take
already-scoped objects (a school, a term, a class).
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from afterschool.models import SchoolClass, Student, Term
from enrollment.applications.selectors import applications_with_people
from enrollment.models import Application, ClassSubmission, OptOut, Status


def class_applications(*, school_class: SchoolClass, term: Term) -> QuerySet[Application]:
    """A class's applications for a term, drafts left out (the teacher reviews
    what families submitted)."""
    return applications_with_people(
        Application.objects.filter(
            student__memberships__school_class=school_class, term=term
        ).exclude(status=Status.DRAFT)
    )


def class_students_without_application(
    *, school_class: SchoolClass, term: Term
) -> QuerySet[Student]:
    """Students of the class with no submitted application for the term,
    each with ``active_opt_out`` (list) prefetched: who still needs a paper
    application or an opt-out."""
    return (
        # Members of the class in its year, less those who left before the
        # term began (a past year's class keeps its children after rollover).
        Student.objects.filter(
            Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gt=term.first_day),
            memberships__school_class=school_class,
        )
        .exclude(applications__term=term, applications__status__in=_NOT_DRAFT)
        .prefetch_related(
            Prefetch(
                "opt_outs",
                queryset=OptOut.objects.filter(term=term, revoked_at__isnull=True),
                to_attr="active_opt_out",
            )
        )
        .order_by("name")
    )


_NOT_DRAFT = [s for s in Status.values if s != Status.DRAFT]


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
    resubmitted), by status then name; joins applied."""
    return applications_with_people(
        Application.objects.filter(class_submission=submission)
        | Application.objects.filter(
            student__memberships__school_class=submission.school_class,
            term=submission.term,
            status__in=[Status.APPROVED, Status.TERMINATED],
        )
    ).order_by("status", "student__name")
