"""THE source of a term's school days and service days.

Everyone who needs to know on which dates service runs calls this module:
sessions (``scheduling.rota.services.sessions_generate``), billing (days charged or
refunded), reports. Do not recompute weekdays elsewhere.

Public API
----------
- ``school_days(term) -> list[date]``: the official school days (workdays) in
  the term, in order: Monday–Friday minus statutory holidays, plus the weekend
  make-up workdays of 调休 (seed: 节假日除外; DESIGN.md "Service days").
- ``service_days(term) -> list[date]``: the days with after-school service:
  ``school_days`` minus weekend make-up days when the term's
  ``TermSchedule.service_on_makeup_days`` is off, minus days the school
  suspended (``ServiceChange`` kind suspended), plus days it added (kind
  added). This is the list billing charges by.
- ``term_calendar(term, strict=True) -> list[DayInfo]``: every date of the term
  with what it is (workday, make-up day, holiday, weekend, suspended, added),
  the timetable weekday it follows and the notice; the month view and the
  session generator use it.
- ``school_days_of_schools(spans) -> {school id: set[date]}``: the school days
  of several schools at once (reports across a county); dates in unknown
  years are left out instead of raising.

Guardians' suspension notices: ``scheduling.access.suspension_notices_for_user``.

Where the days come from
------------------------
``chinesecalendar`` (import ``chinese_calendar``) knows the official holidays
and make-up workdays up to its last published year (2026 in version 1.11).
The school's ``CalendarDay`` rows override it date by date. For a year the
package does not know, the school's admin enters the holidays and make-up days
as ``CalendarDay`` rows and then marks the year entered (``CalendarYear``);
until then every function here raises ``CalendarUnknownError`` (a
``ValidationError`` with a Chinese message naming the years) instead of
silently treating the year as plain Monday–Friday.

All functions take a few queries whatever the term's length: the school's
calendar rows, service changes and entered years, and the term's settings.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from afterschool.models import School, Term
from scheduling.models import (
    CalendarDay,
    CalendarDayKind,
    CalendarYear,
    ServiceChange,
    ServiceChangeKind,
    TermSchedule,
    Weekday,
)

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class DayKind:
    """What a date is in the official calendar (after the school's overrides)."""

    WORKDAY = "workday"  # Monday–Friday, not a holiday
    MAKEUP = "makeup"  # Saturday or Sunday that is a workday (调休补班)
    HOLIDAY = "holiday"  # statutory holiday (incl. weekdays given in lieu)
    WEEKEND = "weekend"  # plain Saturday or Sunday
    UNKNOWN = "unknown"  # in a year neither the package nor the school knows


class CalendarUnknownError(ValidationError):
    """A term touches a year whose official calendar is not known yet."""

    def __init__(self, years: list[int]):
        self.years = years
        listed = "、".join(f"{y}年" for y in years)
        super().__init__(
            _(
                "系统尚不知道%(years)s的法定节假日和调休安排（内置日历只到%(last)s年）。"
                "请学校管理员在“校历”页面录入该年的节假日和调休补班日，并确认录入完成。"
            )
            % {"years": listed, "last": last_known_year()},
            code="calendar_unknown",
        )


@dataclass(frozen=True)
class DayInfo:
    """One date of a term as the calendar sees it.

    ``timetable_weekday`` (0 = Monday) is set on days with service: the weekday
    whose timetable the day follows (a make-up Saturday may follow Monday).
    """

    date: datetime.date
    kind: str
    holiday_name: str = ""
    follows_weekday: int | None = None
    is_school_day: bool = False
    has_service: bool = False
    suspended: bool = False
    added: bool = False
    notice: str = ""
    from_school: bool = False  # the school's CalendarDay row decided this date

    @property
    def timetable_weekday(self) -> int | None:
        if not self.has_service:
            return None
        if self.follows_weekday is not None:
            return self.follows_weekday
        return self.date.weekday()

    @property
    def weekday_label(self) -> str:
        return str(Weekday(self.date.weekday()).label)

    @property
    def follows_label(self) -> str:
        """「按周一课表」 for a service day following another weekday, else ""."""
        w = self.timetable_weekday
        if w is None or w == self.date.weekday():
            return ""
        return _("按%(weekday)s课表") % {"weekday": Weekday(w).label}


@cache
def _known_year_range() -> tuple[int, int]:
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return min(years), max(years)


def last_known_year() -> int:
    """The last year ``chinesecalendar`` has official data for."""
    return _known_year_range()[1]


def is_year_known_to_package(year: int) -> bool:
    first, last = _known_year_range()
    return first <= year <= last


def default_follows_weekday(day: datetime.date) -> int:
    """The timetable weekday a weekend make-up workday follows by default.

    Pairs the make-up days of a holiday with the weekdays given in lieu of them
    (in date order): in autumn 2024, Sat 14 Sep makes up Mon 16 Sep → Monday;
    Sun 29 Sep and Sat 12 Oct make up Fri 4 Oct and Mon 7 Oct → Friday and
    Monday. Where the package cannot pair them (or does not know the year),
    Monday; the admin can change it on the calendar page.
    """
    if not is_year_known_to_package(day.year):
        return Weekday.MONDAY
    _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if not name:
        return Weekday.MONDAY
    window = datetime.timedelta(days=45)
    makeups = sorted(
        d
        for d, n in chinese_calendar.workdays.items()
        if n == name and d.weekday() >= 5 and abs(d - day) <= window
    )
    in_lieu = sorted(
        d
        for d in chinese_calendar.in_lieu_days
        if abs(d - day) <= window and chinese_calendar.holidays.get(d) == name
    )
    if day in makeups and len(makeups) == len(in_lieu):
        return in_lieu[makeups.index(day)].weekday()
    return Weekday.MONDAY


def term_schedule(term: Term) -> TermSchedule:
    """The term's settings, or an unsaved one with the defaults. One query
    unless already loaded."""
    try:
        return term.schedule
    except TermSchedule.DoesNotExist:
        return TermSchedule(term=term)


def unknown_years(school: School, first: datetime.date, last: datetime.date) -> list[int]:
    """Years between ``first`` and ``last`` neither the package nor the school
    (``CalendarYear``) knows. One query when any year is outside the package."""
    outside = [y for y in range(first.year, last.year + 1) if not is_year_known_to_package(y)]
    if not outside:
        return []
    entered = set(
        CalendarYear.objects.filter(school=school, year__in=outside).values_list("year", flat=True)
    )
    return [y for y in outside if y not in entered]


def _official(
    day: datetime.date, override: CalendarDay | None, known: bool
) -> tuple[str, str, int | None, bool]:
    """(kind, holiday name, follows weekday, decided by school) for ``day``."""
    weekend = day.weekday() >= 5
    if override is not None:
        if override.kind == CalendarDayKind.HOLIDAY:
            return DayKind.HOLIDAY, override.name, None, True
        if weekend:
            follows = override.follows_weekday
            if follows is None:
                follows = default_follows_weekday(day)
            return DayKind.MAKEUP, override.name, follows, True
        return DayKind.WORKDAY, override.name, override.follows_weekday, True
    if not known:
        # A year the admin has entered: weekdays work and weekends rest
        # unless one of the school's rows says otherwise.
        return (DayKind.WEEKEND if weekend else DayKind.WORKDAY), "", None, False
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    zh_name = HOLIDAY_NAMES_ZH.get(name or "", name or "")
    if on_holiday:
        if name:
            return DayKind.HOLIDAY, zh_name, None, False
        return DayKind.WEEKEND, "", None, False
    if weekend:
        return DayKind.MAKEUP, zh_name, default_follows_weekday(day), False
    return DayKind.WORKDAY, "", None, False


def days_between(
    school: School,
    first: datetime.date,
    last: datetime.date,
    *,
    schedule: TermSchedule | None = None,
    strict: bool = True,
) -> list[DayInfo]:
    """Every date from ``first`` to ``last`` (inclusive) as ``DayInfo``.

    ``schedule`` supplies the make-up-day setting (default: service on make-up
    days). With ``strict`` (the default) raises ``CalendarUnknownError`` when a
    year in the range is unknown; without it, dates in such years come back
    with kind ``unknown`` (the calendar page shows them so). Three queries at
    most: calendar rows, service changes, entered years.
    """
    missing = unknown_years(school, first, last)
    if missing and strict:
        raise CalendarUnknownError(missing)
    overrides = {
        row.date: row
        for row in CalendarDay.objects.filter(school=school, date__range=(first, last))
    }
    changes = {
        row.date: row
        for row in ServiceChange.objects.filter(school=school, date__range=(first, last))
    }
    service_on_makeup = schedule.service_on_makeup_days if schedule else True
    out: list[DayInfo] = []
    day = first
    one = datetime.timedelta(days=1)
    while day <= last:
        override = overrides.get(day)
        if day.year in missing and override is None:
            kind, name, follows, from_school = DayKind.UNKNOWN, "", None, False
        else:
            kind, name, follows, from_school = _official(
                day, override, is_year_known_to_package(day.year)
            )
        out.append(
            _day_info(day, kind, name, follows, from_school, changes.get(day), service_on_makeup)
        )
        day += one
    return out


def _day_info(
    day: datetime.date,
    kind: str,
    name: str,
    follows: int | None,
    from_school: bool,
    change: ServiceChange | None,
    service_on_makeup: bool,
) -> DayInfo:
    """``day`` with its service: a school day has service (a make-up day only
    if the term says so) unless the school suspended it; an added day has."""
    is_school_day = kind in (DayKind.WORKDAY, DayKind.MAKEUP)
    has_service = is_school_day and (kind != DayKind.MAKEUP or service_on_makeup)
    suspended = added = False
    notice = ""
    if change is not None:
        notice = change.notice
        if change.kind == ServiceChangeKind.SUSPENDED and has_service:
            suspended, has_service = True, False
        elif change.kind == ServiceChangeKind.ADDED and not has_service:
            added, has_service = True, True
            if change.follows_weekday is not None:
                follows = change.follows_weekday
            if follows is None and day.weekday() >= 5:
                follows = Weekday.MONDAY
    return DayInfo(
        date=day,
        kind=kind,
        holiday_name=name,
        follows_weekday=follows,
        is_school_day=is_school_day,
        has_service=has_service,
        suspended=suspended,
        added=added,
        notice=notice,
        from_school=from_school,
    )


def term_calendar(term: Term, *, strict: bool = True) -> list[DayInfo]:
    """Every date of ``term`` (first_day..last_day) as ``DayInfo``; see
    ``days_between``. Raises ``CalendarUnknownError`` when ``strict`` and a
    year of the term is unknown."""
    return days_between(
        term.school, term.first_day, term.last_day, schedule=term_schedule(term), strict=strict
    )


def school_days(term: Term) -> list[datetime.date]:
    """The term's official school days, in order (weekdays that are not
    holidays, plus weekend make-up workdays), whatever the service settings.

    Raises ``CalendarUnknownError`` (Chinese message listing the years) when
    the term touches a year that neither ``chinesecalendar`` nor the school's
    admin has entered.
    """
    return [d.date for d in term_calendar(term) if d.is_school_day]


def service_days(term: Term) -> list[datetime.date]:
    """The term's days with after-school service, in order: ``school_days``
    minus weekend make-up days when the term's setting says no service on them,
    minus suspended days, plus added days. Billing charges by this list.

    Raises ``CalendarUnknownError`` like ``school_days``.
    """
    return [d.date for d in term_calendar(term) if d.has_service]


def school_days_of_schools(
    spans: Mapping[int, tuple[datetime.date, datetime.date]],
) -> dict[int, set[datetime.date]]:
    """The official school days of several schools at once, each between its
    own first and last date (inclusive): ``{school id: {date, ...}}`` for
    ``spans`` ``{school id: (first, last)}``. A school day is what
    ``school_days`` counts (a workday or a make-up workday, after the school's
    ``CalendarDay`` rows), whatever the service settings.

    Unlike ``school_days`` this never raises: a date in a year neither
    ``chinesecalendar`` nor the school knows is left out (never guessed as
    Monday–Friday). Two queries at most whatever the number of schools: the
    schools' calendar rows, and their entered years when a year is outside
    the package."""
    if not spans:
        return {}
    cond = Q()
    for sid, (first, last) in spans.items():
        cond |= Q(school_id=sid, date__range=(first, last))
    overrides = {(row.school_id, row.date): row for row in CalendarDay.objects.filter(cond)}
    outside = {
        y
        for first, last in spans.values()
        for y in range(first.year, last.year + 1)
        if not is_year_known_to_package(y)
    }
    entered = (
        set(
            CalendarYear.objects.filter(school_id__in=list(spans), year__in=outside).values_list(
                "school_id", "year"
            )
        )
        if outside
        else set()
    )
    out: dict[int, set[datetime.date]] = {}
    one = datetime.timedelta(days=1)
    for sid, (first, last) in spans.items():
        days: set[datetime.date] = set()
        day = first
        while day <= last:
            override = overrides.get((sid, day))
            known = day.year not in outside
            if known or override is not None or (sid, day.year) in entered:
                kind = _official(day, override, known)[0]
                if kind in (DayKind.WORKDAY, DayKind.MAKEUP):
                    days.add(day)
            day += one
        out[sid] = days
    return out
