"""Calendar reads: the classes a term is for, the week to show, the month
view of the calendar page.

Each function returns data with its joins applied, in a fixed number of
queries whatever the size (tests pin the counts).
"""

from __future__ import annotations

import calendar as pycal
import datetime

from django.db.models import QuerySet

from afterschool.models import SchoolClass, Term
from afterschool.selectors import term_months
from scheduling.calendar import days as cal
from scheduling.models import CalendarDay, ServiceChange


def term_classes(term: Term) -> QuerySet[SchoolClass]:
    """The classes a term's sessions are for: the school's classes of the
    term's school year."""
    return SchoolClass.objects.filter(school_id=term.school_id, school_year_id=term.school_year_id)


def week_start(term: Term, value: str | None, today: datetime.date) -> datetime.date:
    """The Monday of the week to show: ``value`` (an ISO date) if valid, else
    today's week, clamped into the term."""
    day = None
    if value:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        day = today
    day = min(max(day, term.first_day), term.last_day)
    return day - datetime.timedelta(days=day.weekday())


def _month_asked(term: Term, value: str, today: datetime.date) -> tuple[int, int]:
    """``value`` (``2024-09``) as (year, month) if valid, else the month of
    ``today`` clamped into the term."""
    try:
        year, month = (int(x) for x in value.split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        day = min(max(today, term.first_day), term.last_day)
        year, month = day.year, day.month
    return year, month


def _term_counts(term: Term) -> tuple[tuple[int, int] | None, str | None]:
    """(school days, service days) of the whole term, or the error message
    when its calendar is not known yet."""
    try:
        term_days = cal.term_calendar(term)
    except cal.CalendarUnknownError as exc:
        return None, exc.messages[0]
    return (sum(d.is_school_day for d in term_days), sum(d.has_service for d in term_days)), None


def calendar_month(term: Term, month_value: str, today: datetime.date) -> dict:
    """What the calendar page shows for one month of ``term`` (``month_value``
    as ``2024-09``, else today's month clamped into the term): the month grid
    of (DayInfo, in the term and month), the term's months, the counts of the
    month and the term, unknown and entered years, the school's calendar rows
    and service changes of the term. Template context keys."""
    schedule = cal.term_schedule(term)
    year, month = _month_asked(term, month_value, today)
    weeks = pycal.Calendar().monthdatescalendar(year, month)
    infos = cal.days_between(
        term.school, weeks[0][0], weeks[-1][-1], schedule=schedule, strict=False
    )
    by_date = {d.date: d for d in infos}
    grid = [[(by_date[d], term.contains(d) and d.month == month) for d in week] for week in weeks]
    in_month = [d for d in infos if d.date.month == month and term.contains(d.date)]
    unknown = cal.unknown_years(term.school, term.first_day, term.last_day)
    term_counts, term_error = _term_counts(term)
    return {
        "schedule": schedule,
        "grid": grid,
        "month": datetime.date(year, month, 1),
        "months": term_months(term),
        "month_unknown": year in unknown,
        "month_school_days": sum(d.is_school_day for d in in_month),
        "month_service_days": sum(d.has_service for d in in_month),
        "term_counts": term_counts,
        "term_error": term_error,
        "unknown_years": unknown,
        "entered_years": term.school.calendar_years.filter(
            year__gte=term.first_day.year, year__lte=term.last_day.year
        ),
        "school_rows": CalendarDay.objects.filter(
            school=term.school, date__range=(term.first_day, term.last_day)
        ),
        "changes": ServiceChange.objects.filter(
            school=term.school, date__range=(term.first_day, term.last_day)
        ),
        "last_known_year": cal.last_known_year(),
    }
