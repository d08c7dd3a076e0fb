"""Demo step for scheduling's roll call, leave and dismissal (``load_demo``).

``build(demo)`` after the school (and the enrollment demo, when present):

- the term's sessions and supervision rota, if the term has none yet
  (``sessions_generate`` / ``rota_generate``: the real services);
- September 2024 rolls of every basic session for the enrolled students
  (approved applications), with a few absences and lates drawn from a fixed
  seed;
- leave requests in every state: approved ones (one three-day whole-day
  leave, some single periods) that mark the rolls "on leave", one waiting for
  the homeroom teacher, one declined with a reason, one cancelled;
- dismissals after the last period on the first week's days.

Students without an approved application get nothing. Idempotent: the rows
this step owns (the term's September marks and dismissals, and its leave
requests) are replaced by the same ones on every run. Bulk inserts only.
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

ROLL_MONTH = (2024, 9)
DISMISSAL_DAYS = [datetime.date(2024, 9, d) for d in (2, 3, 4, 5, 6)]
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


def _leave_plan(apps: list[Application], guardian_user: dict[int, int]) -> list[LeaveRequest]:
    """Leave requests in every state for the first of ``apps`` (in the given,
    deterministic order) whose guardian has a login."""
    d = datetime.date
    plans = [
        # (kind, first, last, periods, status, reason, decision reason)
        ("days", d(2024, 9, 18), d(2024, 9, 20), "", "approved", "回老家参加婚礼", ""),
        ("periods", d(2024, 9, 10), d(2024, 9, 10), "after", "approved", "看牙医", ""),
        ("periods", d(2024, 9, 24), d(2024, 9, 24), "noon", "approved", "中午家长接回吃药", ""),
        ("days", d(2024, 9, 25), d(2024, 9, 25), "", "approved", "发烧，在家休息", ""),
        ("days", d(2024, 10, 14), d(2024, 10, 15), "", "requested", "外出比赛", ""),
        (
            "periods",
            d(2024, 9, 26),
            d(2024, 9, 26),
            "both",
            "declined",
            "家里有事",
            "当天有单元测验，请按时参加",
        ),
        ("days", d(2024, 10, 21), d(2024, 10, 21), "", "cancelled", "预约体检", ""),
    ]
    eligible = [a for a in apps if a.student_id in guardian_user]
    out = []
    for app, (kind, first, last, periods, status, reason, why) in zip(
        eligible, plans, strict=False
    ):
        homeroom = app.student.school_class.homeroom_teacher_id
        decided = status in (LeaveStatus.APPROVED, LeaveStatus.DECLINED)
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
                decided_at=_at(first - datetime.timedelta(days=1), 20, 0) if decided else None,
                decision_reason=why,
                cancelled_at=_at(first - datetime.timedelta(days=3), 9, 0)
                if status == LeaveStatus.CANCELLED
                else None,
            )
        )
    return out


def build_attendance(demo) -> None:
    """September rolls, leave requests and first-week dismissals."""
    term = demo.term
    apps = list(
        Application.objects.filter(term=term, status=ApplicationStatus.APPROVED)
        .select_related("student__school_class")
        .order_by("student_id")
    )
    _replace(
        LeaveRequest.objects.filter(term=term),
        _leave_for_printed_logins_first(apps),
        LEAVE_FIELDS,
    )
    on_leave = _on_leave(term)
    # One stream for the rolls, then the dismissals (their order fixes the draws).
    rng = random.Random(SEED)
    absent_after = _build_rolls(term, apps, on_leave, rng)
    _build_dismissals(demo, apps, on_leave, absent_after, rng)


def _leave_for_printed_logins_first(apps: list[Application]) -> list[LeaveRequest]:
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
    return _leave_plan(ordered, guardian_user)


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


def _build_rolls(
    term,
    apps: list[Application],
    on_leave: dict[tuple[int, datetime.date, str], LeaveRequest],
    rng: random.Random,
) -> set[tuple[int, datetime.date]]:
    """The month's rolls of every basic session; returns (student id, day)
    of those absent after school (they are not dismissed)."""
    year, month = ROLL_MONTH
    by_class: dict[tuple[int, str], list[Application]] = defaultdict(list)
    for app in apps:
        for period, part in PART.items():
            if getattr(app, part):
                by_class[(app.student.school_class_id, period)].append(app)
    sessions = Session.objects.filter(term=term, date__year=year, date__month=month).order_by(
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
        Attendance.objects.filter(session__term=term, date__year=year, date__month=month),
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
) -> None:
    """Dismissals after the last period on the first week's days, for the
    day students who were there after school."""
    year, month = ROLL_MONTH
    dismissals = []
    for day in DISMISSAL_DAYS:
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
        Dismissal.objects.filter(student__school=demo.school, date__year=year, date__month=month),
        dismissals,
        DISMISSAL_FIELDS,
    )


def build(demo) -> None:
    """The scheduling demo step (timetable if missing, then attendance)."""
    build_timetable(demo)
    build_attendance(demo)
