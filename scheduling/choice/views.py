"""Club choice pages (guardian), selection windows and allocation (admin),
club rosters (admin and the club's teacher), on screen and as PDF.

Thin views: access helper → form → one service call → redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import school_admin_required, students_for_user, terms_for_user
from afterschool.exports import content_disposition
from afterschool.models import Role
from afterschool.pages import show_errors
from afterschool.pdf import render_pdf
from scheduling import access
from scheduling.access import term_for_request
from scheduling.choice import selectors as cs
from scheduling.choice import services
from scheduling.choice.forms import (
    AllocationMoveForm,
    AllocationRunForm,
    ChoiceWindowForm,
    ClubChoiceForm,
    ClubRanksForm,
)

# ---------------------------------------------------------------- guardian


@login_required
def choose_index(request):
    """A guardian's children, each with a link to rank clubs."""
    if request.user.role != Role.GUARDIAN:
        raise Http404
    children = list(students_for_user(request.user))
    if len(children) == 1:
        return redirect("scheduling:club-choose", pk=children[0].pk)
    return render(request, "scheduling/clubs/choose_index.html", {"children": children})


def _saved_message(request, student, saved) -> None:
    if saved:
        messages.success(
            request,
            _("已保存 %(name)s 的社团志愿：%(list)s。")
            % {"name": student.name, "list": "、".join(c.club_name for c in saved)},
        )
    else:
        messages.success(request, _("已清空 %(name)s 的社团志愿。") % {"name": student.name})


def _choose_fast(request, pk: int) -> HttpResponse | None:
    """The submission as a thousand guardians send it when a window opens:
    one locked read (access, enrolment, window, old choices), the clubs, the
    write. ``None`` when it cannot answer (an outsider, another term, not
    enrolled, a refused ranking): the full page then says why."""
    form = ClubRanksForm(request.POST)
    if not form.is_valid():
        return None
    try:
        done = services.club_choices_submit(
            applications=access.choosing_application_for_user(
                request.user, pk, request.GET.get("term")
            ),
            club_ids=form.club_ids(),
            by=request.user,
        )
    except ValidationError:
        return None
    if done is None:
        return None
    application, saved = done
    _saved_message(request, application.student, saved)
    return redirect(reverse("scheduling:club-choose", args=[pk]) + f"?term={application.term_id}")


