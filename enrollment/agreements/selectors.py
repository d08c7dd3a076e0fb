"""Agreement reads."""

from __future__ import annotations

from afterschool.models import Guardian, Student, Term, User
from afterschool.selectors import year_class_annotations
from enrollment.models import Agreement, Application, Status


def guardian_record_for(*, user: User, student: Student) -> Guardian | None:
    """The Guardian record linking ``user`` to ``student``, if any."""
    return Guardian.objects.filter(user=user, guardianships__student=student).first()


def agreement_of(application: Application) -> Agreement | None:
    """The application's agreement with who signed or received it, if any."""
    return (
        Agreement.objects.filter(application=application)
        .select_related("signed_by", "paper_received_by")
        .first()
    )


def preview_application(*, school_id: int, term: Term | None) -> Application | None:
    """A submitted application of the school's ``term`` to preview an edited
    template with (student, school, class and term joined); ``None`` when
    there is no term or no such application."""
    if term is None:
        return None
    return (
        Application.objects.filter(student__school_id=school_id, term=term)
        .exclude(status=Status.DRAFT)
        .annotate(**year_class_annotations(student="student", school_year="term__school_year"))
        .select_related("student__school", "student__school_class", "term")
        .first()
    )
