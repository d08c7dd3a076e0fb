"""Roll call (点名) and dismissal (离校): the rules that write (leave, 请假:
``scheduling.attendance.leave``, re-exported here).

Rule sources: seed 二.3 (有事有病必须履行请假手续，服务期间不得擅自离校),
seed 一.5 (6) (服务结束后由学校统一组织学生安全离校), seed 二.1 (住宿生统一由学校
管理), DESIGN.md "Safety". Every function raises ``ValidationError`` with a
Chinese message and writes nothing when a rule refuses. Who may act:
``scheduling.access``; reads: ``scheduling.attendance.selectors``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.dates import month_day
from afterschool.models import NoticeKind, Student, Term, User
from afterschool.notices.services import notify, notify_guardians_of_students
from enrollment.models import Application
from scheduling.access import (
    can_dismiss,
    can_take_club_roll,
    can_take_roll,
)
from scheduling.attendance.leave import leave_cancel, leave_decide, leave_request
from scheduling.attendance.selectors import (
    approved_leave_on,
    dismissal_application,
    dismissal_time,
    roll_students,
)
from scheduling.calendar.days import days_between, term_schedule
from scheduling.models import (
    Attendance,
    AttendanceStatus,
    Club,
    Dismissal,
    Session,
)

__all__ = [
    "absent_alert",
    "club_absent_alert",
    "club_roll_save",
    "dismissal_record",
    "dismissal_undo",
    "leave_cancel",
    "leave_decide",
    "leave_request",
    "roll_call_save",
]


# ---------------------------------------------------------------- roll call


def _roll_save(
    *,
    keys: dict,
    students: list[Student],
    date: datetime.date,
    period: str,
    marks: dict[int, str],
    by: User,
    now: datetime.datetime,
) -> list[Attendance]:
    """Shared by basic-session and club rolls: ``keys`` are the row's roll
    fields (``{"session": s}`` or ``{"club": c}``). Creates the missing rows
    (present, or on leave where approved leave covers the period), then
    applies ``marks``. An absence covered by approved leave is stored as leave."""
    ids = {s.pk for s in students}
    for sid, status in marks.items():
        if sid not in ids:
            raise ValidationError(_("该学生不在本课时的点名名单上。"))
        if status not in AttendanceStatus.values:
            raise ValidationError(_("请选择到、缺勤、请假或迟到。"))
    leaves = approved_leave_on(student_ids=ids, date=date, period=period)
    rows = {
        a.student_id: a for a in Attendance.objects.filter(date=date, **keys, student_id__in=ids)
    }
    new, changed = [], []
    for sid in ids - rows.keys():
        leave = leaves.get(sid)
        row = Attendance(
            **keys,
            date=date,
            period=period,
            student_id=sid,
            status=AttendanceStatus.LEAVE if leave else AttendanceStatus.PRESENT,
            leave=leave,
            marked_by=by,
            marked_at=now,
        )
        rows[sid] = row
        new.append(row)
    for sid, status in marks.items():
        row = rows[sid]
        leave = leaves.get(sid)
        if status in (AttendanceStatus.ABSENT, AttendanceStatus.LEAVE) and leave:
            status = AttendanceStatus.LEAVE
        new_leave = leave if status == AttendanceStatus.LEAVE else None
        if row.status == status and row.leave_id == (new_leave.pk if new_leave else None):
            continue
        row.status, row.leave = status, new_leave
        row.marked_by, row.marked_at = by, now
        if row.pk:
            changed.append(row)
    Attendance.objects.bulk_create(new)
    if changed:
        Attendance.objects.bulk_update(changed, ["status", "leave", "marked_by", "marked_at"])
    return sorted(rows.values(), key=lambda a: a.student_id)


@transaction.atomic
def roll_call_save(
    *,
    session: Session,
    by: User,
    marks: dict[int, str] | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[Attendance]:
    """Take or correct a basic session's roll (点名).

    Everyone enrolled for the session's period (``roll_students``) is present
    unless marked otherwise; approved leave pre-marks "on leave". ``marks``:
    student id → ``AttendanceStatus`` value for the exceptions (one tap
    each). The first save writes the whole roll; later saves change only the
    marked rows, so saving the same marks again changes nothing. Serialised per
    session (row lock).

    Raises ``ValidationError``: the actor may not take this roll, the session
    is in the future, a student is not on the roll, or an unknown status.
    Returns the roll's rows.
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    session = (
        # Only the session's row: PostgreSQL refuses to lock the nullable
        # side of the homeroom teacher's outer join.
        Session.objects.select_for_update(of=("self",))
        .select_related("school_class__homeroom_teacher", "term")
        .get(pk=session.pk)
    )
    if not can_take_roll(by, session):
        raise ValidationError(_("只有该课时的看班教师、班主任或学校管理员可以点名。"))
    if session.date > today:
        raise ValidationError(
            _("%(day)s的课时还没到，不能提前点名。") % {"day": month_day(session.date)}
        )
    students = list(
        roll_students(
            school_class_id=session.school_class_id, term=session.term, period=session.period
        )
    )
    rows = _roll_save(
        keys={"session": session},
        students=students,
        date=session.date,
        period=session.period,
        marks=marks or {},
        by=by,
        now=now,
    )
    absent_alert(session=session, rows=rows, students=students)
    return rows


