"""Scheduling rules that write: term settings, calendar entries, service
changes, sessions, the supervision rota, staff unavailability and clubs.

Every function is keyword-only, typed, and raises ``ValidationError`` with a
Chinese message (nothing written) when a rule refuses. Rule sources: the seed
(一.2 service days, two periods, basic and featured courses; 三 staff) and
DESIGN.md.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from afterschool.models import Role, Room, RoomKind, School, SchoolClass, Term, User
from enrollment.models import Application
from enrollment.models import Status as ApplicationStatus
from scheduling.calendar import (
    days_between,
    is_year_known_to_package,
    term_calendar,
    term_schedule,
)
from scheduling.models import (
    PERIOD_ORDER,
    CalendarDay,
    CalendarDayKind,
    CalendarYear,
    Club,
    ClubCategory,
    Period,
    ServiceChange,
    ServiceChangeKind,
    Session,
    StaffUnavailability,
    TermSchedule,
    Weekday,
)

# Who may supervise a basic session (seed 三: teachers first, plus
# parent-committee and community volunteers).
ROTA_ROLES = (Role.HOMEROOM, Role.TEACHER, Role.VOLUNTEER)
# Who may lead a club: any staff member of the school.
CLUB_TEACHER_ROLES = (Role.ADMIN, Role.HOMEROOM, Role.TEACHER, Role.VOLUNTEER)

# Rooms that suit each club category (DESIGN.md "Featured course": a room
# suited to it — 操场、图书室、阅览室、功能室). ``None``: any room.
SUITABLE_ROOMS: dict[str, tuple[str, ...] | None] = {
    ClubCategory.SPORTS: (RoomKind.PLAYGROUND, RoomKind.GYM),
    ClubCategory.MUSIC: (RoomKind.MUSIC, RoomKind.GYM),
    ClubCategory.DANCE: (RoomKind.MUSIC, RoomKind.GYM),
    ClubCategory.ART: (RoomKind.ART, RoomKind.CLASSROOM, RoomKind.FUNCTION_ROOM),
    ClubCategory.CALLIGRAPHY: (RoomKind.ART, RoomKind.CLASSROOM, RoomKind.FUNCTION_ROOM),
    ClubCategory.READING: (RoomKind.LIBRARY, RoomKind.READING_ROOM),
    ClubCategory.SCIENCE: (RoomKind.FUNCTION_ROOM, RoomKind.CLASSROOM),
    ClubCategory.OTHER: None,
}


def slot_label(weekday: int, period: str) -> str:
    """「周四 下午」."""
    return f"{Weekday(weekday).label} {Period(period).label}"


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
) -> TermSchedule:
    """Create or update the term's settings. Times are wall-clock Asia/Shanghai.

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


def _term_of(school: School, date: datetime.date) -> Term | None:
    return Term.objects.filter(school=school, first_day__lte=date, last_day__gte=date).first()


def _long_date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _term_for_change(school: School, date: datetime.date, term: Term | None) -> Term:
    """The term ``date`` lies in: ``term`` (the calendar page's) when given,
    else any term of ``school``. Raises ``ValidationError`` naming the term's
    dates when ``date`` is outside it (a change there would show nowhere)."""
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
    found = _term_of(school, date)
    if found is None:
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
) -> ServiceChange:
    """Suspend service on ``date`` (seed 一.2: 特殊情况，另行通知). ``notice`` is
    shown to guardians and is required. ``term``: the term being edited (the
    calendar page's); ``date`` must lie in it (or, without it, in some term of
    the school), else nothing is written.

    Raises ``ValidationError`` when the date is outside the term, has no
    service to suspend (a holiday, a weekend, already suspended) or the
    calendar of its year is unknown (``CalendarUnknownError``).
    """
    notice = notice.strip()
    if not notice:
        raise ValidationError(_("请填写给家长的暂停服务通知。"))
    term = _term_for_change(school, date, term)
    existing = ServiceChange.objects.filter(school=school, date=date).first()
    if existing and existing.kind == ServiceChangeKind.SUSPENDED:
        raise ValidationError(_("%(date)s 已经暂停服务。") % {"date": date.isoformat()})
    if existing:  # an added day: withdraw the addition instead of suspending
        existing.delete()
    info = _day_info(school, date, term)
    if not info.has_service:
        raise ValidationError(_("%(date)s 不是课后服务日，无需暂停。") % {"date": date.isoformat()})
    return ServiceChange.objects.create(
        school=school,
        date=date,
        kind=ServiceChangeKind.SUSPENDED,
        notice=notice,
        created_by=by,
    )


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


