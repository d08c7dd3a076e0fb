"""Rota pages: one day's sessions with their supervisors, generating the
rota, assigning a session by hand, staff unavailability (admin only, rows of
the admin's own school).

Thin views: access helper → form → one service call → redirect with a message.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import (
    school_admin_required,
    terms_for_user,
)
from afterschool.pages import show_errors
from scheduling import access
from scheduling.access import term_for_request
from scheduling.calendar.selectors import week_start
from scheduling.models import Session
from scheduling.rota import selectors, services
from scheduling.rota.forms import SessionAssignForm, UnavailabilityForm, WeeklyAssignForm
from scheduling.rota.tables import DaySessionsTable, week_grid_body


@login_required
@school_admin_required
def rota_page(request):
    """One day's sessions of every class with their supervisors (a week of a
    large school is too long for one page); the admin changes one by hand or
    regenerates the rota."""
    term = term_for_request(request)
    monday = week_start(term, request.GET.get("week"), timezone.localdate())
    week_sessions = selectors.rota_sessions(term, monday)
    dates = sorted({s.date for s in week_sessions})
    day = request.GET.get("day", "")
    day = next((d for d in dates if d.isoformat() == day), dates[0] if dates else None)
    sessions = [s for s in week_sessions if s.date == day]
    staff_form = SessionAssignForm(school=term.school)
    staff = list(staff_form.fields["supervisor"].queryset)
    grid = selectors.rota_week_grid(term, week_sessions)
    context = {
        "grid": grid,
        "grid_body": week_grid_body(grid),
        "weekly_form": WeeklyAssignForm(term=term),
        "term": term,
        "terms": terms_for_user(request.user),
        "monday": monday,
        "dates": dates,
        "day": day,
        "previous_week": monday - datetime.timedelta(days=7),
        "next_week": monday + datetime.timedelta(days=7),
        "sessions": DaySessionsTable(sessions, staff=staff, request=request),
        "load": selectors.rota_load(term),
        "unassigned": Session.objects.filter(term=term, supervisor__isnull=True).count(),
    }
    return render(request, "scheduling/rota.html", context)


@login_required
@school_admin_required
@require_POST
def rota_generate(request):
    term = term_for_request(request)
    try:
        made = services.sessions_generate(term=term)
        report = services.rota_generate(term=term)
    except ValidationError as exc:
        show_errors(request, exc)
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
def rota_assign_weekly(request):
    """Bulk assignment: one person for every session of a class on a weekday
    and period (from a date on); clashing sessions are left and named."""
    term = term_for_request(request)
    form = WeeklyAssignForm(request.POST, term=term)
    week = request.POST.get("week", "")
    back = reverse("scheduling:rota") + f"?term={term.pk}&week={week}"
    if not form.is_valid():
        for errors in form.errors.values():
            for msg in errors:
                messages.error(request, msg)
        return redirect(back)
    try:
        report = services.sessions_assign_weekly(term=term, **form.cleaned_data)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(back)
    messages.success(
        request,
        _("已安排 %(person)s 看班 %(n)s 个课时。")
        % {"person": form.cleaned_data["supervisor"], "n": report.assigned},
    )
    for session, reason in report.refused[:10]:
        messages.warning(
            request,
            _("未安排 %(date)s：%(reason)s") % {"date": session.date.isoformat(), "reason": reason},
        )
    if len(report.refused) > 10:
        messages.warning(
            request, _("另有 %(n)s 个课时因冲突未安排。") % {"n": len(report.refused) - 10}
        )
    return redirect(back)


@login_required
@school_admin_required
@require_POST
def session_assign(request, pk: int):
    session = access.get_session_for_user(request.user, pk)
    form = SessionAssignForm(request.POST, school=session.term.school)
    if form.is_valid():
        try:
            services.session_assign(session=session, supervisor=form.cleaned_data["supervisor"])
        except ValidationError as exc:
            show_errors(request, exc)
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
    rows = access.unavailabilities_for_user(request.user)
    return render(request, "scheduling/unavailability.html", {"form": form, "rows": rows})


@login_required
@school_admin_required
@require_POST
def unavailability_delete(request, pk: int):
    row = access.get_unavailability_for_user(request.user, pk)
    services.unavailability_delete(row=row)
    messages.success(request, _("已删除。"))
    return redirect("scheduling:unavailability")