def absent_alert(*, session: Session, rows: list[Attendance], students: list[Student]) -> int:
    """安全共管 (seed 二.3; DESIGN.md 「Telling people」): each enrolled child
    marked absent without approved leave in ``session``'s roll is reported
    at once to the class's homeroom teacher and the child's guardians
    ("未到且未请假"). Once per child and session, however often the roll is
    saved. Returns how many children were reported."""
    homeroom = session.school_class.homeroom_teacher
    return _report_absent(
        school_id=session.school_class.school_id,
        rows=rows,
        students=students,
        when=f"{month_day(session.date)}{session.get_period_display()}",
        key=f"absent:{session.pk}",
        homerooms=lambda _ids: {None: (session.school_class.display_name, homeroom)},
        homeroom_link=reverse("scheduling:roll", args=[session.pk]),
    )


def club_absent_alert(
    *, club: Club, date: datetime.date, rows: list[Attendance], students: list[Student]
) -> int:
    """The same alert for a club meeting's roll (特色课程): each child placed
    in ``club`` and marked absent without approved leave on ``date`` is
    reported to the homeroom teacher of the child's own class and to the
    child's guardians, once per child, club and day. Returns how many
    children were reported. Rule source as ``absent_alert``."""

    def homerooms(ids):
        # The children come from several classes: one query for their classes.
        return {
            s.pk: (s.school_class.display_name, s.school_class.homeroom_teacher)
            for s in Student.objects.filter(pk__in=ids).select_related(
                "school_class__homeroom_teacher"
            )
        }

    return _report_absent(
        school_id=club.school_id,
        rows=rows,
        students=students,
        when=f"{month_day(date)}{club.get_period_display()}{club.name}",
        key=f"absent-club:{club.pk}:{date.isoformat()}",
        homerooms=homerooms,
        homeroom_link=reverse("scheduling:absences"),
    )


def _report_absent(
    *, school_id, rows, students, when: str, key: str, homerooms, homeroom_link: str
) -> int:
    """Notify the guardians and the homeroom teacher of every row marked
    absent. ``homerooms(ids)`` maps a student id (or ``None`` for all) to
    (class name, homeroom teacher or None)."""
    names = {s.pk: s.name for s in students}
    absent = [a.student_id for a in rows if a.status == AttendanceStatus.ABSENT]
    if not absent:
        return 0
    teachers = homerooms(absent)
    for sid in absent:
        title = _("%(name)s未到且未请假") % {"name": names.get(sid, "")}
        body = _("%(when)s点名时%(name)s未到，也没有获批的请假。请尽快确认孩子的去向。") % {
            "when": when,
            "name": names.get(sid, ""),
        }
        dedupe_key = f"{key}:{sid}"
        notify_guardians_of_students(
            school=school_id,
            student_ids=[sid],
            kind=NoticeKind.ABSENT_WITHOUT_LEAVE,
            title=title,
            body=body,
            link=reverse("scheduling:absences"),
            dedupe_key=dedupe_key,
        )
        class_name, homeroom = teachers.get(sid) or teachers.get(None) or ("", None)
        if homeroom is not None:
            notify(
                school=school_id,
                recipients=[homeroom],
                kind=NoticeKind.ABSENT_WITHOUT_LEAVE,
                title=f"{class_name} {title}",
                body=body,
                link=homeroom_link,
                dedupe_key=dedupe_key,
            )
    return len(absent)


