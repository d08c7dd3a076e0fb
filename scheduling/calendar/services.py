"""Calendar rules that write: the term's settings, the school's calendar
entries and service changes (suspended or added days).

Every function is keyword-only, typed, and raises ``ValidationError`` with a
Chinese message (nothing written) when a rule refuses. Rule sources: the seed
(一.2 service days, two periods, basic and featured courses) and DESIGN.md.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.models import NoticeKind, School, Student, Term, User
from afterschool.notices.services import notify_guardians_of_students
from afterschool.selectors import current_term
from scheduling.calendar.days import days_between, is_year_known_to_package, term_schedule
from scheduling.calendar.selectors import term_classes
from scheduling.models import (
    CalendarDay,
    CalendarDayKind,
    CalendarYear,
    Club,
    ServiceChange,
    ServiceChangeKind,
    TermSchedule,
    Weekday,
    slot_label,
)

# ---------------------------------------------------------------- settings


def term_schedule_save(
    *,
    term: Term,
    service_on_makeup_days: bool,
    featured_weekday: int,
    featured_period: str,
    noon_start: datetime.time,
    noon_end: datetime.time,
    after_start: datetime.time,
    after_end: datetime.time,
    work_day_end: datetime.time | None = None,
) -> TermSchedule:
    """Create or update the term's settings. Times are wall-clock Asia/Shanghai;
    ``work_day_end`` is the local end of working hours the admin enters (the
    policy check ``term_policy_breaches`` compares the service's end with it).

    Raises ``ValidationError`` when a period ends before it starts, the noon
    period overlaps the after-school one, or the featured day is a weekend.
    Sessions are not regenerated here; call ``sessions_generate``.
    """
    if noon_end <= noon_start or after_end <= after_start:
        raise ValidationError(_("课时的结束时间必须晚于开始时间。"))
    if after_start < noon_end:
        raise ValidationError(_("下午课时必须在中午课时结束之后开始。"))
    if featured_weekday > Weekday.FRIDAY:
        raise ValidationError(_("特色课后服务日必须是周一至周五中的一天。"))
    # Clubs in classrooms are only free in the featured slot; moving the slot
    # would put them on top of the classes' basic sessions.
    clashes = [
        _("社团 %(club)s 在 %(slot)s 使用 %(cls)s 的教室 %(room)s，该时段将有基础课程")
        % {
            "club": club,
            "slot": slot_label(club.weekday, club.period),
            "cls": owner,
            "room": club.room,
        }
        for club in Club.objects.filter(term=term).select_related("room")
        if (club.weekday, club.period) != (featured_weekday, featured_period)
        for owner in term_classes(term).filter(room_id=club.room_id)
    ]
    if clashes:
        raise ValidationError(clashes)
    schedule, _created = TermSchedule.objects.update_or_create(
        term=term,
        defaults={
            "service_on_makeup_days": service_on_makeup_days,
            "featured_weekday": featured_weekday,
            "featured_period": featured_period,
            "noon_start": noon_start,
            "noon_end": noon_end,
            "after_start": after_start,
            "after_end": after_end,
            "work_day_end": work_day_end,
        },
    )
    return schedule


# ---------------------------------------------------------------- calendar


def calendar_day_set(
    *,
    school: School,
    date: datetime.date,
    kind: str,
    name: str = "",
    follows_weekday: int | None = None,
) -> CalendarDay:
    """Record ``date`` as a holiday or a (make-up) workday for ``school``,
    overriding ``chinesecalendar`` for that date (or filling a year it does not
    know). A workday on a Saturday or Sunday must say which weekday's
    timetable it follows (0 = Monday … 4 = Friday).

    Raises ``ValidationError`` for a weekend workday without ``follows_weekday``
    or a ``follows_weekday`` outside Monday–Friday.
    """
    if kind not in CalendarDayKind.values:
        raise ValidationError(_("请选择节假日或工作日。"))
    if kind == CalendarDayKind.HOLIDAY:
        follows_weekday = None
    elif date.weekday() >= 5 and follows_weekday is None:
        raise ValidationError(_("周末补班日必须选择按周几的课表上课。"))
    if follows_weekday is not None and not 0 <= follows_weekday <= 4:
        raise ValidationError(_("只能按周一至周五的课表上课。"))
    row, _created = CalendarDay.objects.update_or_create(
        school=school,
        date=date,
        defaults={"kind": kind, "name": name, "follows_weekday": follows_weekday},
    )
    return row


def calendar_day_delete(*, school: School, date: datetime.date) -> None:
    """Remove the school's entry for ``date`` (the official calendar applies
    again). Deleting a missing entry does nothing."""
    CalendarDay.objects.filter(school=school, date=date).delete()


def calendar_year_mark_entered(*, school: School, year: int, by: User) -> CalendarYear:
    """State that ``year``'s holidays and make-up days are entered for
    ``school``; from now on the year's dates are weekdays on, weekends off,
    except the school's ``CalendarDay`` rows.

    Raises ``ValidationError`` when the built-in calendar already knows the year
    (nothing to enter) or no holiday of that year has been entered yet (a year
    with no holidays is surely unfinished).
    """
    if is_year_known_to_package(year):
        raise ValidationError(_("%(year)s年的节假日已由内置日历提供，无需录入。") % {"year": year})
    if not CalendarDay.objects.filter(
        school=school, date__year=year, kind=CalendarDayKind.HOLIDAY
    ).exists():
        raise ValidationError(
            _("%(year)s年还没有录入任何法定节假日，请先录入节假日和调休补班日。") % {"year": year}
        )
    row, _created = CalendarYear.objects.get_or_create(
        school=school, year=year, defaults={"entered_by": by}
    )
    return row


def calendar_year_reopen(*, school: School, year: int) -> None:
    """Withdraw the statement that ``year`` is entered (to correct it)."""
    CalendarYear.objects.filter(school=school, year=year).delete()


def _day_info(school: School, date: datetime.date, term: Term | None):
    schedule = term_schedule(term) if term else None
    return days_between(school, date, date, schedule=schedule)[0]


def _long_date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _term_for_change(school: School, date: datetime.date, term: Term | None) -> Term:
    """The term ``date`` lies in: ``term`` (the calendar page's) when given,
    else the school's term running on ``date`` (``current_term``). Raises
    ``ValidationError`` naming the term's dates when ``date`` is outside it (a
    change there would show nowhere)."""
    if term is not None:
        if term.first_day <= date <= term.last_day:
            return term
        raise ValidationError(
            _("%(date)s 不在%(term)s（%(first)s至%(last)s）内，请选择学期内的日期。")
            % {
                "date": _long_date(date),
                "term": term,
                "first": _long_date(term.first_day),
                "last": _long_date(term.last_day),
            }
        )
    found = current_term(school=school, today=date)
    if found is None or not found.contains(date):
        raise ValidationError(
            _("%(date)s 不在任何学期内，请选择学期内的日期。") % {"date": _long_date(date)}
        )
    return found


@transaction.atomic
def service_suspend(
    *,
    school: School,
    date: datetime.date,
    notice: str,
    by: User,
    term: Term | None = None,
    today: datetime.date | None = None,
) -> ServiceChange:
    """Suspend service on ``date`` (seed 一.2: 特殊情况，另行通知). ``notice`` is
    shown to guardians and is required. ``term``: the term being edited (the
    calendar page's); ``date`` must lie in it (or, without it, in some term of
    the school), else nothing is written. ``today`` (default the local date)
    is the earliest date that may be suspended: a past day was served, its
    roll taken and possibly billed, and a 停课通知 for it would come too late.

    Raises ``ValidationError`` when the date is before ``today``, outside the
    term, has no service to suspend (a holiday, a weekend, already
    suspended) or the calendar of its year is unknown (``CalendarUnknownError``).
    """
    notice = notice.strip()
    if not notice:
        raise ValidationError(_("请填写给家长的暂停服务通知。"))
    today = today or timezone.localdate()
    if date < today:
        raise ValidationError(
            _("%(date)s 已经过去，不能再暂停服务（当天的服务已提供、已点名，可能已计费）。")
            % {"date": _long_date(date)}
        )
    term = _term_for_change(school, date, term)
    existing = ServiceChange.objects.filter(school=school, date=date).first()
    if existing and existing.kind == ServiceChangeKind.SUSPENDED:
        raise ValidationError(_("%(date)s 已经暂停服务。") % {"date": date.isoformat()})
    if existing:  # an added day: withdraw the addition instead of suspending
        existing.delete()
    info = _day_info(school, date, term)
    if not info.has_service:
        raise ValidationError(_("%(date)s 不是课后服务日，无需暂停。") % {"date": date.isoformat()})
    change = ServiceChange.objects.create(
        school=school,
        date=date,
        kind=ServiceChangeKind.SUSPENDED,
        notice=notice,
        created_by=by,
    )
    # 停课通知: every guardian of the term's enrolled families.
    notify_guardians_of_students(
        school=school,
        student_ids=Student.objects.filter(
            school=school, school_class__school_year_id=term.school_year_id
        ).values_list("pk", flat=True),
        kind=NoticeKind.SERVICE_SUSPENDED,
        title=_("停课通知：%(date)s暂停课后服务") % {"date": _long_date(date)},
        body=notice,
        link=reverse("scheduling:timetable-me"),
        dedupe_key=f"suspend:{change.pk}",
    )
    return change


def service_add(
    *,
    school: School,
    date: datetime.date,
    follows_weekday: int | None,
    notice: str = "",
    by: User,
    term: Term | None = None,
) -> ServiceChange:
    """Add service on ``date``, a day without it (e.g. a make-up Saturday when
    the term's setting says no service on make-up days). A Saturday or Sunday
    must say which weekday's timetable it follows. ``term``: as for
    ``service_suspend``; ``date`` must lie in it.

    Raises ``ValidationError`` when the date is outside the term, already has
    service or is suspended (lift the suspension instead).
    """
    term = _term_for_change(school, date, term)
    if ServiceChange.objects.filter(school=school, date=date).exists():
        raise ValidationError(_("%(date)s 已有调整记录，请先撤销。") % {"date": date.isoformat()})
    info = _day_info(school, date, term)
    if info.has_service:
        raise ValidationError(_("%(date)s 本来就是课后服务日。") % {"date": date.isoformat()})
    if date.weekday() >= 5 and follows_weekday is None and info.follows_weekday is None:
        raise ValidationError(_("周末增加的服务日必须选择按周几的课表上课。"))
    return ServiceChange.objects.create(
        school=school,
        date=date,
        kind=ServiceChangeKind.ADDED,
        notice=notice.strip(),
        follows_weekday=follows_weekday,
        created_by=by,
    )


def service_change_withdraw(*, change: ServiceChange, today: datetime.date | None = None) -> None:
    """Lift a suspension or withdraw an added day. ``today`` (default the
    local date): a change for a day before it stays, as ``service_suspend``
    refuses a past day: that day was (or was not) served, its rolls and
    statements follow it.

    Raises ``ValidationError`` when the change's date is before ``today``."""
    today = today or timezone.localdate()
    if change.date < today:
        raise ValidationError(
            _("%(date)s 已经过去，当天的调整不能再撤销（点名和计费已按它进行）。")
            % {"date": _long_date(change.date)}
        )
    change.delete()
