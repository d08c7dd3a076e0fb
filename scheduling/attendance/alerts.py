"""安全共管 alerts that depend on the clock, run every few minutes by
``manage.py notices_run`` (cron or the worker's schedule):

- a period's roll not taken ``ROLL_NOT_TAKEN_MINUTES`` (10) after it starts:
  the supervising teacher and the school's admins are told;
- a child staying for the after-school period not collected
  ``NOT_COLLECTED_MINUTES`` (20) after the participants' dismissal time
  (参加课后服务学生放学时间, 18:10): the homeroom teacher and the admins;
- a club-choice window that closes tomorrow: the guardians in its scope.

Each alert is written once (``notify``'s dedupe key), however often the
check runs. Rule source: seed 二.3 and 一.5 (6); DESIGN.md 「Telling people」.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.models import NoticeKind, Role, User
from afterschool.notices.services import notify
from enrollment.models import Application
from enrollment.models import Status as ApplicationStatus
from scheduling.attendance.selectors import dismissal_sheet
from scheduling.models import (
    Attendance,
    ChoiceWindow,
    Period,
    ServiceChange,
    ServiceChangeKind,
    Session,
)


def _admins(school_ids) -> dict[int, list[User]]:
    out: dict[int, list[User]] = {}
    for u in User.objects.filter(school_id__in=set(school_ids), role=Role.ADMIN, is_active=True):
        out.setdefault(u.school_id, []).append(u)
    return out


def _period_start(session: Session) -> datetime.datetime:
    schedule = getattr(session.term, "schedule", None)
    if session.period == Period.NOON:
        start = schedule.noon_start if schedule else datetime.time(13, 0)
    else:
        start = schedule.after_start if schedule else datetime.time(17, 20)
    return timezone.make_aware(datetime.datetime.combine(session.date, start))


def rolls_not_taken_alert(*, now: datetime.datetime | None = None) -> int:
    """Tell the supervisor and the admins of each of today's sessions with
    enrolled children whose roll has no mark ``ROLL_NOT_TAKEN_MINUTES``
    after the period starts. Returns how many sessions were reported."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    late = datetime.timedelta(minutes=settings.ROLL_NOT_TAKEN_MINUTES)
    enrolled = Application.objects.filter(
        term=OuterRef("term"),
        status=ApplicationStatus.APPROVED,
        student__school_class=OuterRef("school_class"),
    )
    sessions = [
        s
        for s in Session.objects.filter(date=today)
        .filter(~Exists(Attendance.objects.filter(session=OuterRef("pk"))), Exists(enrolled))
        .select_related("school_class", "supervisor", "term__schedule")
        if _period_start(s) + late <= now
    ]
    admins = _admins(s.school_class.school_id for s in sessions)
    for s in sessions:
        what = f"{s.school_class.display_name} {s.get_period_display()}"
        notify(
            school=s.school_class.school_id,
            recipients=[s.supervisor, *admins.get(s.school_class.school_id, [])],
            kind=NoticeKind.ROLL_NOT_TAKEN,
            title=_("%(what)s尚未点名") % {"what": what},
            body=_("课时已开始%(n)d分钟，仍未点名。请尽快点名，确认每个孩子都在。")
            % {"n": settings.ROLL_NOT_TAKEN_MINUTES},
            link=reverse("scheduling:roll", args=[s.pk]),
            dedupe_key=f"roll-not-taken:{s.pk}",
        )
    return len(sessions)


def not_collected_alert(*, now: datetime.datetime | None = None) -> int:
    """Tell the homeroom teacher and the admins of each class with children
    still waiting ``NOT_COLLECTED_MINUTES`` after the participants' dismissal
    time today (children on leave or marked absent do not wait; boarders
    stay). One notice per class and day, naming the children. Returns how
    many children were reported. Not on a day the school suspended."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    wait = datetime.timedelta(minutes=settings.NOT_COLLECTED_MINUTES)
    # A suspended day keeps its sessions (the suspension can be lifted) but
    # nobody stays: no child waits to be collected.
    suspended = ServiceChange.objects.filter(
        school_id=OuterRef("school_class__school_id"),
        date=today,
        kind=ServiceChangeKind.SUSPENDED,
    )
    # Every class with a session today, once: on the featured day the
    # after-school slot holds clubs, not sessions, and its children still
    # wait to be collected (the dismissal sheet lists them).
    sessions = list(
        {
            s.school_class_id: s
            for s in Session.objects.filter(date=today)
            .exclude(Exists(suspended))
            .select_related("school_class__homeroom_teacher", "term__schedule")
            .order_by("school_class__grade", "school_class__number", "-period")
        }.values()
    )
    due = [
        s
        for s in sessions
        if timezone.make_aware(datetime.datetime.combine(today, s.term.participant_dismissal))
        + wait
        <= now
    ]
    admins = _admins(s.school_class.school_id for s in due)
    reported = 0
    for s in due:
        sheet = dismissal_sheet(school_class=s.school_class, term=s.term, date=today)
        waiting = [
            r.student.name
            for r in sheet.rows
            if r.dismissal is None and not r.on_leave and not r.absent
        ]
        if not waiting:
            continue
        reported += len(waiting)
        school_id = s.school_class.school_id
        notify(
            school=school_id,
            recipients=[s.school_class.homeroom_teacher, *admins.get(school_id, [])],
            kind=NoticeKind.NOT_COLLECTED,
            title=_("%(c)s有%(n)d名孩子放学后未被接走")
            % {"c": s.school_class.display_name, "n": len(waiting)},
            body=_("放学%(m)d分钟后仍未登记离校：%(names)s。请联系家长。")
            % {"m": settings.NOT_COLLECTED_MINUTES, "names": "、".join(waiting)},
            link=reverse("scheduling:dismissal-class", args=[s.school_class_id])
            + f"?date={today.isoformat()}",
            dedupe_key=f"not-collected:{s.school_class_id}:{today.isoformat()}",
        )
    return reported


def choice_windows_closing_alert(*, now: datetime.datetime | None = None) -> int:
    """Remind the guardians of each window that closes tomorrow. Returns how
    many windows."""
    from scheduling.choice.services import window_notify

    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + datetime.timedelta(days=1)
    windows = [
        w
        for w in ChoiceWindow.objects.filter(
            opens_at__lte=now, closes_at__gt=now, closes_at__lte=now + datetime.timedelta(days=2)
        ).select_related("term")
        if timezone.localtime(w.closes_at).date() == tomorrow
    ]
    for w in windows:
        window_notify(window=w, kind=NoticeKind.CHOICE_WINDOW_CLOSING)
    return len(windows)
