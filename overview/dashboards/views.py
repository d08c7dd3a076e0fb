"""The school's dashboards: the admin's (the whole school) and the homeroom
teacher's (their own classes), as a page with charts and tables and as a
printable PDF of the same figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from afterschool.access import classes_for_user, term_for_user
from afterschool.exports import content_disposition
from afterschool.models import Role
from afterschool.pdf import render_pdf
from overview.dashboards.selectors import class_dashboard, school_dashboard
from scheduling.calendar.selectors import term_classes, term_policy_breaches
from scheduling.homework.selectors import over_cap_classes


def _dashboard_context(request) -> dict:
    """Term, charts and (admin) policy breaches for the viewer; 403 for
    anyone but a school admin or a homeroom teacher."""
    user = request.user
    if not (user.is_school_admin or (user.role == Role.HOMEROOM and user.school_id)):
        raise PermissionDenied
    term = term_for_user(user, request.GET.get("term"))
    if term is None:
        return {"term": None, "charts": [], "breaches": None}
    if user.is_school_admin:
        scope = term_classes(term)
        classes = list(scope.order_by("grade", "number"))
        charts = school_dashboard(term=term, classes=classes)
        breaches = term_policy_breaches(term)
    else:
        scope = classes_for_user(user).filter(school_year_id=term.school_year_id)
        classes = list(scope.order_by("grade", "number"))
        charts = class_dashboard(term=term, classes=classes)
        breaches = None
    # Today's classes whose written homework passes their grade's cap.
    over_cap = over_cap_classes(scope, timezone.localdate())
    return {
        "term": term,
        "charts": charts,
        "breaches": breaches,
        "classes": classes,
        "over_cap": over_cap,
    }


@login_required
@require_GET
def dashboard(request):
    """The viewer's dashboard page (``?term=`` for another term)."""
    return render(request, "overview/dashboards/dashboard.html", _dashboard_context(request))


@login_required
@require_GET
def dashboard_pdf(request):
    """The same figures as an A4 PDF: each chart as its table."""
    context = _dashboard_context(request)
    pdf = render_pdf("pdf/overview/dashboard.html", {**context, "school": request.user.school})
    response = HttpResponse(pdf, content_type="application/pdf")
    term = context.get("term")
    response["Content-Disposition"] = content_disposition(
        f"课后服务数据看板（{term}）.pdf" if term else "课后服务数据看板.pdf",
        "dashboard.pdf",
        inline=True,
    )
    return response
