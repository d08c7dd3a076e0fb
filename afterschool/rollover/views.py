"""The school admin's yearly rollover (升级) page: the plan in one table
(each class, its children, where it goes, the new homeroom teacher), then
one confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from afterschool.access import school_admin_required
from afterschool.rollover.forms import RolloverForm
from afterschool.rollover.selectors import homeroom_candidates, rollover_plan, rollover_source_year
from afterschool.rollover.services import school_year_rollover


@login_required
@school_admin_required
def rollover(request):
    """GET: the plan of the school's latest year; POST: roll it over."""
    school = request.user.school
    year = rollover_source_year(school)
    plan = rollover_plan(year) if year else []
    form = RolloverForm(
        request.POST if request.method == "POST" else None,
        plan=plan,
        teachers=homeroom_candidates(school),
    )
    if request.method == "POST" and year is not None and form.is_valid():
        try:
            result = school_year_rollover(
                school=school,
                from_year=year,
                by=request.user,
                homeroom_teachers=form.homeroom_teachers(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "已升级到%(year)s：新建班级 %(c)d 个，升级学生 %(p)d 名，毕业 %(g)d 名。"
                    "请导入新学年名册（含新一年级）。"
                )
                % {
                    "year": result.school_year,
                    "c": result.classes_created,
                    "p": result.students_promoted,
                    "g": result.students_graduated,
                },
            )
            return redirect("roster:upload")
    return render(
        request,
        "afterschool/rollover/rollover.html",
        {
            "title": _("学年升级"),
            "year": year,
            "next_year": year.start_year + 1 if year else None,
            "form": form,
            "graduating": sum(r.students for r in plan if r.graduates),
            "promoted": sum(r.students for r in plan if not r.graduates),
        },
    )
