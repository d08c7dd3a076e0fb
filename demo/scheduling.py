"""Demo step for scheduling's roll call, leave and dismissal (``load_demo``).

``build(demo)`` after the school (and the enrollment demo, when present):

- the term's sessions and supervision rota, if the term has none yet
  (``sessions_generate`` / ``rota_generate``: the real services);
- when the term is running on the demo's today: the rolls of every basic
  session of the last ``ROLL_DAYS`` service days up to yesterday for the
  enrolled students (approved applications), with a few absences and lates
  drawn from a fixed seed; today's sessions are left for the supervisors;
- leave requests around today, in every state: approved ones (a three-day
  whole-day leave, single periods, one for today) that mark the rolls "on
  leave", two for tomorrow waiting for the homeroom teacher and one for
  tomorrow already approved, one declined with a reason, one cancelled;
- dismissals after the last period on the last five service days.

In a holiday (the coming term shown) only the timetable is built. Students
without an approved application get nothing. Idempotent: the rows this step
owns (the term's marks, leave requests and dismissals) are replaced by the
same ones on every run. Bulk inserts only.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.utils import timezone

from afterschool.models import Student
from demo.families import (
    SIBLINGS_GUARDIAN_MOBILE,
    SINGLE_CHILD_CLASS,
    SINGLE_CHILD_GUARDIAN_MOBILE,
)
from enrollment.models import Application
from enrollment.models import Status as ApplicationStatus
from scheduling.attendance.selectors import leave_periods_refusal
from scheduling.calendar.days import CalendarUnknownError
from scheduling.models import (
    LEAVE_PERIODS_COVER,
    Attendance,
    AttendanceStatus,
    Dismissal,
    LeaveKind,
    LeavePeriods,
    LeaveRequest,
    LeaveStatus,
    Period,
    Session,
)
from scheduling.rota import services

ROLL_DAYS = 15  # service days of rolls up to yesterday
DISMISSAL_DAYS = 5  # the last service days with dismissals recorded
ABSENT_RATE = 0.01
LATE_RATE = 0.02
SEED = "scheduling-attendance-demo"
PART = {Period.NOON: "wants_noon", Period.AFTER_SCHOOL: "wants_after_school"}


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def build_timetable(demo) -> None:
    """The term's sessions and rota, when the term has none yet."""
    if Session.objects.filter(term=demo.term).exists():
        return
    try:
        services.sessions_generate(term=demo.term)
    except CalendarUnknownError:
        return
    services.rota_generate(term=demo.term)


LEAVE_FIELDS = (
    "student_id",
    "kind",
    "first_day",
    "last_day",
    "periods",
    "reason",
    "status",
    "requested_by_id",
    "decided_by_id",
    "decided_at",
    "decision_reason",
    "cancelled_at",
)
ATTENDANCE_FIELDS = (
    "session_id",
    "student_id",
    "date",
    "period",
    "status",
    "leave_id",
    "marked_by_id",
    "marked_at",
)
DISMISSAL_FIELDS = ("student_id", "date", "left_at", "alone", "collected_by", "recorded_by_id")


def _replace(existing, wanted: list, fields: tuple[str, ...]) -> None:
    """Make ``existing`` (a queryset) hold exactly ``wanted`` (unsaved rows),
    compared on ``fields``; writes nothing when they already match, so a
    second run of the demo is a no-op."""
    have = sorted(existing.values_list(*fields))
    want = sorted(tuple(getattr(row, f) for f in fields) for row in wanted)
    if have == want:
        return
    if have:
        existing.delete()
    if wanted:
        type(wanted[0]).objects.bulk_create(wanted, batch_size=2000)


def leave_days(
    service_days: list[datetime.date], today: datetime.date
) -> dict[str, datetime.date | None]:
    """The days the demo's leave requests fall on, from the term's service
    days: ``past1`` = the last service day before today, ``past2`` the one
    before … ``today`` (if a service day), ``next1`` = the first service day
    after today ("tomorrow"), ``next2``; None where the term has no such day."""
    past = [d for d in service_days if d < today][::-1]
    future = [d for d in service_days if d > today]
    days: dict[str, datetime.date | None] = {
        f"past{i}": past[i - 1] if len(past) >= i else None for i in range(1, 11)
    }
    days["today"] = today if today in service_days else None
    days["next1"] = future[0] if future else None
    days["next2"] = future[1] if len(future) > 1 else None
    return days


