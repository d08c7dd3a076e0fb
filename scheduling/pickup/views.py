"""Safe pickup pages: a guardian's list of who may collect the child, the
photo for the child's teachers, and 「全部已接走」 for a class."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import staff_required
from afterschool.models import PickupPerson
from scheduling import access
from scheduling.pickup import services
from scheduling.pickup.forms import PickupPersonForm


def _date(request) -> datetime.date:
    """``?date=YYYY-MM-DD`` (GET or POST), else today."""
    value = request.GET.get("date") or request.POST.get("date")
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def pickup_people(request, pk: int):
    """The guardian's pickup people of one child, and the form to add one."""
    student = access.get_pickup_student_for_guardian(request.user, pk)
    if request.method == "POST":
        form = PickupPersonForm(request.POST, request.FILES)
        if form.is_valid():
            photo = form.cleaned_data["photo"]
            try:
                services.pickup_person_add(
                    student=student,
                    by=request.user,
                    name=form.cleaned_data["name"],
                    relation=form.cleaned_data["relation"],
                    mobile=form.cleaned_data["mobile"],
                    photo=photo.read() if photo else None,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("接送人已登记。"))
                return redirect("scheduling:pickup-people", pk=student.pk)
    else:
        form = PickupPersonForm()
    people = PickupPerson.objects.filter(student=student).defer("photo").order_by("pk")
    return render(
        request,
        "scheduling/pickup/people.html",
        {"student": student, "people": people, "form": form},
    )


@login_required
@require_POST
def pickup_delete(request, pk: int):
    person = access.get_pickup_person_for_guardian(request.user, pk)
    student_id = person.student_id
    services.pickup_person_remove(person=person)
    messages.success(request, _("已删除接送人。"))
    return redirect("scheduling:pickup-people", pk=student_id)


@login_required
def pickup_photo(request, pk: int):
    """The photo, only for the child's teachers; never cached."""
    person = access.get_pickup_person_for_teacher(request.user, pk)
    if not person.photo:
        return HttpResponse(status=404)
    response = HttpResponse(bytes(person.photo), content_type=person.photo_type or "image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@staff_required
def dismissal_all(request, pk: int):
    """「全部已接走」: GET asks for confirmation, POST records every waiting
    child of the class as collected by their application's pickup person."""
    day = _date(request)
    school_class = access.get_class_for_dismissal(request.user, pk, day)
    term = access.get_school_term(school_class.school_id, today=day)
    back = reverse("scheduling:dismissal-class", args=[school_class.pk]) + f"?date={day:%Y-%m-%d}"
    if request.method == "POST":
        try:
            n = services.dismissal_all_collected(
                school_class=school_class,
                term=term,
                date=day,
                by=request.user,
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已登记 %(n)d 名学生离校。") % {"n": n})
        return redirect(back)
    return render(
        request,
        "confirm.html",
        {
            "title": _("全部已接走"),
            "question": _("确认%(c)s %(day)s所有待离校的学生都已按申请书上的接送人接走？")
            % {"c": school_class.display_name, "day": f"{day.month}月{day.day}日"},
            "action": request.get_full_path(),
            "button": _("确认全部已接走"),
            "back": back,
        },
    )
