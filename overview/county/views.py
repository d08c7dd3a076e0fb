"""The county supervisor's pages (read-only, never a named child), the
inspection .xlsx and the regional platform's JSON API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from afterschool.access import (
    get_school_for_supervisor,
    schools_for_supervisor,
    supervisor_required,
)
from afterschool.exports import content_disposition
from overview.county import export
from overview.county.selectors import (
    county_figures,
    current_terms,
    priority_rows,
    school_grade_rows,
    school_homework_weeks,
)
from overview.county.services import county_for_token
from scheduling.calendar.selectors import term_policy_breaches

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@supervisor_required
def county_page(request):
    """Every school of the supervisor's county with its figures, and the total."""
    figures = county_figures(schools_for_supervisor(request.user))
    return render(
        request,
        "overview/county/county.html",
        {"county": request.user.county, "figures": figures, "headers": export.inspection_headers()},
    )


@login_required
@supervisor_required
def school_page(request, pk: int):
    """One school of the county: its figures, by grade, the weekly homework
    check by grade, priority coverage and the term's policy check. 404 for a
    school of another county."""
    school = get_school_for_supervisor(request.user, pk)
    today = timezone.localdate()
    figures = county_figures([school], today=today)
    term = current_terms([school], today).get(school.pk)
    context = {"school": school, "row": figures.rows[0], "term": term}
    if term is not None:
        context |= {
            "grades": school_grade_rows(term),
            "homework_weeks": school_homework_weeks(term, today=today),
            "priority": priority_rows(term),
            "breaches": term_policy_breaches(term),
        }
    return render(request, "overview/county/school.html", context)


@login_required
@supervisor_required
def inspection_xlsx(request):
    """The inspection report of the county as .xlsx (one row per school)."""
    county = request.user.county
    figures = county_figures(schools_for_supervisor(request.user))
    title = f"{county.name} 课后服务专项督查统计表（{timezone.localdate():%Y-%m-%d}）"
    response = HttpResponse(export.inspection_xlsx(figures, title=title), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(
        f"{title.replace(' ', '')}.xlsx", "inspection.xlsx"
    )
    return response


@require_GET
def api_figures(request):
    """GET /api/v1/county/figures/ with ``Authorization: Bearer <token>``:
    the county's figures as JSON (see README). 401 without a valid token."""
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    county = county_for_token(token)
    if county is None:
        response = JsonResponse(
            {"error": "invalid_token", "detail": "需要有效的接口令牌。"}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="county"'
        return response
    figures = county_figures(county.schools.order_by("name"))
    return JsonResponse(
        {
            "version": 1,
            "county": county.name,
            "date": timezone.localdate().isoformat(),
            "columns": export.inspection_headers(),
            "schools": [r.as_dict() for r in figures.rows],
            "total": figures.total.as_dict(),
        },
        json_dumps_params={"ensure_ascii": False},
    )