def service_change_withdraw(*, change: ServiceChange) -> None:
    """Lift a suspension or withdraw an added day."""
    change.delete()


# ---------------------------------------------------------------- sessions


@dataclass
class SessionsResult:
    created: int = 0
    deleted: int = 0
    updated: int = 0


def term_classes(term: Term) -> QuerySet[SchoolClass]:
    """The classes a term's sessions are for: the school's classes of the
    term's school year."""
    return SchoolClass.objects.filter(school_id=term.school_id, school_year_id=term.school_year_id)


@transaction.atomic
def _enrolled_periods(term: Term) -> set[tuple[int, str]]:
    """(class id, period) pairs with at least one approved application for
    ``term`` asking for that period. One query."""
    out: set[tuple[int, str]] = set()
    rows = (
        Application.objects.filter(term=term, status=ApplicationStatus.APPROVED)
        .values_list("student__school_class_id", "wants_noon", "wants_after_school")
        .distinct()
    )
    for class_id, noon, after in rows:
        if noon:
            out.add((class_id, Period.NOON))
        if after:
            out.add((class_id, Period.AFTER_SCHOOL))
    return out


def sessions_generate(*, term: Term) -> SessionsResult:
    """Make the term's basic sessions match its service days: one session per
    class per period (seed 一.2: 每天共两课时) on each service day, in the
    class's room, except the featured slot (featured weekday × featured period,
    when the clubs meet instead). Sessions on days that lost service are
    deleted; existing sessions keep their supervisors. Idempotent.

    Raises ``CalendarUnknownError`` for an unknown year and ``ValidationError``
    when two classes share a room.

    Only classes with at least one approved application for ``term`` that
    asks for a period get sessions in it (enrollment ``wants_noon`` /
    ``wants_after_school``): nobody supervises an empty room. A class's
    existing session in a period nobody is enrolled for is deleted unless its
    roll has been taken (the record stays).
    """
    schedule = term_schedule(term)
    days = [d for d in term_calendar(term) if d.has_service]
    classes = list(term_classes(term))
    enrolled = _enrolled_periods(term)
    by_room: dict[int, SchoolClass] = {}
    for c in classes:
        if c.room_id is not None:
            if c.room_id in by_room:
                raise ValidationError(
                    _("%(a)s 和 %(b)s 使用同一间教室，请先在班级设置中分开。")
                    % {"a": by_room[c.room_id], "b": c}
                )
            by_room[c.room_id] = c
    wanted: dict[tuple, tuple[int, int | None]] = {}
    for d in days:
        weekday = d.timetable_weekday
        for period in Period.values:
            if weekday == schedule.featured_weekday and period == schedule.featured_period:
                continue
            for c in classes:
                if (c.id, period) in enrolled:
                    wanted[(d.date, period, c.id)] = (weekday, c.room_id)
    result = SessionsResult()
    stale: list[int] = []
    to_update: list[Session] = []
    existing_keys = set()
    service_dates = {d.date for d in days}
    for s in Session.objects.filter(term=term).annotate(rolls=Count("attendances")):
        key = (s.date, s.period, s.school_class_id)
        if key not in wanted:
            unenrolled = s.date in service_dates and (s.school_class_id, s.period) not in enrolled
            if not (unenrolled and s.rolls):
                stale.append(s.pk)
            continue
        existing_keys.add(key)
        weekday, room_id = wanted[key]
        if s.weekday != weekday or s.room_id != room_id:
            s.weekday, s.room_id = weekday, room_id
            to_update.append(s)
    if stale:
        result.deleted, _d = Session.objects.filter(pk__in=stale).delete()
    if to_update:
        # Free the rooms first so a swap between classes never collides.
        Session.objects.filter(pk__in=[s.pk for s in to_update]).update(room=None)
        Session.objects.bulk_update(to_update, ["weekday", "room"], batch_size=500)
        result.updated = len(to_update)
    new = [
        Session(
            term=term,
            date=key[0],
            period=key[1],
            school_class_id=key[2],
            weekday=value[0],
            room_id=value[1],
        )
        for key, value in wanted.items()
        if key not in existing_keys
    ]
    Session.objects.bulk_create(new, batch_size=500)
    result.created = len(new)
    return result


