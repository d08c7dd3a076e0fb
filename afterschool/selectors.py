"""Reads of the school's people that several pages share (STYLE.md §1)."""

from __future__ import annotations

from django.utils import timezone

from afterschool.models import SchoolYear


def current_school_year(*, school_id: int | None) -> SchoolYear | None:
    """The school year the people pages and figures default to: the one
    containing today (a school year runs from September of ``start_year`` to
    the next August, see ``SchoolYear``), else the latest; ``None`` when the
    school has none. One query."""
    if school_id is None:
        return None
    today = timezone.localdate()
    start = today.year if today.month >= 9 else today.year - 1
    years = list(SchoolYear.objects.filter(school_id=school_id).order_by("-start_year"))
    for year in years:
        if year.start_year == start:
            return year
    return years[0] if years else None