# (kind, first day, last day, periods, status, reason, decision reason);
# days are ``leave_days`` keys.
# The first goes to the demo guardian 13800138001's older child: a request
# for tomorrow waiting for hr_3_2.
LEAVE_PLANS = (
    ("days", "next1", "next1", "", "requested", "外出比赛", ""),
    ("periods", "past10", "past10", "after", "approved", "看牙医", ""),
    ("days", "past8", "past6", "", "approved", "回老家参加婚礼", ""),
    ("periods", "past3", "past3", "noon", "approved", "中午家长接回吃药", ""),
    ("days", "today", "today", "", "approved", "发烧，在家休息", ""),
    (
        "periods",
        "past5",
        "past5",
        "both",
        "declined",
        "家里有事",
        "本月已请假多次，请与班主任电话沟通",
    ),
    ("days", "next2", "next2", "", "cancelled", "预约体检", ""),
    ("periods", "next1", "next1", "after", "requested", "去医院复诊", ""),
    ("periods", "next1", "next1", "noon", "approved", "中午回家吃饭", ""),
)


def _leave_plan(
    apps: list[Application],
    guardian_user: dict[int, int],
    days: dict[str, datetime.date | None],
    today: datetime.date,
) -> list[LeaveRequest]:
    """Leave requests in every state (``LEAVE_PLANS``), each for the next of
    ``apps`` (in the given, deterministic order) whose guardian has a login
    and whose application takes the periods asked for; a plan whose day the
    term lacks is skipped."""
    yesterday = today - datetime.timedelta(days=1)
    eligible = [a for a in apps if a.student_id in guardian_user]
    out = []
    for kind, first_key, last_key, periods, status, reason, why in LEAVE_PLANS:
        # The next child whose application takes the periods asked for, as
        # the leave service would require (leave_periods_refusal).
        app = next(
            (a for a in eligible if not leave_periods_refusal(a, kind=kind, periods=periods)),
            None,
        )
        if app is None:
            break
        eligible.remove(app)
        first, last = days[first_key], days[last_key]
        if first is None or last is None:
            continue
        homeroom = app.student.school_class.homeroom_teacher_id
        decided = status in (LeaveStatus.APPROVED, LeaveStatus.DECLINED)
        asked = min(first - datetime.timedelta(days=1), yesterday)
        out.append(
            LeaveRequest(
                student_id=app.student_id,
                term_id=app.term_id,
                kind=kind,
                first_day=first,
                last_day=last,
                periods=periods,
                reason=reason,
                status=status,
                requested_by_id=guardian_user[app.student_id],
                decided_by_id=homeroom if decided else None,
                decided_at=_at(asked, 20, 0) if decided else None,
                decision_reason=why,
                cancelled_at=_at(min(first - datetime.timedelta(days=3), yesterday), 9, 0)
                if status == LeaveStatus.CANCELLED
                else None,
            )
        )
    return out


def build_attendance(demo) -> None:
    """Rolls up to yesterday, leave around today and the last days'
    dismissals, when the term is running (module docstring)."""
    term = demo.term
    if not demo.term_running:
        return
    apps = list(
        Application.objects.filter(term=term, status=ApplicationStatus.APPROVED)
        .select_related("student__school_class")
        .order_by("student_id")
    )
    service_days = sorted(set(Session.objects.filter(term=term).values_list("date", flat=True)))
    past = [d for d in service_days if d < demo.today]
    _replace(
        LeaveRequest.objects.filter(term=term),
        _leave_for_printed_logins_first(apps, leave_days(service_days, demo.today), demo.today),
        LEAVE_FIELDS,
    )
    on_leave = _on_leave(term)
    # One stream for the rolls, then the dismissals (their order fixes the draws).
    rng = random.Random(f"{SEED}:{demo.today:%Y-%m-%d}")
    absent_after = build_rolls(term, apps, on_leave, rng, past[-ROLL_DAYS:])
    _build_dismissals(demo, apps, on_leave, absent_after, rng, past[-DISMISSAL_DAYS:])


def _leave_for_printed_logins_first(
    apps: list[Application], days: dict[str, datetime.date | None], today: datetime.date
) -> list[LeaveRequest]:
    """``_leave_plan`` for ``apps`` ordered so the printed logins see leave
    first: the demo guardians' children, then class 三（2）."""
    guardian_user: dict[int, int] = {}
    shown: set[int] = set()  # children of the printed demo guardians
    for sid, uid, mobile in (
        Student.guardians.through.objects.filter(
            student_id__in=[a.student_id for a in apps], guardian__user__isnull=False
        )
        .order_by("student_id", "guardian_id")
        .values_list("student_id", "guardian__user_id", "guardian__mobile")
    ):
        guardian_user.setdefault(sid, uid)
        if mobile in (SIBLINGS_GUARDIAN_MOBILE, SINGLE_CHILD_GUARDIAN_MOBILE):
            shown.add(sid)
    ordered = sorted(
        apps,
        key=lambda a: (
            a.student_id not in shown,
            (a.student.school_class.grade, a.student.school_class.number) != SINGLE_CHILD_CLASS,
            a.student_id,
        ),
    )
    return _leave_plan(ordered, guardian_user, days, today)