# ---------------------------------------------------------------- rota


def rota_staff(school: School) -> QuerySet[User]:
    """Active homeroom teachers, teachers and volunteers of ``school``, by id."""
    return User.objects.filter(school=school, role__in=ROTA_ROLES, is_active=True).order_by("id")


@dataclass
class RotaReport:
    """What ``rota_generate`` did. ``load`` maps person id → periods (课时)
    supervised in the term, manual ones included."""

    assigned: int = 0
    kept_manual: int = 0
    unassigned: list[Session] = field(default_factory=list)
    load: dict[int, int] = field(default_factory=dict)


def _unavailable_index(people: list[User]) -> dict[int, list[StaffUnavailability]]:
    index: dict[int, list[StaffUnavailability]] = defaultdict(list)
    for row in StaffUnavailability.objects.filter(person__in=people):
        index[row.person_id].append(row)
    return index


def _club_slots(term: Term) -> dict[tuple[int, str], set[int]]:
    slots: dict[tuple[int, str], set[int]] = defaultdict(set)
    for weekday, period, teacher_id in Club.objects.filter(term=term).values_list(
        "weekday", "period", "teacher_id"
    ):
        slots[(weekday, period)].add(teacher_id)
    return slots


@transaction.atomic
def rota_generate(*, term: Term) -> RotaReport:
    """Give every basic session of ``term`` a supervisor (看班安排).

    Rules: never one person in two places in the same period (also a database
    constraint on Session); nobody on a day or weekday they are unavailable
    (``StaffUnavailability``) or in a slot where they lead a club; periods
    balanced across staff — within each (date, period) the least-loaded free
    people take the slot, ties going to the homeroom teachers of the slot's
    classes and then to the lowest user id; a chosen homeroom teacher then
    supervises their own class (*product*: the homeroom teacher where the
    balance allows). The result is deterministic, and with everyone available
    the loads differ by at most one period. Sessions marked
    ``is_manual`` keep their supervisor and count toward the load. Sessions
    left without anyone free are reported in ``unassigned``.

    Staff: active users of the term's school with role homeroom, teacher or
    volunteer (seed 三). Run ``sessions_generate`` first.
    """
    staff = list(rota_staff(term.school))
    unavailable = _unavailable_index(staff)
    clubs = _club_slots(term)
    report = RotaReport()
    Session.objects.filter(term=term, is_manual=False).update(supervisor=None)
    sessions = list(
        Session.objects.filter(term=term)
        .select_related("school_class")
        .order_by("date", "period", "school_class__grade", "school_class__number", "id")
    )
    load: Counter[int] = Counter()
    for s in sessions:
        if s.is_manual and s.supervisor_id:
            load[s.supervisor_id] += 1
            report.kept_manual += 1
    groups: dict[tuple, list[Session]] = defaultdict(list)
    for s in sessions:
        groups[(s.date, s.period)].append(s)
    changed: list[Session] = []
    for (day, period), group in sorted(
        groups.items(), key=lambda kv: (kv[0][0], PERIOD_ORDER[kv[0][1]])
    ):
        weekday = group[0].weekday
        busy = {s.supervisor_id for s in group if s.is_manual and s.supervisor_id}
        busy |= clubs.get((weekday, period), set())
        free = [
            p
            for p in staff
            if p.id not in busy
            and not any(u.covers(day, weekday, period) for u in unavailable.get(p.id, ()))
        ]
        open_sessions = [s for s in group if not (s.is_manual and s.supervisor_id)]
        homerooms = {s.school_class.homeroom_teacher_id for s in open_sessions}
        # The least-loaded free people take this slot (balance first); among
        # equal loads, homeroom teachers of these classes go first.
        chosen = sorted(free, key=lambda p: (load[p.id], p.id not in homerooms, p.id))
        chosen = chosen[: len(open_sessions)]
        report.unassigned += open_sessions[len(chosen) :]
        open_sessions = open_sessions[: len(chosen)]
        # Then each chosen homeroom teacher takes their own class, the others
        # the remaining classes in order.
        by_id = {p.id: p for p in chosen}
        rest: list[Session] = []
        for s in open_sessions:
            person = by_id.pop(s.school_class.homeroom_teacher_id, None)
            if person is None:
                rest.append(s)
            else:
                s.supervisor_id = person.id
        for s, person in zip(rest, by_id.values(), strict=True):
            s.supervisor_id = person.id
        for s in open_sessions:
            load[s.supervisor_id] += 1
            changed.append(s)
    Session.objects.bulk_update(changed, ["supervisor"], batch_size=500)
    report.assigned = len(changed)
    report.load = {p.id: load[p.id] for p in staff}
    return report


