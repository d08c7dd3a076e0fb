"""Calendar pages: the month view, the term's settings, calendar entries and
service changes (admin only, rows of the admin's own school).

Thin views: access helper → form → one service call → redirect with a message.
"""

from __future__ import annotations

import copy

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
from afterschool.params import month_param
from scheduling import access
from scheduling.access import term_for_request
from scheduling.calendar import days as cal
from scheduling.calendar import services
from scheduling.calendar.forms import (
    AddDayForm,
    CalendarDayForm,
    DateForm,
    SuspendForm,
    TermScheduleForm,
    YearForm,
)
from scheduling.calendar.selectors import calendar_month, term_policy_breaches


def _back_to_calendar(term, month: str | None = None):
    url = reverse("scheduling:calendar") + f"?term={term.pk}"
    if month:
        url += f"&month={month}"
    return redirect(url)


def _month_text(request) -> str:
    """``?month=2024-09`` checked by ``afterschool.params.month_param``; ``""`` when blank."""
    month = month_param(request.GET.get("month"), "month")
    return f"{month:%Y-%m}" if month else ""


@login_required
@school_admin_required
def calendar_page(request):
    """Month view of the term's calendar with the forms that change it."""
    term = term_for_request(request)
    context = {
        "term": term,
        "terms": terms_for_user(request.user),
        # Checked here (400 for garbage or a far-off year), then read as text.
        **calendar_month(term, _month_text(request), timezone.localdate()),
        "today": timezone.localdate(),
        "day_form": CalendarDayForm(),
        "suspend_form": SuspendForm(),
        "add_form": AddDayForm(),
    }
    return render(request, "scheduling/calendar.html", context)


@login_required
@school_admin_required
def term_settings(request):
    term = term_for_request(request)
    # The form gets a copy: a bound ModelForm writes the posted values onto
    # its instance, and the guardrails below must read the saved settings,
    # not input the form or the service rejected.
    instance = copy.copy(cal.term_schedule(term))
    form = TermScheduleForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_schedule_save(term=term, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("学期课表设置已保存。请重新生成课时和看班安排。"))
            return _back_to_calendar(term)
    return render(
        request,
        "scheduling/term_settings.html",
        {"term": term, "form": form, "breaches": term_policy_breaches(term)},
    )


@login_required
@school_admin_required
@require_POST
def calendar_day_set(request):
    term = term_for_request(request)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_day_set(school=term.school, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
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
    term = term_for_request(request)
    form = DateForm(request.POST)
    if form.is_valid():
        services.calendar_day_delete(school=term.school, date=form.cleaned_data["date"])
        messages.success(request, _("已删除该日的校历调整。"))
    return _back_to_calendar(term)


@login_required
@school_admin_required
@require_POST
def calendar_year_mark(request):
    term = term_for_request(request)
    form = YearForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_year_mark_entered(
                school=term.school, year=form.cleaned_data["year"], by=request.user
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(
                request, _("已确认%(year)s年校历录入完成。") % {"year": form.cleaned_data["year"]}
            )
    return _back_to_calendar(term)


@login_required
@school_admin_required
@require_POST
def service_suspend(request):
    term = term_for_request(request)
    form = SuspendForm(request.POST)
    if form.is_valid():
        try:
            services.service_suspend(
                school=term.school, term=term, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(request, exc)
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
    term = term_for_request(request)
    form = AddDayForm(request.POST)
    if form.is_valid():
        try:
            services.service_add(
                school=term.school, term=term, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(request, exc)
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
    change = access.get_service_change_for_user(request.user, pk)
    term = term_for_request(request)
    try:
        services.service_change_withdraw(change=change, today=timezone.localdate())
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("已撤销该日的调整。"))
    return _back_to_calendar(term)
