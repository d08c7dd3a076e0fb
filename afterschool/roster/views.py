"""The school admin's roster import: upload -> preview -> confirm -> letters.

Admin only (``school_admin_required``); uploads are fetched through
``get_roster_upload_for_user`` so an admin of another school gets 404.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from afterschool.access import (
    classes_for_user,
    get_class_for_user,
    get_guardian_for_user,
    get_roster_upload_for_user,
    roster_uploads_for_user,
    school_admin_required,
)
from afterschool.activation import activation_letters_pdf, guardian_login_reset, site_address
from afterschool.models import SchoolYear
from afterschool.roster.forms import RosterUploadForm
from afterschool.roster.importer import (
    RosterInvalid,
    roster_import,
    roster_upload_confirm,
    roster_upload_create,
)
from afterschool.roster.parse import RosterFileError, roster_parse
from afterschool.roster.selectors import roster_diff


def _default_start_year(school) -> int:
    latest = SchoolYear.objects.filter(school=school).order_by("-start_year").first()
    if latest:
        return latest.start_year
    today = timezone.localdate()
    # A school year starts in September; the summer before belongs to the new one.
    return today.year if today.month >= 8 else today.year - 1


@login_required
@school_admin_required
def upload(request):
    """Upload a roster file; it is kept for the preview."""
    school = request.user.school
    form = RosterUploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"start_year": _default_start_year(school)},
    )
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            created = roster_upload_create(
                school=school,
                by=request.user,
                filename=file.name,
                content=file.read(),
                start_year=form.cleaned_data["start_year"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("roster:preview", pk=created.pk)
    recent = roster_uploads_for_user(request.user).select_related("uploaded_by")[:10]
    return render(
        request,
        "afterschool/roster/upload.html",
        {"form": form, "recent": recent, "title": _("导入学生名册")},
    )


@login_required
@school_admin_required
def preview(request, pk: int):
    """Every row with its problems highlighted, and what an import would do."""
    item = get_roster_upload_for_user(request.user, pk)
    context = {
        "upload": item,
        "title": _("名册预览"),
        "roster": None,
        "summary": None,
        "diff": None,
    }
    try:
        roster = roster_parse(filename=item.filename, content=bytes(item.content))
    except RosterFileError as exc:
        context["file_error"] = str(exc)
        return render(request, "afterschool/roster/preview.html", context)
    context["roster"] = roster
    if roster.is_valid:
        # Per class: new, moved-in and not-in-file students, and the size
        # limit, before and after confirming (the marking of leavers is
        # done from here too).
        context["diff"] = roster_diff(roster=roster, school=item.school, start_year=item.start_year)
        context["today"] = timezone.localdate()
    if item.confirmed_at is None and roster.is_valid:
        try:
            context["summary"] = roster_import(
                roster=roster, start_year=item.start_year, school=item.school, dry_run=True
            )
        except RosterInvalid as exc:
            roster.problems.extend(exc.problems)
            by_row = {}
            for problem in exc.problems:
                by_row.setdefault(problem.row, []).append(problem)
            for row in roster.rows:
                row.problems.extend(by_row.get(row.row, []))
    _paginate_preview(request, context, roster)
    return render(request, "afterschool/roster/preview.html", context)


def _paginate_preview(request, context: dict, roster) -> None:
    """One page of rows (``?page=``, ``settings.ROSTER_PREVIEW_PER_PAGE`` a
    page) and the first problem lines, so a large roster's preview stays a
    page, not megabytes: the counts above the table are of the whole file."""
    per_page = settings.ROSTER_PREVIEW_PER_PAGE
    context["rows_page"] = Paginator(roster.rows, per_page).get_page(request.GET.get("page"))
    context["problems_shown"] = roster.problems[:per_page]
    context["problems_more"] = max(len(roster.problems) - per_page, 0)


@login_required
@school_admin_required
@require_POST
def confirm(request, pk: int):
    """Write the previewed upload. A second submit imports nothing."""
    item = get_roster_upload_for_user(request.user, pk)
    try:
        summary, imported = roster_upload_confirm(upload=item)
    except (RosterInvalid, RosterFileError) as exc:
        messages.error(request, _("名册有问题，未导入任何数据：") + "；".join(_messages(exc)))
        return redirect("roster:preview", pk=item.pk)
    if imported:
        messages.success(request, _("名册已导入：") + "；".join(summary.lines()[1:]))
    else:
        messages.info(request, _("该名册已经导入过，未重复导入。"))
    return redirect(f"{reverse('roster:letters')}?year={item.start_year}")


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, RosterInvalid):
        return [str(p) for p in exc.problems[:5]]
    return [str(exc)]


@login_required
@school_admin_required
def letters(request):
    """Classes of a school year, each with a button to print its letters."""
    years = SchoolYear.objects.filter(school_id=request.user.school_id).order_by("-start_year")
    year = None
    wanted = request.GET.get("year", "")
    if wanted.isdigit():
        year = years.filter(start_year=int(wanted)).first()
    year = year or years.first()
    classes = (
        classes_for_user(request.user)
        .filter(school_year=year)
        # Through the class membership of the class's own year, less those
        # who have left (they get no letter, activation_letters_issue).
        .annotate(
            student_count=Count(
                "memberships__student",
                filter=Q(memberships__end_date__isnull=True),
                distinct=True,
            ),
            guardian_count=Count(
                "memberships__student__guardians",
                filter=Q(memberships__end_date__isnull=True),
                distinct=True,
            ),
            pending_count=Count(
                "memberships__student__guardians",
                filter=Q(
                    memberships__end_date__isnull=True,
                    memberships__student__guardians__user__password__startswith="!",
                ),
                distinct=True,
            ),
        )
        .order_by("grade", "number")
    )
    return render(
        request,
        "afterschool/roster/letters.html",
        {"classes": classes, "year": year, "years": years, "title": _("打印激活信")},
    )


@login_required
@school_admin_required
@require_POST
def class_letters(request, pk: int):
    """Issue new codes for the class's guardians not yet activated and
    return the class's letters as one PDF."""
    school_class = get_class_for_user(request.user, pk)
    pdf = activation_letters_pdf(school_class=school_class, site_url=site_address(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{school_class.display_name}激活信.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_POST
def guardian_reset(request, pk: int):
    """Staff (the school's admin, or the homeroom teacher of one of the
    guardian's children) reset a guardian's login and print a one-page letter
    with a new activation code. Others get 404."""
    guardian = get_guardian_for_user(request.user, pk)
    try:
        page = guardian_login_reset(guardian=guardian)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("home")
    pdf = activation_letters_pdf(
        school_class=page.students[0].school_class,
        site_url=site_address(request),
        pages=[page],
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{guardian.name}激活信.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