def _check_supervisor(*, session: Session, person: User) -> None:
    term = session.term
    if person.school_id != term.school_id or person.role not in ROTA_ROLES:
        raise ValidationError(_("只能安排本校的班主任、教师或志愿者看班。"))
    other = (
        Session.objects.filter(date=session.date, period=session.period, supervisor=person)
        .exclude(pk=session.pk)
        .select_related("school_class")
        .first()
    )
    if other:
        raise ValidationError(
            _("%(person)s 在 %(date)s %(period)s 已安排看班 %(cls)s。")
            % {
                "person": person,
                "date": session.date.isoformat(),
                "period": session.get_period_display(),
                "cls": other.school_class,
            }
        )
    club = Club.objects.filter(
        term=term, teacher=person, weekday=session.weekday, period=session.period
    ).first()
    if club:
        raise ValidationError(
            _("%(person)s 在 %(slot)s 负责社团 %(club)s。")
            % {"person": person, "slot": slot_label(session.weekday, session.period), "club": club}
        )
    for u in StaffUnavailability.objects.filter(person=person):
        if u.covers(session.date, session.weekday, session.period):
            raise ValidationError(
                _("%(person)s 在 %(date)s 不能值班%(reason)s。")
                % {
                    "person": person,
                    "date": session.date.isoformat(),
                    "reason": f"（{u.reason}）" if u.reason else "",
                }
            )


@transaction.atomic
def session_assign(*, session: Session, supervisor: User | None) -> Session:
    """Set a session's supervisor by hand; regenerating the rota keeps it
    (``is_manual``). ``supervisor=None`` hands the session back to the
    generator (not manual, empty until the next ``rota_generate``).

    Raises ``ValidationError`` naming the clash when the person is of another
    school or role, already supervises another class in that period, leads a
    club then, or is unavailable that day.
    """
    session = Session.objects.select_for_update().select_related("term").get(pk=session.pk)
    if supervisor is None:
        session.supervisor = None
        session.is_manual = False
    else:
        _check_supervisor(session=session, person=supervisor)
        session.supervisor = supervisor
        session.is_manual = True
    session.save(update_fields=["supervisor", "is_manual"])
    return session


