"""Rota rules that write: the term's basic sessions, their supervisors (看班
安排) and staff unavailability.

Every function is keyword-only, typed, and raises ``ValidationError`` with a
Chinese message (nothing written) when a rule refuses. Rule sources: the seed
(一.2 service days, two periods; 三 staff) and DESIGN.md.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Count, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from afterschool.models import School, SchoolClass, Term, User
from afterschool.selectors import year_class_annotations
from enrollment.models import Application
from enrollment.models import Status as ApplicationStatus
from scheduling.calendar.days import DayInfo, term_calendar, term_schedule
from scheduling.calendar.selectors import term_classes
from scheduling.models import (
    PERIOD_ORDER,
    ROTA_ROLES,
    Club,
    Period,
    Session,
    StaffUnavailability,
    TermSchedule,
    WeeklySupervisor,
    slot_label,
)

# ---------------------------------------------------------------- sessions


@dataclass
class SessionsResult:
    created: int = 0
    deleted: int = 0
    updated: int = 0


@transaction.atomic
def _enrolled_periods(term: Term) -> set[tuple[int, str]]:
    """(class id, period) pairs with at least one approved application for
    ``term`` asking for that period, by the student's class of the term's
    school year. One query."""
    out: set[tuple[int, str]] = set()
    # The student's class in the term's school year (its membership), not
    # the latest one: regenerating a past year's term after the rollover
    # keeps its sessions. The latest class for a student without one.
    year_class = year_class_annotations(student="student", school_year="term__school_year")
    rows = (
        Application.objects.filter(term=term, status=ApplicationStatus.APPROVED)
        .annotate(
            klass=Coalesce(
                year_class["year_class_id"],
                "student__school_class_id",
                output_field=BigIntegerField(),
            )
        )
        .values_list("klass", "wants_noon", "wants_after_school")
        .distinct()
    )
    for class_id, noon, after in rows:
        if noon:
            out.add((class_id, Period.NOON))
        if after:
            out.add((class_id, Period.AFTER_SCHOOL))
    return out


def _class_rooms(classes: list[SchoolClass]) -> None:
    """Raise ``ValidationError`` when two classes share a room (their
    sessions would meet in one place)."""
    by_room: dict[int, SchoolClass] = {}
    for c in classes:
        if c.room_id is not None:
            if c.room_id in by_room:
                raise ValidationError(
                    _("%(a)s 和 %(b)s 使用同一间教室，请先在班级设置中分开。")
                    % {"a": by_room[c.room_id], "b": c}
                )
            by_room[c.room_id] = c


def _wanted_sessions(
    days: list[DayInfo],
    classes: list[SchoolClass],
    schedule: TermSchedule,
    enrolled: set[tuple[int, str]],
) -> dict[tuple, tuple[int, int | None]]:
    """(date, period, class id) → (timetable weekday, room id) of every
    session the service days call for: each enrolled class and period, except
    the featured slot."""
    wanted: dict[tuple, tuple[int, int | None]] = {}
    for d in days:
        weekday = d.timetable_weekday
        for period in Period.values:
            if weekday == schedule.featured_weekday and period == schedule.featured_period:
                continue
            for c in classes:
                if (c.id, period) in enrolled:
                    wanted[(d.date, period, c.id)] = (weekday, c.room_id)
    return wanted


def _apply_sessions(
    term: Term,
    wanted: dict[tuple, tuple[int, int | None]],
    enrolled: set[tuple[int, str]],
    service_dates: set[datetime.date],
) -> SessionsResult:
    """Delete, update and create the term's sessions so they match ``wanted``
    (see ``sessions_generate``)."""
    result = SessionsResult()
    stale: list[int] = []
    to_update: list[Session] = []
    existing_keys = set()
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
    _class_rooms(classes)
    wanted = _wanted_sessions(days, classes, schedule, enrolled)
    return _apply_sessions(term, wanted, enrolled, {d.date for d in days})


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
    from_pattern: int = 0
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


def _assign_slot(
    group: list[Session],
    free: list[User],
    load: Counter[int],
    report: RotaReport,
) -> list[Session]:
    """Give the open sessions of one (date, period) a supervisor from
    ``free`` (see ``rota_generate``); returns the sessions assigned."""
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
    return open_sessions


def _assign_pattern(
    group: list[Session],
    free: list[User],
    pattern: dict[tuple[int, int, str], int],
    load: Counter[int],
    report: RotaReport,
) -> tuple[list[Session], list[Session], list[User]]:
    """Give the open sessions of one (date, period) whose class slot has a
    person in the term's weekly pattern (``WeeklySupervisor``) that person,
    when free. Returns (sessions assigned, the group left for balancing,
    the people still free)."""
    free_ids = {p.id for p in free}
    assigned, rest = [], []
    for s in group:
        person = pattern.get((s.school_class_id, s.weekday, s.period))
        if not (s.is_manual and s.supervisor_id) and person in free_ids:
            s.supervisor_id = person
            free_ids.discard(person)
            load[person] += 1
            assigned.append(s)
        else:
            rest.append(s)
    report.from_pattern += len(assigned)
    return assigned, rest, [p for p in free if p.id in free_ids]


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
    ``is_manual`` keep their supervisor and count toward the load. Before
    balancing, a session whose class slot (weekday, period) has a person in
    the term's weekly pattern (``WeeklySupervisor``, taken over from the last
    term) gets that person when free by the same rules; balancing fills the
    rest. Sessions left without anyone free are reported in ``unassigned``.

    Staff: active users of the term's school with role homeroom, teacher or
    volunteer (seed 三). Run ``sessions_generate`` first.
    """
    staff = list(rota_staff(term.school))
    unavailable = _unavailable_index(staff)
    clubs = _club_slots(term)
    pattern = {
        (class_id, weekday, period): person_id
        for class_id, weekday, period, person_id in WeeklySupervisor.objects.filter(
            term=term
        ).values_list("school_class_id", "weekday", "period", "supervisor_id")
    }
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
        if pattern:
            from_pattern, group, free = _assign_pattern(group, free, pattern, load, report)
            changed += from_pattern
        changed += _assign_slot(group, free, load, report)
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


