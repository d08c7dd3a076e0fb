"""The home page after login: one page per role.

Each role sees what it works on first: the administrator the school's figures
and the way into the lists, a homeroom teacher their classes, a guardian their
children (on a phone), teachers and volunteers a plain page until scheduling
gives them sessions. A user with no role or school (a bare superuser) is sent
to the Django admin.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from afterschool.access import classes_for_user, students_for_user
from afterschool.home.selectors import school_figures
from afterschool.models import Role, User


def _home_template(user: User) -> str:
    if user.is_school_admin:
        return "afterschool/home_admin.html"
    if user.role == Role.HOMEROOM and user.school_id:
        return "afterschool/home_homeroom.html"
    if user.role in {Role.TEACHER, Role.VOLUNTEER} and user.school_id:
        return "afterschool/home_staff.html"
    if user.role == Role.GUARDIAN:
        return "afterschool/home_guardian.html"
    return "afterschool/home_other.html"


@login_required
def home(request):
    """The signed-in user's start page, chosen by role."""
    user = request.user
    template = _home_template(user)
    context: dict = {}
    if user.is_school_admin:
        context["figures"] = school_figures(school_id=user.school_id)
    elif template.endswith("home_homeroom.html"):
        context["classes"] = (
            classes_for_user(user)
            .annotate(student_count=Count("students"))
            .order_by("grade", "number")
        )
    elif template.endswith("home_guardian.html"):
        context["children"] = students_for_user(user).order_by("school__name", "name")
    return render(request, template, context)
