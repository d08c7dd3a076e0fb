"""The home page after login: one page per role, starting with what waits
for that person (``overview.todo.selectors``).

The administrator sees the to-dos, then the school's figures and the way
into the lists; a homeroom teacher the to-dos, their classes and charts (the
figures and charts kept a few minutes, ``overview.home.figures``; the to-dos
always live); a guardian
the to-dos and their children (on a phone); teachers and volunteers today's
sessions and their rolls. A user with no role or school (a bare superuser)
gets a plain page pointing to the Django admin.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone

from afterschool.access import classes_for_user, students_for_user
from afterschool.models import Role, User
from afterschool.selectors import classes_in_year_of
from overview.home.figures import admin_home_figures, homeroom_home_charts
from overview.todo import selectors as todo


def _home_template(user: User) -> str:
    if user.is_school_admin:
        return "overview/home_admin.html"
    if user.role == Role.HOMEROOM and user.school_id:
        return "overview/home_homeroom.html"
    if user.role in {Role.TEACHER, Role.VOLUNTEER} and user.school_id:
        return "overview/home_staff.html"
    if user.role == Role.GUARDIAN:
        return "overview/home_guardian.html"
    return "overview/home_other.html"


@login_required
def home(request):
    """The signed-in user's start page, chosen by role, to-dos first."""
    user = request.user
    if user.is_supervisor:
        # The county's figures are the supervisor's whole job (no school of their own).
        return redirect("overview:county")
    template = _home_template(user)
    context: dict = {"todos": []}
    if user.is_school_admin or template.endswith("home_homeroom.html"):
        # One look-up of the term for the to-dos and the figures' key.
        now = timezone.now()
        today = timezone.localtime(now).date()
        term = todo.todo_term(school_id=user.school_id, today=today)
    if user.is_school_admin:
        context["todos"] = todo.admin_todos(user=user, now=now, term=term)
        kept = admin_home_figures(user=user, term=term, today=today)
        context.update(figures=kept.figures, charts=kept.charts, figures_note=kept.note)
    elif template.endswith("home_homeroom.html"):
        context["todos"] = todo.homeroom_todos(user=user, now=now, term=term)
        context["classes"] = (
            classes_in_year_of(classes_for_user(user))
            .annotate(
                student_count=Count("memberships", filter=Q(memberships__end_date__isnull=True))
            )
            .order_by("grade", "number")
        )
        kept = homeroom_home_charts(user=user, term=term, today=today)
        context.update(charts=kept.charts, figures_note=kept.note)
    elif template.endswith("home_guardian.html"):
        # Loaded once, for the cards, the to-dos and the attendance panel.
        children = list(students_for_user(user).order_by("school__name", "name"))
        context["todos"] = todo.guardian_todos(user=user, children=children)
        context["children"] = children
    elif template.endswith("home_staff.html"):
        context["todos"] = todo.staff_todos(user=user)
    return render(request, template, context)