@dataclass
class BulkAssignReport:
    """What ``sessions_assign_weekly`` did: ``assigned`` sessions now have
    the person, ``refused`` are (session, reason) pairs left as they were."""

    assigned: int
    refused: list[tuple[Session, str]]


@transaction.atomic
def sessions_assign_weekly(
    *,
    term: Term,
    school_class: SchoolClass,
    weekday: int,
    period: str,
    supervisor: User,
    from_date: datetime.date | None = None,
) -> BulkAssignReport:
    """ "This teacher, every Tuesday noon": give ``supervisor`` every session
    of ``school_class`` in ``term`` on ``weekday`` (0 = Monday) in ``period``
    from ``from_date`` on (the whole term when None), as manual assignments
    that regenerating the rota keeps.

    Each session is checked as ``session_assign`` checks one (another class
    then, a club then, unavailable); those that clash are left unchanged and
    reported. Raises ``ValidationError`` when ``supervisor`` is not rota
    staff of the term's school or the class is another school's; nothing is
    written then.
    """
    if supervisor.school_id != term.school_id or supervisor.role not in ROTA_ROLES:
        raise ValidationError(_("只能安排本校的班主任、教师或志愿者看班。"))
    if school_class.school_id != term.school_id:
        raise ValidationError(_("请选择本校的班级。"))
    sessions = Session.objects.select_for_update().filter(
        term=term, school_class=school_class, weekday=weekday, period=period
    )
    if from_date is not None:
        sessions = sessions.filter(date__gte=from_date)
    assigned, refused = 0, []
    for session in sessions.select_related("term").order_by("date"):
        if session.supervisor_id == supervisor.pk:
            if not session.is_manual:
                session.is_manual = True
                session.save(update_fields=["is_manual"])
            assigned += 1
            continue
        try:
            _check_supervisor(session=session, person=supervisor)
        except ValidationError as exc:
            refused.append((session, exc.messages[0]))
            continue
        session.supervisor = supervisor
        session.is_manual = True
        session.save(update_fields=["supervisor", "is_manual"])
        assigned += 1
    return BulkAssignReport(assigned=assigned, refused=refused)