def unavailability_add(
    *,
    person: User,
    date: datetime.date | None = None,
    weekday: int | None = None,
    period: str = "",
    reason: str = "",
) -> StaffUnavailability:
    """Record that ``person`` cannot supervise on ``date`` or every ``weekday``
    (exactly one), in ``period`` or all day (``period=""``). Existing sessions
    are not changed; regenerate the rota.

    Raises ``ValidationError`` unless exactly one of ``date``/``weekday`` is given.
    """
    if (date is None) == (weekday is None):
        raise ValidationError(_("请填写日期或每周几（二选一）。"))
    # The same rule twice (a double-submitted form) is one row.
    row, _created = StaffUnavailability.objects.get_or_create(
        person=person,
        date=date,
        weekday=weekday,
        period=period,
        defaults={"reason": reason.strip()},
    )
    return row


def unavailability_delete(*, row: StaffUnavailability) -> None:
    row.delete()


# ---------------------------------------------------------------- clubs


def _room_kinds_label(kinds: tuple[str, ...]) -> str:
    return "、".join(str(RoomKind(k).label) for k in kinds)


def club_clashes(
    *,
    term: Term,
    room: Room,
    teacher: User,
    weekday: int,
    period: str,
    exclude: Club | None = None,
) -> list[str]:
    """Chinese messages, one per booking that clashes with a club meeting in
    ``room`` led by ``teacher`` at ``weekday`` × ``period`` of ``term``: another
    club in the room or led by the teacher, a class's basic session in the room
    in that slot, or the teacher supervising a basic session then."""
    slot = slot_label(weekday, period)
    messages: list[str] = []
    others = Club.objects.filter(term=term, weekday=weekday, period=period).select_related(
        "room", "teacher"
    )
    if exclude is not None and exclude.pk:
        others = others.exclude(pk=exclude.pk)
    for other in others:
        if other.room_id == room.id:
            messages.append(
                _("场地 %(room)s 在 %(slot)s 已被 %(club)s 使用")
                % {"room": room, "slot": slot, "club": other}
            )
        if other.teacher_id == teacher.id:
            messages.append(
                _("教师 %(teacher)s 在 %(slot)s 已负责 %(club)s")
                % {"teacher": teacher, "slot": slot, "club": other}
            )
    schedule = term_schedule(term)
    has_basic = not (weekday == schedule.featured_weekday and period == schedule.featured_period)
    if has_basic:
        owner = term_classes(term).filter(room=room).first()
        if owner is not None:
            messages.append(
                _("场地 %(room)s 在 %(slot)s 已被 %(cls)s 基础课程 使用")
                % {"room": room, "slot": slot, "cls": owner}
            )
    session = (
        Session.objects.filter(term=term, weekday=weekday, period=period, supervisor=teacher)
        .select_related("school_class")
        .order_by("date")
        .first()
    )
    if session is not None:
        messages.append(
            _("教师 %(teacher)s 在 %(slot)s 已安排看班 %(cls)s（%(date)s 起）")
            % {
                "teacher": teacher,
                "slot": slot,
                "cls": session.school_class,
                "date": session.date.isoformat(),
            }
        )
    return messages


