"""Roll call, leave and dismissal on the role home pages (afterschool cannot
import scheduling, so its home templates ``{% load scheduling_home %}``)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from afterschool.models import Role
from scheduling.attendance import selectors

register = template.Library()


@register.inclusion_tag("scheduling/attendance/_home.html")
def attendance_home(user, children=None):
    """Today's unexcused absences (homeroom teacher: the class's; guardian:
    their children's), leave waiting for a decision, and links to the roll
    and dismissal pages. ``children``: a guardian's children already loaded
    (``students_for_user``, with class), looked up by id instead of through
    the guardianship. Queries: absences, waiting-leave count."""
    today = timezone.localdate()
    is_guardian = user.role == Role.GUARDIAN
    decides = user.is_school_admin or user.role == Role.HOMEROOM
    shown = is_guardian or decides
    students = children if is_guardian else None
    return {
        "today": today,
        "is_guardian": is_guardian,
        "is_staff_member": user.is_staff_member,
        "absences": selectors.unexcused_absences_for_user(user, today, students=students)
        if shown
        else [],
        "waiting": selectors.waiting_leave_count(user, students=students) if shown else 0,
        "decides": decides,
    }
