"""作业公示: teachers publish the day's homework of a class; the homeroom
teacher and the admin see the classes over their grade's cap; guardians see
their children's homework of the day on their phone."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.access import classes_for_user, students_for_user
from afterschool.models import Role
from afterschool.selectors import classes_in_year_of
from scheduling import access
from scheduling.homework import selectors, services
from scheduling.homework.forms import HomeworkForm


def _date(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def homework_page(request):
    """The day's homework of the chosen class (``?class=&date=``) with the
    publication form; the classes over their cap that day (the admin: the
    school's; a homeroom teacher: their own)."""
    user = request.user
    if user.role not in access.HOMEWORK_ROLES or not user.school_id:
        raise PermissionDenied
    day = _date(request.POST.get("date") or request.GET.get("date"))
    classes = access.homework_classes_for_user(user).order_by("grade", "number")
    own = classes_in_year_of(classes_for_user(user)).order_by("grade", "number")
    class_pk = request.POST.get("class") or request.GET.get("class")
    if class_pk:
        school_class = access.get_homework_class_for_user(user, class_pk)
    else:
        school_class = own.first() or classes.first()
    form = HomeworkForm(request.POST or None)
    if request.method == "POST" and school_class is not None and form.is_valid():
        try:
            homework = services.homework_publish(
                school_class=school_class, date=day, by=user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error("is_written", exc)
        else:
            messages.success(request, _("已公示：%(hw)s") % {"hw": homework})
            url = reverse("scheduling:homework")
            return redirect(f"{url}?class={school_class.pk}&date={day.isoformat()}")
    context = {
        "day": day,
        "classes": classes,
        "school_class": school_class,
        "class_day": selectors.homework_days([school_class], day)[0] if school_class else None,
        "over_cap": selectors.over_cap_classes(own, day)
        if user.role in (Role.ADMIN, Role.HOMEROOM)
        else [],
        "form": form,
    }
    return render(request, "scheduling/homework/page.html", context)


@login_required
def homework_family(request):
    """A guardian's children with their class's homework of the day (``?date=``)."""
    if request.user.role != Role.GUARDIAN:
        raise PermissionDenied
    day = _date(request.GET.get("date"))
    children = list(students_for_user(request.user).order_by("name"))
    days = {
        d.school_class.pk: d
        for d in selectors.homework_days([c.school_class for c in children], day)
    }
    rows = [(child, days[child.school_class_id]) for child in children]
    return render(request, "scheduling/homework/family.html", {"day": day, "rows": rows})
