"""Scheduling pages: calendar, rota, clubs, timetables (screen and PDF).

Thin views: access helper → form → one service call → redirect with a message.
Admin pages use ``school_admin_required`` and only ever touch rows of the
admin's own school (404 otherwise).
"""

from __future__ import annotations

import calendar as pycal
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import (
    classes_for_user,
    get_class_for_user,
    get_student_for_user,
    rooms_for_user,
    school_admin_required,
    staff_required,
    students_for_user,
)
from afterschool.models import Role
from afterschool.pdf import render_pdf
from scheduling import calendar as cal
from scheduling import selectors, services
from scheduling.forms import (
    AddDayForm,
    CalendarDayForm,
    ClubForm,
    DateForm,
    SessionAssignForm,
    SuspendForm,
    TermScheduleForm,
    UnavailabilityForm,
    YearForm,
)
from scheduling.models import CalendarDay, ServiceChange, Session, StaffUnavailability
from scheduling.tables import ClubTable


def _today() -> datetime.date:
    return timezone.localdate()


def _term(request):
    return selectors.current_term(
        request.user.school_id, _today(), request.GET.get("term") or request.POST.get("term")
    )


def _show_errors(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _back_to_calendar(term, month: str | None = None):
    url = reverse("scheduling:calendar") + f"?term={term.pk}"
    if month:
        url += f"&month={month}"
    return redirect(url)


# ---------------------------------------------------------------- calendar


@login_required
@school_admin_required
def calendar_page(request):
    """Month view of the term's calendar with the forms that change it."""
    term = _term(request)
    schedule = cal.term_schedule(term)
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        today = min(max(_today(), term.first_day), term.last_day)
        year, month = today.year, today.month
    weeks = pycal.Calendar().monthdatescalendar(year, month)
    infos = cal.days_between(
        term.school, weeks[0][0], weeks[-1][-1], schedule=schedule, strict=False
    )
    by_date = {d.date: d for d in infos}
    grid = [[(by_date[d], term.contains(d) and d.month == month) for d in week] for week in weeks]
    in_month = [d for d in infos if d.date.month == month and term.contains(d.date)]
    unknown = cal.unknown_years(term.school, term.first_day, term.last_day)
    term_error = None
    term_counts = None
    try:
        term_days = cal.term_calendar(term)
        term_counts = (
            sum(d.is_school_day for d in term_days),
            sum(d.has_service for d in term_days),
        )
    except cal.CalendarUnknownError as exc:
        term_error = exc.messages[0]
    first_month = term.first_day.replace(day=1)
    months = []
    m = first_month
    while m <= term.last_day:
        months.append(m)
        m = (m + datetime.timedelta(days=32)).replace(day=1)
    context = {
        "term": term,
        "terms": selectors.terms_of(request.user.school_id),
        "schedule": schedule,
        "grid": grid,
        "month": datetime.date(year, month, 1),
        "months": months,
        "month_unknown": year in unknown,
        "month_school_days": sum(d.is_school_day for d in in_month),
        "month_service_days": sum(d.has_service for d in in_month),
        "term_counts": term_counts,
        "term_error": term_error,
        "unknown_years": unknown,
        "entered_years": term.school.calendar_years.filter(
            year__gte=term.first_day.year, year__lte=term.last_day.year
        ),
        "school_rows": CalendarDay.objects.filter(
            school=term.school, date__range=(term.first_day, term.last_day)
        ),
        "changes": ServiceChange.objects.filter(
            school=term.school, date__range=(term.first_day, term.last_day)
        ),
        "day_form": CalendarDayForm(),
        "suspend_form": SuspendForm(),
        "add_form": AddDayForm(),
        "last_known_year": cal.last_known_year(),
    }
    return render(request, "scheduling/calendar.html", context)


@login_required
@school_admin_required
def term_settings(request):
    term = _term(request)
    instance = cal.term_schedule(term)
    form = TermScheduleForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_schedule_save(term=term, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("学期课表设置已保存。请重新生成课时和看班安排。"))
            return _back_to_calendar(term)
    return render(request, "scheduling/term_settings.html", {"term": term, "form": form})


@login_required
@school_admin_required
@require_POST
def calendar_day_set(request):
    term = _term(request)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_day_set(school=term.school, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("校历已更新。"))
            return _back_to_calendar(term, f"{form.cleaned_data['date']:%Y-%m}")
    else:
        messages.error(request, _("请检查日期和类型。"))
    return _back_to_calendar(term)


@login_required
@school_admin_required
@require_POST
def calendar_day_delete(request):
    term = _term(request)
    form = DateForm(request.POST)
    if form.is_valid():
        services.calendar_day_delete(school=term.school, date=form.cleaned_data["date"])
        messages.success(request, _("已删除该日的校历调整。"))
    return _back_to_calendar(term)


@login_required
@school_admin_required
@require_POST
def calendar_year_mark(request):
    term = _term(request)
    form = YearForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_year_mark_entered(
                school=term.school, year=form.cleaned_data["year"], by=request.user
            )
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(
                request, _("已确认%(year)s年校历录入完成。") % {"year": form.cleaned_data["year"]}
            )
    return _back_to_calendar(term)


@login_required
@school_admin_required
@require_POST
def service_suspend(request):
    term = _term(request)
    form = SuspendForm(request.POST)
    if form.is_valid():
        try:
            services.service_suspend(
                school=term.school, term=term, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("已暂停该日的课后服务，家长会看到通知。"))
            return _back_to_calendar(term, f"{form.cleaned_data['date']:%Y-%m}")
    else:
        messages.error(request, _("请填写日期和通知内容。"))
    return _back_to_calendar(term)


@login_required
@school_admin_required
@require_POST
def service_add(request):
    term = _term(request)
    form = AddDayForm(request.POST)
    if form.is_valid():
        try:
            services.service_add(
                school=term.school, term=term, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("已增加该日的课后服务。"))
            return _back_to_calendar(term, f"{form.cleaned_data['date']:%Y-%m}")
    else:
        messages.error(request, _("请填写日期。"))
    return _back_to_calendar(term)


@login_required
@school_admin_required
@require_POST
def service_change_withdraw(request, pk: int):
    change = get_object_or_404(ServiceChange, pk=pk, school_id=request.user.school_id)
    term = _term(request)
    services.service_change_withdraw(change=change)
    messages.success(request, _("已撤销该日的调整。"))
    return _back_to_calendar(term)


# ---------------------------------------------------------------- rota


@login_required
@school_admin_required
def rota_page(request):
    """One day's sessions of every class with their supervisors (a week of a
    large school is too long for one page); the admin changes one by hand or
    regenerates the rota."""
    term = _term(request)
    monday = selectors.week_start(term, request.GET.get("week"), _today())
    week_sessions = selectors.rota_sessions(term, monday)
    dates = sorted({s.date for s in week_sessions})
    day = request.GET.get("day", "")
    day = next((d for d in dates if d.isoformat() == day), dates[0] if dates else None)
    sessions = [s for s in week_sessions if s.date == day]
    staff_form = SessionAssignForm(school=term.school)
    staff = list(staff_form.fields["supervisor"].queryset)
    context = {
        "term": term,
        "terms": selectors.terms_of(request.user.school_id),
        "monday": monday,
        "dates": dates,
        "day": day,
        "previous_week": monday - datetime.timedelta(days=7),
        "next_week": monday + datetime.timedelta(days=7),
        "sessions": sessions,
        "staff": staff,
        "load": selectors.rota_load(term),
        "unassigned": Session.objects.filter(term=term, supervisor__isnull=True).count(),
    }
    return render(request, "scheduling/rota.html", context)


@login_required
@school_admin_required
@require_POST
def rota_generate(request):
    term = _term(request)
    try:
        made = services.sessions_generate(term=term)
        report = services.rota_generate(term=term)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(
            request,
            _(
                "已生成课时：新增 %(created)s，删除 %(deleted)s；看班安排：自动安排 %(assigned)s，"
                "保留手动 %(manual)s，无人可排 %(unassigned)s。"
            )
            % {
                "created": made.created,
                "deleted": made.deleted,
                "assigned": report.assigned,
                "manual": report.kept_manual,
                "unassigned": len(report.unassigned),
            },
        )
    return redirect(reverse("scheduling:rota") + f"?term={term.pk}")


@login_required
@school_admin_required
@require_POST
def session_assign(request, pk: int):
    session = get_object_or_404(
        Session.objects.select_related("term"), pk=pk, term__school_id=request.user.school_id
    )
    form = SessionAssignForm(request.POST, school=session.term.school)
    if form.is_valid():
        try:
            services.session_assign(session=session, supervisor=form.cleaned_data["supervisor"])
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("看班安排已更新：%(s)s") % {"s": session})
    else:
        messages.error(request, _("请选择看班教师。"))
    return redirect(
        reverse("scheduling:rota")
        + f"?term={session.term_id}&week={session.date.isoformat()}&day={session.date.isoformat()}"
    )


