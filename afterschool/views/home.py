"""The home page after login: one page per role.

Each role sees what it works on first: the administrator the school's figures
and the way into the lists, a homeroom teacher their classes, a guardian their
children (on a phone), teachers and volunteers a plain page until scheduling
gives them sessions. A user with no role or school (a bare superuser) is sent
to the Django admin.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from afterschool.access import classes_for_user, students_for_user
from afterschool.models import Guardian, Role, SchoolClass, Student, User
from afterschool.selectors import current_school_year

# A guardian account counts as activated once it has a password of its own:
# the roster import creates logins with an unusable password ("!" prefix) and
# activation with the one-time code sets one.
ACTIVATED = Q(user__isnull=False) & ~Q(user__password__startswith="!")

PRIORITY = (
    Q(is_migrant_child=True)
    | Q(is_left_behind=True)
    | Q(is_disabled=True)
    | Q(is_financial_hardship=True)
)


def school_figures(*, school_id: int) -> dict[str, int]:
    """Counts for the administrator's home page, in four queries: the
    current school year (``current_school_year``); its classes; its students
    with priority-group children; guardians with activated. Classes and
    students of other school years (e.g. next year's roster imported early)
    are not counted.

    Returns ``{"classes", "students", "priority", "guardians", "activated",
    "school_year"}``.
    """
    year = current_school_year(school_id=school_id)
    students = Student.objects.filter(
        school_id=school_id, school_class__school_year=year
    ).aggregate(students=Count("pk"), priority=Count("pk", filter=PRIORITY))
    guardians = Guardian.objects.filter(school_id=school_id).aggregate(
        guardians=Count("pk"), activated=Count("pk", filter=ACTIVATED)
    )
    return {
        "classes": SchoolClass.objects.filter(school_id=school_id, school_year=year).count(),
        "school_year": year,
        **students,
        **guardians,
    }


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
