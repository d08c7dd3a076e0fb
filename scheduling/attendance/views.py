"""Roll call (点名), leave (请假) and dismissal (离校) pages.

Thin views: access helper (404 to outsiders) → form → one service call →
redirect with a message (or, for a tap on the roll, the updated row for htmx).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import staff_required, students_for_user
from afterschool.models import Role
from afterschool.pages import errors_to_form, show_errors
from afterschool.params import date_param
from enrollment.models import Status as ApplicationStatus
from scheduling import access
from scheduling.attendance import selectors, services
from scheduling.attendance.forms import DismissForm, LeaveDecideForm, LeaveForm, RollMarkForm
from scheduling.attendance.selectors import Roll
from scheduling.models import AttendanceStatus

# Bootstrap colour of each mark on the roll.
STATUS_COLOURS = {
    AttendanceStatus.PRESENT: "success",
    AttendanceStatus.ABSENT: "danger",
    AttendanceStatus.LEAVE: "secondary",
    AttendanceStatus.LATE: "warning",
}


STATUSES = [(s.value, s.label, STATUS_COLOURS[s]) for s in AttendanceStatus]


def _date(request) -> datetime.date:
    """``?date=YYYY-MM-DD`` (GET or POST), else today."""
    # A malformed or far-off date is a 400 (afterschool.params), not a 500
    # when the page steps a day or a week from it.
    return (
        date_param(request.GET.get("date") or request.POST.get("date"), "date")
        or timezone.localdate()
    )


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# ---------------------------------------------------------------- roll call


@login_required
@staff_required
def roll_index(request):
    """The day's sessions whose roll the user may take."""
    day = _date(request)
    return render(
        request,
        "scheduling/attendance/roll_index.html",
        {
            "day": day,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "sessions": selectors.roll_sessions_for_user(request.user, day),
            "clubs": selectors.roll_clubs_for_user(request.user, day),
        },
    )


def _roll_page(
    request,
    *,
    url: str,
    load: Callable[[], Roll],
    save: Callable[[dict[int, str]], object],
    context: dict,
):
    """A roll (of a session or a club meeting): everyone present by default,
    one tap per exception (saved by htmx without reloading — the answer is
    the updated row and summary; plain POST without JavaScript), or
    「全部到齐，保存」 to save the roll as it stands. ``load`` builds the roll,
    ``save(marks)`` calls the service, ``context`` is the page's own part."""
    if request.method != "POST":
        roll = load()
        return render(request, "scheduling/attendance/roll.html", {**context, "roll": roll})
    form = RollMarkForm(request.POST)
    tapped = bool(request.POST.get("student") or request.POST.get("status"))
    if not form.is_valid() or (
        tapped and not (form.cleaned_data["student"] and form.cleaned_data["status"])
    ):
        # A tap that does not say who and what: save nothing.
        messages.error(request, _("请选择到、缺勤、请假或迟到。"))
        return redirect(url)
    marks = {}
    if tapped:
        marks = {form.cleaned_data["student"]: form.cleaned_data["status"]}
    error = ""
    try:
        save(marks)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if _is_htmx(request) and marks:
        student_id = next(iter(marks))
        roll = load()
        row = next((r for r in roll.rows if r.student.pk == student_id), None)
        if row is None:
            raise Http404
        context = {**context, "roll": roll, "row": row, "error": error}
        html = render_to_string(
            "scheduling/attendance/roll.html#row", context, request=request
        ) + render_to_string("scheduling/attendance/roll.html#summary", context, request=request)
        return HttpResponse(html)
    if error:
        messages.error(request, error)
    elif not marks:
        messages.success(request, _("点名已保存。"))
    return redirect(url)


@login_required
@staff_required
def club_roll(request, pk: int):
    """A club meeting's roll on ``?date=`` (default today) for the club's
    teacher or the school's admin (404 to others): the students placed in the
    club by the published allocation run (see ``_roll_page``)."""
    club = access.get_club_for_user(request.user, pk)
    day = _date(request)
    url = reverse("scheduling:club-roll", args=[club.pk]) + f"?date={day.isoformat()}"

    def save(marks):
        roster = [r.student for r in selectors.club_roll(club, day).rows]
        services.club_roll_save(
            club=club,
            date=day,
            roster=roster,
            by=request.user,
            marks=marks,
            today=timezone.localdate(),
        )

    return _roll_page(
        request,
        url=url,
        load=lambda: selectors.club_roll(club, day),
        save=save,
        context={"club": club, "statuses": STATUSES, "day": day, "roll_url": url},
    )


@login_required
@staff_required
def roll(request, pk: int):
    """A session's roll for its supervisor, the class's homeroom teacher or
    the school's admin (404 to others; see ``_roll_page``)."""
    session = access.get_session_for_user(request.user, pk)
    url = reverse("scheduling:roll", args=[session.pk])
    return _roll_page(
        request,
        url=url,
        load=lambda: selectors.session_roll(session),
        save=lambda marks: services.roll_call_save(
            session=session, by=request.user, marks=marks, today=timezone.localdate()
        ),
        context={"session": session, "statuses": STATUSES, "day": session.date, "roll_url": url},
    )


@login_required
def absences(request):
    """Today's absences without leave: a homeroom teacher's classes (admin:
    the school; guardian: own children)."""
    if not access.uses_leave_pages(request.user):
        raise PermissionDenied
    day = _date(request)
    return render(
        request,
        "scheduling/attendance/absences.html",
        {
            "day": day,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "absences": selectors.unexcused_absences_for_user(request.user, day),
        },
    )


# ---------------------------------------------------------------- leave


