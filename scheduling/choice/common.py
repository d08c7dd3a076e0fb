"""Who takes part in the featured day's club choice (DESIGN.md "Featured
course"): the approved applications that ask for it, and what a child
without one is told. Shared by the choice and the allocation services."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)
from django.utils.translation import gettext as _

from afterschool.models import Student, Term
from enrollment.models import Application, Status


def enrolled_applications(term: Term | int) -> QuerySet[Application]:
    """Approved applications of ``term`` (a Term or its id) that include the
    featured day."""
    return Application.objects.filter(term=term, status=Status.APPROVED, wants_featured_day=True)


def not_enrolled_message(student: Student) -> str:
    """Why a child without an approved featured-day application cannot
    choose (the page says it instead of showing the form)."""
    return _("%(name)s 尚未获批参加本学期特色课后服务日，不能选社团。") % {"name": student.name}
