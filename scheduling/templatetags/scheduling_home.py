"""Roll call, leave and dismissal on the role home pages (afterschool cannot
import scheduling, so its home templates ``{% load scheduling_home %}``)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from afterschool.models import Role
from scheduling import access
from scheduling.attendance import selectors
from scheduling.models import LeaveStatus

register = template.Library()


@register.inclusion_tag("scheduling/attendance/_home.html")
def attendance_home(user):
    """Today's unexcused absences (homeroom teacher: the class's; guardian:
    their children's), leave waiting for a decision, and links to the roll
    and dismissal pages. Queries: absences, waiting-leave count."""
    today = timezone.localdate()
    is_guardian = user.role == Role.GUARDIAN
    decides = user.is_school_admin or user.role == Role.HOMEROOM
    return {
        "today": today,
        "is_guardian": is_guardian,
        "is_staff_member": user.is_staff_member,
        "absences": selectors.unexcused_absences_for_user(user, today)
        if (is_guardian or decides)
        else [],
        "waiting": access.leave_requests_for_user(user).filter(status=LeaveStatus.REQUESTED).count()
        if (is_guardian or decides)
        else 0,
        "decides": decides,
    }
