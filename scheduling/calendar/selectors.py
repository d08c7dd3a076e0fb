"""Calendar reads: the classes a term is for, the week to show, the month
view of the calendar page.

Each function returns data with its joins applied, in a fixed number of
queries whatever the size (tests pin the counts).
"""

from __future__ import annotations

import calendar as pycal
import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from afterschool.models import SchoolClass, Term
from afterschool.selectors import term_months
from scheduling.calendar import days as cal
from scheduling.clubs.selectors import subject_like_clubs
from scheduling.models import CalendarDay, Club, ServiceChange, slot_label


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


# ---------------------------------------------------------------- guardrails

# National rules after 2021 (DESIGN.md): 5 days a week, at least 2 hours a
# day, ending no earlier than the local end of working hours; the seed's
# featured day (特色课后服务日) once a week.
SERVICE_DAYS_PER_WEEK = 5
MIN_SERVICE_MINUTES_PER_DAY = 120


@dataclass(frozen=True)
class PolicyBreach:
    """One rule the term's settings break. ``code`` is stable for tests and
    links ("days", "hours", "end", "end_unknown", "featured", "featured_clubs",
    "subject_club", "calendar"); ``message`` is the Chinese text naming the rule;
    ``severity`` "danger" (a breach) or "warning" (to check)."""

    code: str
    message: str
    severity: str = "danger"


def _minutes(start: datetime.time, end: datetime.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def schedule_breaches(schedule) -> list[PolicyBreach]:
    """The rules the term's times break (``schedule``: its ``TermSchedule``
    or the defaults, ``cal.term_schedule``): at least 2 hours (120 minutes)
    of periods a day, and the end no earlier than the local end of working
    hours (a warning while that is not entered). No query: the admin's
    to-do reads these on every home page."""
    out: list[PolicyBreach] = []
    minutes = _minutes(schedule.noon_start, schedule.noon_end) + _minutes(
        schedule.after_start, schedule.after_end
    )
    if minutes < MIN_SERVICE_MINUTES_PER_DAY:
        out.append(
            PolicyBreach(
                "hours",
                _("每天服务时长为%(minutes)d分钟，不足2小时（国家要求每天不少于2小时）。")
                % {"minutes": minutes},
            )
        )
    if schedule.work_day_end is None:
        out.append(
            PolicyBreach(
                "end_unknown",
                _(
                    "尚未填写当地正常下班时间，无法核对结束时间（结束时间不得早于当地正常下班时间）。"
                ),
                "warning",
            )
        )
    elif schedule.after_end < schedule.work_day_end:
        out.append(
            PolicyBreach(
                "end",
                _(
                    "课后服务%(end)s结束，早于当地正常下班时间%(work)s（结束时间不得早于当地正常下班时间）。"
                )
                % {
                    "end": schedule.after_end.strftime("%H:%M"),
                    "work": schedule.work_day_end.strftime("%H:%M"),
                },
            )
        )
    return out


def term_policy_breaches(term: Term) -> list[PolicyBreach]:
    """Every rule the term's settings break, before it bites (an empty list
    when all hold):

    - service on 5 days every full school week (a week whose five weekdays
      are school days but has fewer service days; suspensions count);
    - at least 2 hours (120 minutes) of periods a day (noon + after-school);
    - the service ends no earlier than the local end of working hours the
      admin entered on the term settings (``TermSchedule.work_day_end``; a
      warning while it is empty);
    - the featured day each week: weeks whose featured weekday is a school
      day but has no service (a holiday on it is no breach), and no club in
      the featured slot;
    - clubs named like subject lessons (``subject_like_clubs``, warning).

    Queries: schedule, calendar (≤ 3), clubs 2. A term whose calendar year is
    unknown gets a "calendar" warning instead of the day checks.
    """
    schedule = cal.term_schedule(term)
    out = schedule_breaches(schedule)
    try:
        days = cal.term_calendar(term)
    except cal.CalendarUnknownError as exc:
        out.append(PolicyBreach("calendar", " ".join(exc.messages), "warning"))
        days = []
    weeks: dict[datetime.date, list] = {}
    for d in days:
        weeks.setdefault(d.date - datetime.timedelta(days=d.date.weekday()), []).append(d)
    short, no_featured = [], []
    for monday, week in sorted(weeks.items()):
        weekdays = [d for d in week if d.date.weekday() < 5]
        served = [d for d in week if d.has_service]
        full_week = len(weekdays) == 5 and all(d.is_school_day for d in weekdays)
        if full_week and len(served) < SERVICE_DAYS_PER_WEEK:
            short.append(monday)
        # Only a week whose featured weekday is a school day of the term: a
        # holiday on that weekday (国庆 week) is no breach.
        featured_due = any(
            d.date.weekday() == schedule.featured_weekday and d.is_school_day for d in week
        )
        if (
            featured_due
            and served
            and not any(d.timetable_weekday == schedule.featured_weekday for d in served)
        ):
            no_featured.append(monday)
    if short:
        out.append(
            PolicyBreach(
                "days",
                _("有%(n)d个完整教学周服务不足5天（每周5天）：%(weeks)s 起的一周。")
                % {"n": len(short), "weeks": "、".join(f"{m:%m-%d}" for m in short[:6])},
            )
        )
    if no_featured:
        out.append(
            PolicyBreach(
                "featured",
                _("有%(n)d周没有特色课后服务日（每周一天）：%(weeks)s 起的一周。")
                % {
                    "n": len(no_featured),
                    "weeks": "、".join(f"{m:%m-%d}" for m in no_featured[:6]),
                },
                "warning",
            )
        )
    if (
        days
        and not Club.objects.filter(
            term=term, weekday=schedule.featured_weekday, period=schedule.featured_period
        ).exists()
    ):
        out.append(
            PolicyBreach(
                "featured_clubs",
                _("特色课后服务日（%(slot)s）还没有社团。")
                % {"slot": slot_label(schedule.featured_weekday, schedule.featured_period)},
                "warning",
            )
        )
    for club, word in subject_like_clubs(term):
        out.append(
            PolicyBreach(
                "subject_club",
                _(
                    "社团「%(club)s」名称像学科课程（含「%(word)s」）：课后服务严禁讲授新课、集体补课。"
                )
                % {"club": club.name, "word": word},
                "warning",
            )
        )
    return out
