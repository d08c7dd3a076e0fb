"""Opt-out reads."""

from __future__ import annotations

from afterschool.models import Student, Term
from enrollment.models import OptOut


def active_opt_out(*, student: Student, term: Term) -> OptOut | None:
    """The family's opt-out of ``term`` that still stands (not revoked), if any."""
    return OptOut.objects.filter(student=student, term=term, revoked_at__isnull=True).first()
