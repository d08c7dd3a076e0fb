"""Opt-out pages (放弃申请, seed 一.5 (6)): the family's declaration and the
homeroom teacher's record of a paper one (STYLE.md §2: thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import term_for_user
from enrollment import access
from enrollment.applications.views import child_and_term
from enrollment.optouts import selectors, services
from enrollment.optouts.texts import opt_out_statement
from enrollment.pages import error_text


@login_required
def opt_out(request: HttpRequest, student_pk: int) -> HttpResponse:
    """放弃申请 (seed 一.5 (6)): read the declaration, confirm it."""
    child, term = child_and_term(request, student_pk)
    active = selectors.active_opt_out(student=child, term=term)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if active is None:
                raise Http404
            try:
                services.opt_out_revoke(opt_out=active, by=request.user)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("已撤回放弃声明，可以重新申请。"))
            return redirect("enrollment:family")
        try:
            services.opt_out_declare(student=child, term=term, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("放弃申请声明已提交。"))
            return redirect("enrollment:family")
    statement = active.statement if active else opt_out_statement(student=child, term=term)
    return render(
        request,
        "enrollment/opt_out.html",
        {"child": child, "term": term, "opt_out": active, "statement": statement},
    )


@login_required
@require_POST
def paper_opt_out(request: HttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """Record a family's paper opt-out declaration."""
    term = term_for_user(request.user)
    child = access.get_class_student_for_user(request.user, pk, student_pk, term=term)
    if term is None:
        raise Http404
    try:
        services.opt_out_declare(student=child, term=term, by=request.user, on_paper=True)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已登记%(name)s的纸质放弃申请。") % {"name": child.name})
    return redirect("enrollment:class-review", pk=pk)