@transaction.atomic
def club_roll_save(
    *,
    club: Club,
    date: datetime.date,
    roster: list[Student],
    by: User,
    marks: dict[int, str] | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[Attendance]:
    """Take or correct the roll of ``club``'s meeting on ``date`` (特色课程),
    the same way as ``roll_call_save``: ``roster`` (the club's allocated
    students, from the club allocation) present by default, approved leave
    pre-marked, ``marks`` for the exceptions. Rows are keyed (club, date,
    student). Serialised per club (row lock). A child marked absent without
    approved leave is reported at once (``club_absent_alert``).

    Raises ``ValidationError``: the actor is not the club's teacher or the
    admin, ``date`` is in the future or not one of the club's meeting days
    (its weekday on a service day), a mark for a student not on the roster.
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    club = Club.objects.select_for_update().select_related("term").get(pk=club.pk)
    if not can_take_club_roll(by, club):
        raise ValidationError(_("只有社团指导教师或学校管理员可以点名。"))
    if date > today:
        raise ValidationError(_("%(day)s的课时还没到，不能提前点名。") % {"day": month_day(date)})
    info = days_between(
        club.term.school, date, date, schedule=term_schedule(club.term), strict=False
    )
    if not (club.term.first_day <= date <= club.term.last_day) or not (
        info and info[0].timetable_weekday == club.weekday
    ):
        raise ValidationError(
            _("%(club)s在%(day)s没有活动。") % {"club": club.name, "day": month_day(date)}
        )
    rows = _roll_save(
        keys={"club": club},
        students=roster,
        date=date,
        period=club.period,
        marks=marks or {},
        by=by,
        now=now,
    )
    club_absent_alert(club=club, date=date, rows=rows, students=roster)
    return rows


# ---------------------------------------------------------------- dismissal


def _collector(*, app: Application, student: Student, alone: bool, collected_by: str | None) -> str:
    """Who collects ``student`` ("" when going home alone): ``collected_by``,
    else (``None``) the application's pick-up person. Raises
    ``ValidationError`` for going alone without the application's consent, or
    no collector."""
    if alone:
        if not app.goes_home_alone:
            raise ValidationError(
                _("%(name)s的申请书未同意孩子自行回家，请由接送人接走。") % {"name": student.name}
            )
        return ""
    if collected_by is None:
        collected_by = app.pickup_name
    collected_by = collected_by.strip()
    if not collected_by:
        if not app.goes_home_alone:
            raise ValidationError(
                _("%(name)s的申请书未同意孩子自行回家，请填写接走孩子的接送人姓名。")
                % {"name": student.name}
            )
        raise ValidationError(_("请填写接送人姓名。"))
    return collected_by


@transaction.atomic
def dismissal_record(
    *,
    student: Student,
    term: Term,
    date: datetime.date,
    by: User,
    alone: bool = False,
    collected_by: str | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Dismissal:
    """Record that ``student`` left after the last period on ``date``
    (seed 一.5 (6) 统一组织学生安全离校): collected by ``collected_by``
    (``None``: the application's pick-up person; an empty string — the
    page's pick-up box cleared — is refused, never replaced by the default),
    or alone — only if the application says the child may go home alone.
    Boarders stay under the school (seed 二.1) and are refused. A second tap
    for the same day returns the first record unchanged.

    ``left_at`` is ``now`` when ``date`` is today; for an earlier day (a late
    entry) it is ``date`` at the term's participant dismissal time
    (``Term.participant_dismissal``, seed 一.2 放学时间), see
    ``dismissal_time``.

    Raises ``ValidationError`` (nothing written) for a boarder, a child not on
    the day's sheet, going alone without consent, no collector, a future day,
    or an actor who may not dismiss the class.
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    Student.objects.select_for_update().filter(pk=student.pk).first()
    if not can_dismiss(by, student, date):
        raise ValidationError(_("只有班主任、当天看班教师或学校管理员可以登记离校。"))
    existing = Dismissal.objects.filter(student=student, date=date).first()
    if existing is not None:
        return existing
    if date > today:
        raise ValidationError(_("不能提前登记离校。"))
    if student.is_boarder:
        raise ValidationError(
            _("%(name)s是住宿生，由学校统一管理，不需要离校登记。") % {"name": student.name}
        )
    app = dismissal_application(student=student, term=term, date=date)
    if app is None:
        raise ValidationError(
            _("%(name)s今天不参加下午课后服务，不在离校名单上。") % {"name": student.name}
        )
    collected_by = _collector(app=app, student=student, alone=alone, collected_by=collected_by)
    return Dismissal.objects.create(
        student=student,
        date=date,
        left_at=dismissal_time(term=term, date=date, today=today, now=now),
        alone=alone,
        collected_by=collected_by,
        recorded_by=by,
    )


@transaction.atomic
def dismissal_undo(*, dismissal: Dismissal, by: User) -> None:
    """Remove a dismissal recorded by mistake (same people as recording).

    Raises ``ValidationError`` when the actor may not dismiss the class."""
    if not can_dismiss(by, dismissal.student, dismissal.date):
        raise ValidationError(_("只有班主任、当天看班教师或学校管理员可以登记离校。"))
    dismissal.delete()
