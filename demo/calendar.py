"""Demo step: the school calendar for years the built-in holiday calendar
does not know, entered as the school's admin would on the 校历 page.

``chinesecalendar`` knows the official holidays up to its last published year
(``scheduling.calendar.days.last_known_year``); a term running into a later
year (autumn 2026 ends in January 2027) cannot get sessions or statements
until the admin enters that year's holidays (``CalendarDay`` rows) and marks
the year entered (``CalendarYear``). This step does exactly that for every
year the demo's two terms touch, so the unknown-year path is on show: the
calendar page lists the entered days as the school's own.

What is entered for an unknown year: the fixed-date holidays the State
Council's notice always has (元旦 1 January, 劳动节 1–5 May, 国庆节 1–7
October) and the lunar ones from ``LUNAR_HOLIDAYS`` (清明、端午、中秋), on
weekdays only (weekends are off anyway); no make-up workdays (调休), which the
notice alone decides. Idempotent: rows are synced by date, the year marked
once.
"""

from __future__ import annotations

import datetime

from afterschool.models import School, User
from demo.base import DemoSchool, sync
from scheduling.calendar.days import is_year_known_to_package
from scheduling.calendar.services import calendar_year_mark_entered
from scheduling.models import CalendarDay, CalendarDayKind, CalendarYear

# The lunar holidays' dates (Gregorian) for the years after the package's last.
LUNAR_HOLIDAYS: dict[int, tuple[tuple[str, datetime.date], ...]] = {
    2027: (
        ("清明节", datetime.date(2027, 4, 5)),
        ("端午节", datetime.date(2027, 6, 9)),
        ("中秋节", datetime.date(2027, 9, 15)),
    ),
    2028: (
        ("清明节", datetime.date(2028, 4, 4)),
        ("端午节", datetime.date(2028, 5, 28)),
        ("中秋节", datetime.date(2028, 10, 3)),
    ),
    2029: (
        ("清明节", datetime.date(2029, 4, 4)),
        ("端午节", datetime.date(2029, 6, 16)),
        ("中秋节", datetime.date(2029, 9, 22)),
    ),
    2030: (
        ("清明节", datetime.date(2030, 4, 5)),
        ("端午节", datetime.date(2030, 6, 5)),
        ("中秋节", datetime.date(2030, 9, 12)),
    ),
}


def admin_holidays(year: int) -> list[tuple[datetime.date, str]]:
    """(date, name) of the weekday holidays the admin enters for ``year``
    (module docstring), in date order."""
    days: dict[datetime.date, str] = {datetime.date(year, 1, 1): "元旦"}
    days.update({datetime.date(year, 5, d): "劳动节" for d in range(1, 6)})
    for name, day in LUNAR_HOLIDAYS.get(year, ()):
        days[day] = name
    days.update({datetime.date(year, 10, d): "国庆节" for d in range(1, 8)})
    return sorted((d, n) for d, n in days.items() if d.weekday() < 5)


def unknown_years(demo: DemoSchool) -> list[int]:
    """The years the demo's terms touch that ``chinesecalendar`` does not know."""
    years: set[int] = set()
    for term in (demo.previous_term, demo.term):
        if term is not None:
            years |= set(range(term.first_day.year, term.last_day.year + 1))
    return sorted(y for y in years if not is_year_known_to_package(y))


def enter_unknown_years(demo: DemoSchool, school: School, admin: User) -> None:
    """Enter the demo terms' unknown years' holidays for ``school`` and mark
    each year entered by ``admin``, as on the 校历 page (also the county's
    second school, which keeps the same 校历)."""
    for year in unknown_years(demo):
        sync(
            CalendarDay,
            CalendarDay.objects.filter(school=school, date__year=year),
            [
                CalendarDay(school=school, date=day, kind=CalendarDayKind.HOLIDAY, name=name)
                for day, name in admin_holidays(year)
            ],
            key=("date",),
            fields=("kind", "name", "follows_weekday"),
        )
        if not CalendarYear.objects.filter(school=school, year=year).exists():
            calendar_year_mark_entered(school=school, year=year, by=admin)


def build(demo: DemoSchool) -> None:
    """Enter the unknown years' holidays and mark each year entered (by the
    demo's ``admin``), as on the 校历 page."""
    enter_unknown_years(demo, demo.school, demo.staff["admin"])