@login_required
@school_admin_required
def unavailability_page(request):
    school = request.user.school
    form = UnavailabilityForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.unavailability_add(**form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已登记。重新生成看班安排后生效。"))
            return redirect("scheduling:unavailability")
    rows = selectors.unavailabilities_of(school)
    return render(request, "scheduling/unavailability.html", {"form": form, "rows": rows})


@login_required
@school_admin_required
@require_POST
def unavailability_delete(request, pk: int):
    row = get_object_or_404(StaffUnavailability, pk=pk, person__school_id=request.user.school_id)
    services.unavailability_delete(row=row)
    messages.success(request, _("已删除。"))
    return redirect("scheduling:unavailability")


# ---------------------------------------------------------------- clubs


@login_required
@school_admin_required
def club_list(request):
    term = _term(request)
    table = ClubTable(selectors.clubs_of(term))
    return render(
        request,
        "scheduling/club_list.html",
        {"term": term, "terms": selectors.terms_of(request.user.school_id), "table": table},
    )


@login_required
@school_admin_required
def club_edit(request, pk: int | None = None):
    club = selectors.get_club_for_admin(request.user, pk) if pk else None
    term = club.term if club else _term(request)
    school = request.user.school
    initial = {}
    if club is None:
        schedule = cal.term_schedule(term)
        initial = {"weekday": schedule.featured_weekday, "period": schedule.featured_period}
    form = ClubForm(request.POST or None, instance=club, initial=initial, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.club_save(term=term, club=club, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("社团 %(name)s 已保存。") % {"name": saved.name})
            return redirect(reverse("scheduling:club-list") + f"?term={term.pk}")
    return render(request, "scheduling/club_form.html", {"form": form, "club": club, "term": term})


@login_required
@school_admin_required
@require_POST
def club_delete(request, pk: int):
    club = selectors.get_club_for_admin(request.user, pk)
    term_id = club.term_id
    services.club_delete(club=club)
    messages.success(request, _("社团已删除。"))
    return redirect(reverse("scheduling:club-list") + f"?term={term_id}")


# ---------------------------------------------------------------- timetables


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
    term = selectors.current_term(school_id, _today(), request.GET.get("term"))
    monday = selectors.week_start(term, request.GET.get("week"), _today())
    try:
        table = selectors.week_timetable(term=term, monday=monday, **which)
    except cal.CalendarUnknownError as exc:
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
        response["Content-Disposition"] = f'inline; filename="timetable-{monday:%Y%m%d}.pdf"'
        return response
    query = f"?term={term.pk}&week={monday.isoformat()}"
    context.update(extra or {})
    context.update(
        {
            "query": query,
            "pdf_url": request.path.rstrip("/") + "/pdf/" + query,
            "screen_template": f"scheduling/_{template}_grid.html",
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
        extra={"notices": selectors.suspension_notices_for_user(request.user, _today())},
        student=student,
    )


@login_required
@staff_required
def timetable_person(request, pk: int, pdf: bool = False):
    """A staff member's week: themselves, or the school's admin."""
    person = selectors.get_person_for_user(request.user, pk)
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
    room = get_object_or_404(rooms_for_user(request.user), pk=pk)
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
            "classes": classes_for_user(user),
            "rooms": rooms_for_user(user) if user.is_school_admin else [],
        },
    )
