"""Marking students not in a roster file as left, from the roster preview.

The upload is fetched through ``get_roster_upload_for_user`` (404 to another
school's admin); the students that may be marked are only those the
preview lists as not in the file, so a posted id of any other student is
refused by the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import get_roster_upload_for_user, school_admin_required
from afterschool.roster.parse import RosterFileError, roster_parse
from afterschool.roster.selectors import roster_diff
from enrollment.leavers.forms import LeaversForm
from enrollment.leavers.services import students_mark_left


@login_required
@school_admin_required
@require_POST
def roster_leavers(request, pk: int):
    """Mark the chosen students (or all) not in upload ``pk`` as left."""
    item = get_roster_upload_for_user(request.user, pk)
    try:
        roster = roster_parse(filename=item.filename, content=bytes(item.content))
    except RosterFileError as exc:
        messages.error(request, str(exc))
        return redirect("roster:preview", pk=item.pk)
    diff = roster_diff(roster=roster, school=item.school, start_year=item.start_year)
    form = LeaversForm(request.POST, missing_ids=diff.missing_ids)
    if not form.is_valid() or diff.school_year is None:
        errors = [e for errs in form.errors.values() for e in errs] or [_("没有可标记的学生。")]
        messages.error(request, _("未标记离校：") + "；".join(errors))
        return redirect("roster:preview", pk=item.pk)
    try:
        result = students_mark_left(
            school=item.school,
            school_year=diff.school_year,
            student_ids=form.cleaned_data["student_ids"],
            left_on=form.cleaned_data["left_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _("未标记离校：") + "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("已将 %(n)d 名学生标记为离校，退出课后服务申请 %(a)d 份；离校日期起不再收费。")
            % {"n": result.students, "a": result.applications_withdrawn},
        )
    return redirect("roster:preview", pk=item.pk)