@login_required
def choose(request, pk: int):
    """Rank up to three clubs for one child inside the selection window."""
    if request.method == "POST":
        response = _choose_fast(request, pk)
        if response is not None:
            return response
    student = access.get_choosing_student_for_user(request.user, pk)
    term = access.get_school_term(
        student.school_id, request.GET.get("term"), today=timezone.localdate()
    )
    page = cs.choice_page(student=student, term=term)
    if request.method != "POST" and page.allocation and request.user.role == Role.GUARDIAN:
        # The guardian sees the result here: its notice and to-do clear.
        services.allocation_result_seen(allocation=page.allocation, by=request.user)
    initial = [r.club.pk for r in page.choices if r.valid and r.club is not None]
    form = ClubChoiceForm(request.POST or None, clubs=page.clubs, initial_ids=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.club_choices_save(
                student=student, term=term, club_ids=form.club_ids(), by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _saved_message(request, student, saved)
            return redirect(
                reverse("scheduling:club-choose", args=[student.pk]) + f"?term={term.pk}"
            )
    return render(request, "scheduling/clubs/choose.html", {"page": page, "form": form})


# ---------------------------------------------------------------- windows


@login_required
@school_admin_required
def windows(request, pk: int | None = None):
    """List the term's selection windows; add or change one."""
    window = None
    if pk is not None:
        window = access.get_choice_window_for_user(request.user, pk)
        term = window.term
    else:
        term = term_for_request(request)
    initial = {}
    if window is not None:
        initial = {
            "scope": window.scope,
            "grade": window.grade,
            "school_class": window.school_class_id,
            "opens_at": timezone.localtime(window.opens_at),
            "closes_at": timezone.localtime(window.closes_at),
        }
    form = ChoiceWindowForm(request.POST or None, term=term, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.choice_window_save(
                term=term, by=request.user, window=window, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("选课时间已保存。"))
            return redirect(reverse("scheduling:choice-windows") + f"?term={term.pk}")
    return render(
        request,
        "scheduling/clubs/windows.html",
        {
            "term": term,
            "terms": terms_for_user(request.user),
            "windows": cs.windows_of(term),
            "form": form,
            "window": window,
            "now": timezone.now(),
        },
    )


@login_required
@school_admin_required
@require_POST
def window_delete(request, pk: int):
    window = access.get_choice_window_for_user(request.user, pk)
    term_id = window.term_id
    services.choice_window_delete(window=window)
    messages.success(request, _("选课时间已删除。"))
    return redirect(reverse("scheduling:choice-windows") + f"?term={term_id}")


# ---------------------------------------------------------------- allocation


@login_required
@school_admin_required
def allocation(request):
    """Run the allocation with a seed (POST) and list the term's runs."""
    term = term_for_request(request)
    form = AllocationRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.allocation_run(
                term=term, seed=form.cleaned_data["seed"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("分配完成（抽签号 %(seed)s）。") % {"seed": run.seed})
            return redirect("scheduling:allocation-run", pk=run.pk)
    return render(
        request,
        "scheduling/clubs/allocation.html",
        {
            "term": term,
            "terms": terms_for_user(request.user),
            "runs": cs.runs_of(term),
            "published": cs.published_run(term),
            "form": form,
        },
    )


@login_required
@school_admin_required
def allocation_run(request, pk: int):
    """The report of one run: figures, clubs with waiting lists, who got none."""
    run = access.get_allocation_run_for_user(request.user, pk)
    report = cs.run_report(run)
    return render(
        request,
        "scheduling/clubs/run.html",
        {
            "run": run,
            "report": report,
            "published": cs.published_run(run.term),
            "clubs": [line.club for line in report.clubs],
            "method": services.METHOD,
        },
    )


@login_required
@school_admin_required
@require_POST
def allocation_publish(request, pk: int):
    run = access.get_allocation_run_for_user(request.user, pk)
    services.allocation_publish(run=run)
    messages.success(request, _("分配结果已发布，家长可以看到孩子的社团。"))
    return redirect("scheduling:allocation-run", pk=run.pk)


@login_required
@school_admin_required
@require_POST
def allocation_withdraw(request, pk: int):
    entry = access.get_allocation_for_user(request.user, pk)
    try:
        filled = services.allocation_withdraw(allocation=entry, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        msg = _("%(name)s 已退出社团。") % {"name": entry.student.name}
        if filled is not None:
            msg += _("空出的名额已由候补的 %(next)s 递补。") % {"next": filled.student.name}
        messages.success(request, msg)
    return redirect("scheduling:allocation-run", pk=entry.run_id)


@login_required
@school_admin_required
@require_POST
def allocation_move(request, pk: int):
    entry = access.get_allocation_for_user(request.user, pk)
    form = AllocationMoveForm(request.POST, term=entry.run.term)
    if not form.is_valid():
        messages.error(request, _("请选择要调整到的社团。"))
        return redirect("scheduling:allocation-run", pk=entry.run_id)
    try:
        filled = services.allocation_move(
            allocation=entry, club=form.cleaned_data["club"], by=request.user
        )
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        msg = _("%(name)s 已调整到 %(club)s。") % {
            "name": entry.student.name,
            "club": form.cleaned_data["club"].name,
        }
        if filled is not None:
            msg += _("空出的名额已由候补的 %(next)s 递补。") % {"next": filled.student.name}
        messages.success(request, msg)
    return redirect("scheduling:allocation-run", pk=entry.run_id)


# ---------------------------------------------------------------- rosters


@login_required
def rosters(request):
    """Clubs whose roster the user may print: all (admin) or their own."""
    if not request.user.is_staff_member:
        raise PermissionDenied
    term = term_for_request(request)
    clubs = list(access.clubs_for_user(request.user).filter(term=term))
    run = cs.published_run(term)
    counts = cs.roster_counts(run)
    for c in clubs:
        c.placed = counts.get(c.pk, 0)
    return render(
        request,
        "scheduling/clubs/rosters.html",
        {
            "term": term,
            "clubs": clubs,
            "run": run,
            "terms": terms_for_user(request.user),
        },
    )


@login_required
def roster(request, pk: int, pdf: bool = False):
    """One club's roster (名单) from the published allocation."""
    club = access.get_club_for_user(request.user, pk)
    run, rows = cs.club_roster(club)
    context = {"club": club, "run": run, "rows": rows, "school": club.term.school}
    if pdf:
        data = render_pdf("scheduling/clubs/pdf/roster.html", context)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(
            f"{club.name}名单（{club.term}）.pdf", f"club-roster-{club.pk}.pdf", inline=True
        )
        return response
    return render(request, "scheduling/clubs/roster.html", context)
