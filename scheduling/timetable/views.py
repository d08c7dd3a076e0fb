"""Timetable pages: the week of a class, student, person, room or the whole
school, on screen and as PDF (A4; the school's landscape for the notice board).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.access import (
    classes_for_user,
    get_class_for_user,
    get_student_for_user,
    rooms_for_user,
    staff_required,
    students_for_user,
)
from afterschool.exports import content_disposition
from afterschool.models import Role
from afterschool.pdf import render_pdf
from afterschool.selectors import classes_in_year_of
from scheduling import access
from scheduling.calendar.days import CalendarUnknownError
from scheduling.calendar.selectors import week_start
from scheduling.timetable.selectors import week_timetable


def _timetable(
    request,
    *,
    school_id: int,
    title,
    template: str,
    pdf: bool,
    landscape=False,
    extra: dict | None = None,
    **which,
):
    term = access.get_school_term(school_id, request.GET.get("term"), today=timezone.localdate())
    monday = week_start(term, request.GET.get("week"), timezone.localdate())
    try:
        table = week_timetable(term=term, monday=monday, **which)
    except CalendarUnknownError as exc:
        if callable(title):
            title = title(term)
        return render(
            request,
            "scheduling/timetable_unknown.html",
            {"title": title, "error": exc.messages[0]},
        )
    if callable(title):
        title = title(term)
    context = {"title": title, "t": table, "school": term.school}
    if pdf:
        data = render_pdf(f"scheduling/pdf/{template}.html", context, landscape=landscape)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(
            f"{title}（{monday.year}年{monday.month}月{monday.day}日起）.pdf".replace(" ", ""),
            f"timetable-{monday:%Y%m%d}.pdf",
            inline=True,
        )
        return response
    query = f"?term={term.pk}&week={monday.isoformat()}"
    context.update(extra or {})
    context.update(
        {
            "query": query,
            "pdf_url": request.path.rstrip("/") + "/pdf/" + query,
            "screen_template": f"scheduling/_{template}_grid.html",
            # One class's, person's or room's week is also a per-day list
            # for phones; the whole school's grid is for a desktop or paper.
            "list_template": "scheduling/_week_list.html" if template == "week" else "",
        }
    )
    return render(request, "scheduling/timetable.html", context)


@login_required
def timetable_class(request, pk: int, pdf: bool = False):
    """A class's week: admin of the school, the class's homeroom teacher."""
    school_class = get_class_for_user(request.user, pk)
    return _timetable(
        request,
        school_id=school_class.school_id,
        title=_("%(cls)s 课后服务课表") % {"cls": school_class},
        template="week",
        pdf=pdf,
        school_class=school_class,
    )


@login_required
def timetable_student(request, pk: int, pdf: bool = False):
    """A student's class week: their guardians, the class's homeroom, admin."""
    student = get_student_for_user(request.user, pk)
    school_class = student.school_class
    return _timetable(
        request,
        school_id=student.school_id,
        title=_("%(name)s（%(cls)s）课后服务课表") % {"name": student.name, "cls": school_class},
        template="week",
        pdf=pdf,
        extra={"notices": access.suspension_notices_for_user(request.user, timezone.localdate())},
        student=student,
    )


@login_required
@staff_required
def timetable_person(request, pk: int, pdf: bool = False):
    """A staff member's week: themselves, or the school's admin."""
    person = access.get_person_for_user(request.user, pk)
    return _timetable(
        request,
        school_id=person.school_id,
        title=_("%(name)s 的课后服务课表") % {"name": person},
        template="week",
        pdf=pdf,
        person=person,
    )


@login_required
@staff_required
def timetable_room(request, pk: int, pdf: bool = False):
    """A room's week, for any staff member of the school (posted on the door)."""
    room = access.get_room_for_user(request.user, pk)
    return _timetable(
        request,
        school_id=room.school_id,
        title=_("%(room)s 课后服务使用安排") % {"room": room},
        template="week",
        pdf=pdf,
        room=room,
    )


@login_required
@staff_required
def timetable_school(request, pdf: bool = False):
    """The whole school's week, for the 校务公开栏 (A4 landscape)."""
    return _timetable(
        request,
        school_id=request.user.school_id,
        title=lambda term: _("%(school)s 课后服务安排表") % {"school": term.school},
        template="school",
        pdf=pdf,
        landscape=True,
        whole_school=True,
    )


@login_required
def timetable_me(request):
    """Where each person's timetables are: staff see their own week and (admin,
    homeroom) links to their classes; guardians see links to their children's."""
    user = request.user
    if user.role == Role.GUARDIAN:
        children = list(students_for_user(user))
        if len(children) == 1:
            return redirect("scheduling:timetable-student", pk=children[0].pk)
        return render(request, "scheduling/timetable_index.html", {"children": children})
    if not user.is_staff_member:
        raise Http404
    return render(
        request,
        "scheduling/timetable_index.html",
        {
            "classes": classes_in_year_of(classes_for_user(user)).order_by("grade", "number"),
            "rooms": rooms_for_user(user) if user.is_school_admin else [],
        },
    )