@login_required
def leave_list(request):
    """A guardian's requests (with 「请假」), or the requests a homeroom
    teacher / admin decides (waiting first; order in
    ``selectors.leave_lists_for_user``)."""
    user = request.user
    if not access.uses_leave_pages(user):
        raise PermissionDenied
    today = timezone.localdate()
    lists = selectors.leave_lists_for_user(user, today=today)
    return render(
        request,
        "scheduling/attendance/leave_list.html",
        {
            "waiting": lists.waiting,
            "others": lists.others,
            "is_guardian": user.role == Role.GUARDIAN,
            "absences": selectors.unexcused_absences_for_user(user, today)
            if user.role == Role.GUARDIAN
            else [],
            "today": today,
            "decide_form": LeaveDecideForm(),
        },
    )


@login_required
def leave_create(request):
    """The guardian asks leave for one of their children (phone layout)."""
    if request.user.role != Role.GUARDIAN:
        raise PermissionDenied
    # Only children taking part in a term not yet over: another child has
    # nothing to be excused from (the service refuses it too).
    students = (
        students_for_user(request.user)
        .filter(
            applications__status=ApplicationStatus.APPROVED,
            applications__term__last_day__gte=timezone.localdate(),
        )
        .distinct()
        .order_by("name")
    )
    initial = {}
    if request.GET.get("student"):
        initial["student"] = request.GET["student"]
    form = LeaveForm(request.POST or None, students=students, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = data["student"]
        try:
            # The term of the leave's first day (Http404: the school has none).
            term = access.get_school_term(student.school_id, today=data["first_day"])
            leave = services.leave_request(
                student=student,
                term=term,
                kind=data["kind"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                periods=data["periods"],
                reason=data["reason"],
                by=request.user,
                today=timezone.localdate(),
            )
        except Http404:
            form.add_error(None, _("该日期不在任何学期内。"))
        except ValidationError as exc:
            errors_to_form(form, exc)  # a day's or the reason's error next to it
        else:
            messages.success(
                request,
                _("已提交%(name)s的请假（%(span)s），请等待班主任审批。")
                % {"name": student.name, "span": leave.span_display},
            )
            return redirect("scheduling:leave-list")
    return render(
        request,
        "scheduling/attendance/leave_form.html",
        {"form": form, "has_students": students.exists()},
    )


@login_required
@require_POST
def leave_decide(request, pk: int):
    """The homeroom teacher (or admin) approves or declines with a reason."""
    leave = access.get_leave_for_user(request.user, pk)
    if request.user.role == Role.GUARDIAN:
        raise PermissionDenied
    form = LeaveDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或不批准。"))
        return redirect("scheduling:leave-list")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.leave_decide(
            leave=leave, by=request.user, approve=approve, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request,
            (_("已批准%(name)s的请假。") if approve else _("已不批准%(name)s的请假。"))
            % {"name": leave.student.name},
        )
    return redirect("scheduling:leave-list")


@login_required
@require_POST
def leave_cancel(request, pk: int):
    leave = access.get_leave_for_user(request.user, pk)
    if request.user.role != Role.GUARDIAN:
        raise PermissionDenied
    try:
        services.leave_cancel(leave=leave, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("已撤销请假。"))
    return redirect("scheduling:leave-list")


# ---------------------------------------------------------------- dismissal


@login_required
@staff_required
def dismissal_index(request):
    day = _date(request)
    return render(
        request,
        "scheduling/attendance/dismissal_index.html",
        {
            "day": day,
            "classes": list(
                access.dismissal_classes_for_user(request.user, day).order_by("grade", "number")
            ),
        },
    )


@login_required
@staff_required
def dismissal_class(request, pk: int):
    """A class's dismissal sheet for a day; POST records one child leaving."""
    day = _date(request)
    school_class = access.get_class_for_dismissal(request.user, pk, day)
    term = access.get_school_term(school_class.school_id, today=day)
    url = reverse("scheduling:dismissal-class", args=[school_class.pk]) + f"?date={day:%Y-%m-%d}"
    if request.method == "POST":
        form = DismissForm(request.POST)
        if form.is_valid():
            student = (
                students_of_class(school_class).filter(pk=form.cleaned_data["student"]).first()
            )
            if student is None:
                raise Http404
            try:
                d = services.dismissal_record(
                    student=student,
                    term=term,
                    date=day,
                    by=request.user,
                    alone=form.cleaned_data["alone"],
                    collected_by=form.cleaned_data["collected_by"],
                    today=timezone.localdate(),
                )
            except ValidationError as exc:
                show_errors(request, exc)
            else:
                how = _("自行回家") if d.alone else _("%(who)s接走") % {"who": d.collected_by}
                text = _("%(name)s %(time)s 离校（%(how)s）。") % {
                    "name": student.name,
                    "time": timezone.localtime(d.left_at).strftime("%H:%M"),
                    "how": how,
                }
                if day != timezone.localdate():
                    text += _("（补登：按本学期放学时间记录。）")
                messages.success(request, text)
        return redirect(url)
    sheet = selectors.dismissal_sheet(school_class=school_class, term=term, date=day)
    selectors.attach_pickup(sheet)
    return render(
        request,
        "scheduling/attendance/dismissal.html",
        {"sheet": sheet, "day": day, "term": term, "late_entry": day != timezone.localdate()},
    )


def students_of_class(school_class):
    return school_class.students.select_related("school_class")


@login_required
@staff_required
@require_POST
def dismissal_undo(request, pk: int):
    # Only someone who may see the class that day gets past here (404 else).
    d = access.get_dismissal_for_user(request.user, pk)
    school_class = d.student.school_class
    try:
        services.dismissal_undo(dismissal=d, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("已撤销%(name)s的离校登记。") % {"name": d.student.name})
    return redirect(
        reverse("scheduling:dismissal-class", args=[school_class.pk]) + f"?date={d.date:%Y-%m-%d}"
    )
