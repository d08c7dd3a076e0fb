"""Printing reads (STYLE.md §1): the applications a batch prints, with
everything the PDF reads joined, and the print page's figures."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from afterschool.models import SchoolClass, Term, User
from afterschool.selectors import year_class_annotations
from enrollment.models import Application, PrintJob, Status


def pdf_applications(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Applications with everything an agreement PDF reads, in two queries
    however many: student, school, class, term, waiver and agreement (with
    who received a paper one) joined; guardians prefetched; the student's
    class in the term's school year annotated (``year_class_annotations``),
    so a past term's agreements name the class of that year."""
    return (
        qs.annotate(**year_class_annotations(student="student", school_year="term__school_year"))
        .select_related(
            "student__school",
            "student__school_class",
            "term",
            "waiver",
            "agreement",
            "agreement__paper_received_by",
        )
        .prefetch_related("student__guardians")
    )


def agreements_to_print(
    *, school_id: int, term: Term, school_class: SchoolClass | None = None, grade: int | None = None
) -> QuerySet[Application]:
    """The approved applications of a class or a grade whose agreements are
    printed, in class order then by student name (the order of the printed
    batch). Exactly one of ``school_class`` and ``grade``."""
    if (school_class is None) == (grade is None):
        raise ValueError("give a class or a grade")
    qs = Application.objects.filter(student__school_id=school_id, term=term, status=Status.APPROVED)
    # Through the class membership of the term's year: after a rollover the
    # student's latest class is next year's, but the term's agreements
    # belong to the class of its own year.
    if school_class is not None:
        qs = qs.filter(student__memberships__school_class=school_class)
    else:
        qs = qs.filter(
            student__memberships__school_class__grade=grade,
            student__memberships__school_class__school_year_id=term.school_year_id,
        )
    return pdf_applications(qs).order_by(
        "year_class_grade", "year_class_number", "student__name", "pk"
    )


@dataclass
class PrintRow:
    """Agreement figures of one class for the print page."""

    school_class: SchoolClass
    approved: int = 0
    signed: int = 0
    paper: int = 0

    @property
    def unsigned(self) -> int:
        return self.approved - self.signed - self.paper


def agreement_print_rows(
    *, classes: QuerySet[SchoolClass], term: Term
) -> list[tuple[int, list[PrintRow]]]:
    """Per class of ``classes`` (already scoped to the user) the approved
    applications of ``term`` and how many agreements are signed online or
    received on paper, grouped by grade: two queries (classes, one
    aggregate)."""
    classes = list(classes.filter(school_year_id=term.school_year_id).order_by("grade", "number"))
    counts = {
        r["student__memberships__school_class_id"]: r
        for r in Application.objects.filter(
            term=term,
            status=Status.APPROVED,
            student__memberships__school_class__in=[c.pk for c in classes],
        )
        .values("student__memberships__school_class_id")
        .annotate(
            approved=Count("pk"),
            signed=Count("pk", filter=Q(agreement__signed_at__isnull=False)),
            paper=Count(
                "pk",
                filter=Q(agreement__paper_received_at__isnull=False)
                & Q(agreement__signed_at__isnull=True),
            ),
        )
        .order_by()
    }
    grades: dict[int, list[PrintRow]] = {}
    for c in classes:
        r = counts.get(c.pk, {})
        grades.setdefault(c.grade, []).append(
            PrintRow(
                school_class=c,
                approved=r.get("approved", 0),
                signed=r.get("signed", 0),
                paper=r.get("paper", 0),
            )
        )
    return list(grades.items())


def recent_print_jobs(*, user: User, term: Term) -> QuerySet[PrintJob]:
    """The user's ten latest print jobs of ``term``, class joined, without
    their PDF bytes."""
    return (
        PrintJob.objects.filter(requested_by=user, term=term)
        .select_related("school_class")
        .defer("pdf")[:10]
    )