def _club_check(
    *,
    term: Term,
    name: str,
    category: str,
    min_grade: int,
    max_grade: int,
    capacity: int,
    teacher: User,
    room: Room,
    weekday: int,
    period: str,
    exclude: Club | None,
) -> None:
    errors: list[str] = []
    if room.school_id != term.school_id:
        errors.append(_("场地不属于本校。"))
    if teacher.school_id != term.school_id or teacher.role not in CLUB_TEACHER_ROLES:
        errors.append(_("指导教师必须是本校教职工。"))
    if errors:
        raise ValidationError(errors)
    if max_grade < min_grade:
        errors.append(_("最高年级不能低于最低年级。"))
    if weekday > Weekday.FRIDAY:
        errors.append(_("社团只能安排在周一至周五。"))
    dup = Club.objects.filter(term=term, name=name)
    if exclude is not None and exclude.pk:
        dup = dup.exclude(pk=exclude.pk)
    if dup.exists():
        errors.append(_("本学期已有名为 %(name)s 的社团。") % {"name": name})
    kinds = SUITABLE_ROOMS[category]
    if kinds is not None and room.kind not in kinds:
        errors.append(
            _("%(cat)s类社团须安排在%(kinds)s，场地 %(room)s（%(kind)s）不适合")
            % {
                "cat": ClubCategory(category).label,
                "kinds": _room_kinds_label(kinds),
                "room": room,
                "kind": room.get_kind_display(),
            }
        )
    if room.capacity < capacity:
        errors.append(
            _("场地 %(room)s 只能容纳 %(room_cap)s 人，少于社团人数上限 %(cap)s 人")
            % {"room": room, "room_cap": room.capacity, "cap": capacity}
        )
    errors += club_clashes(
        term=term, room=room, teacher=teacher, weekday=weekday, period=period, exclude=exclude
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def club_save(
    *,
    term: Term,
    name: str,
    category: str,
    min_grade: int,
    max_grade: int,
    capacity: int,
    teacher: User,
    room: Room,
    weekday: int | None = None,
    period: str | None = None,
    description: str = "",
    club: Club | None = None,
) -> Club:
    """Create a club (``club=None``) or update ``club`` for ``term``.

    ``weekday``/``period`` default to the term's featured weekday and period
    (特色课后服务日). Grades are 1–9, capacity is students.

    Raises ``ValidationError`` (a list of Chinese messages, nothing written)
    when the room does not suit the category (``SUITABLE_ROOMS``) or cannot hold
    the capacity, or the room or teacher is booked at that time by another club
    or a basic session — each message names the other booking, e.g.
    「场地 音乐室 在 周四 下午 已被 合唱团 使用」.
    """
    schedule = term_schedule(term)
    if weekday is None:
        weekday = schedule.featured_weekday
    if not period:
        period = schedule.featured_period
    name = name.strip()
    # Lock the term so two admins saving clubs at once are checked one after
    # the other (the unique constraints on Club are the last line).
    list(Term.objects.select_for_update().filter(pk=term.pk).values_list("pk", flat=True))
    _club_check(
        term=term,
        name=name,
        category=category,
        min_grade=min_grade,
        max_grade=max_grade,
        capacity=capacity,
        teacher=teacher,
        room=room,
        weekday=weekday,
        period=period,
        exclude=club,
    )
    if club is None:
        club = Club(school=term.school, term=term)
    club.name = name
    club.category = category
    club.min_grade = min_grade
    club.max_grade = max_grade
    club.capacity = capacity
    club.teacher = teacher
    club.room = room
    club.weekday = weekday
    club.period = period
    club.description = description
    club.save()
    return club


def club_delete(*, club: Club) -> None:
    club.delete()


# ---------------------------------------------------------------- leave, roll call, dismissal
# The rules live in scheduling/attendance.py; re-exported here so callers use
# ``services.<entity>_<action>`` like every other rule.
from scheduling.attendance import club_roll_save as club_roll_save  # noqa: E402
from scheduling.attendance import dismissal_record as dismissal_record  # noqa: E402
from scheduling.attendance import dismissal_undo as dismissal_undo  # noqa: E402
from scheduling.attendance import leave_cancel as leave_cancel  # noqa: E402
from scheduling.attendance import leave_decide as leave_decide  # noqa: E402
from scheduling.attendance import leave_request as leave_request  # noqa: E402
from scheduling.attendance import roll_call_save as roll_call_save  # noqa: E402