def _on_leave(term) -> dict[tuple[int, datetime.date, str], LeaveRequest]:
    """(student id, day, period) -> the approved leave covering it."""
    on_leave: dict[tuple[int, datetime.date, str], LeaveRequest] = {}
    for leave in LeaveRequest.objects.filter(term=term, status=LeaveStatus.APPROVED):
        day = leave.first_day
        periods = (
            (Period.NOON, Period.AFTER_SCHOOL)
            if leave.kind == LeaveKind.DAYS
            else LEAVE_PERIODS_COVER[LeavePeriods(leave.periods)]
        )
        while day <= leave.last_day:
            for p in periods:
                on_leave[(leave.student_id, day, p)] = leave
            day += datetime.timedelta(days=1)
    return on_leave


def build_rolls(
    term,
    apps: list[Application],
    on_leave: dict[tuple[int, datetime.date, str], LeaveRequest],
    rng: random.Random,
    days: list[datetime.date],
) -> set[tuple[int, datetime.date]]:
    """The rolls of every basic session on ``days``; returns (student id,
    day) of those absent after school (they are not dismissed)."""
    by_class: dict[tuple[int, str], list[Application]] = defaultdict(list)
    for app in apps:
        for period, part in PART.items():
            if getattr(app, part):
                by_class[(app.student.school_class_id, period)].append(app)
    sessions = Session.objects.filter(term=term, date__in=days).order_by(
        "date", "period", "school_class_id"
    )
    rows: list[Attendance] = []
    absent_after: set[tuple[int, datetime.date]] = set()
    for s in sessions:
        marked_at = _at(s.date, 13, 5) if s.period == Period.NOON else _at(s.date, 17, 25)
        for app in by_class.get((s.school_class_id, s.period), []):
            leave = on_leave.get((app.student_id, s.date, s.period))
            status = _draw_mark(rng, on_leave=leave is not None)
            if status == AttendanceStatus.ABSENT and s.period == Period.AFTER_SCHOOL:
                absent_after.add((app.student_id, s.date))
            rows.append(
                Attendance(
                    session=s,
                    date=s.date,
                    period=s.period,
                    student_id=app.student_id,
                    status=status,
                    leave=leave,
                    marked_by_id=s.supervisor_id,
                    marked_at=marked_at,
                )
            )
    _replace(
        Attendance.objects.filter(session__term=term),
        rows,
        ATTENDANCE_FIELDS,
    )
    return absent_after


def _draw_mark(rng: random.Random, *, on_leave: bool) -> str:
    """One roll mark; draws even when on leave, so the stream stays the same."""
    draw = rng.random()
    if on_leave:
        return AttendanceStatus.LEAVE
    if draw < ABSENT_RATE:
        return AttendanceStatus.ABSENT
    if draw < ABSENT_RATE + LATE_RATE:
        return AttendanceStatus.LATE
    return AttendanceStatus.PRESENT


def _build_dismissals(
    demo,
    apps: list[Application],
    on_leave: dict[tuple[int, datetime.date, str], LeaveRequest],
    absent_after: set[tuple[int, datetime.date]],
    rng: random.Random,
    days: list[datetime.date],
) -> None:
    """Dismissals after the last period on ``days``, for the day students
    who were there after school."""
    dismissals = []
    for day in days:
        for app in apps:
            student = app.student
            if student.is_boarder or not app.wants_after_school:
                continue
            if (student.pk, day, Period.AFTER_SCHOOL) in on_leave or (
                student.pk,
                day,
            ) in absent_after:
                continue
            dismissals.append(
                Dismissal(
                    student=student,
                    date=day,
                    left_at=_at(day, 18, 10 + rng.randrange(0, 15)),
                    alone=app.goes_home_alone,
                    collected_by="" if app.goes_home_alone else app.pickup_name or "家长",
                    recorded_by_id=student.school_class.homeroom_teacher_id,
                )
            )
    _replace(
        Dismissal.objects.filter(
            student__school=demo.school,
            date__gte=demo.term.first_day,
            date__lte=demo.term.last_day,
        ),
        dismissals,
        DISMISSAL_FIELDS,
    )


def build(demo) -> None:
    """The scheduling demo step (timetable if missing, then attendance)."""
    build_timetable(demo)
    build_attendance(demo)
