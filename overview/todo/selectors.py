"""What waits for each person: the to-do lists at the top of the home pages.

One function per role returns ``Todo`` items in the order they matter, each
with a count, a Chinese label, the page that resolves it and, where useful,
the names behind the count (classes that have not submitted, what blocks a
class list). Each kind is one query (a few kinds share one), so a page's
query count does not grow with the rows; tests pin the counts at two sizes.
Rule source: DESIGN.md 「Telling people」 (product).
"""

from __future__ import annotations

import datetime
from types import EllipsisType

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.access import classes_for_user
from afterschool.models import Student, Term, User
from enrollment.models import (
    Application,
    ClassSubmission,
    Status,
)
from overview.todo.admin import admin_todos, fee_document_is_placeholder
from overview.todo.guardian import guardian_todos
from overview.todo.items import (
    CALENDAR_LOOKAHEAD_DAYS,
    FEE_DOCUMENT_PLACEHOLDER_MARK,
    RECENT_DAYS,
    Todo,
    todo_term,
    unread_todos,
)
from scheduling.attendance.selectors import is_featured_after_school
from scheduling.calendar.days import term_schedule
from scheduling.models import (
    Attendance,
    AttendanceStatus,
    Club,
    Dismissal,
    LeaveRequest,
    LeaveStatus,
    Period,
    ServiceChange,
    ServiceChangeKind,
    Session,
)

# ----------------------------------------------------------------- guardian


__all__ = [
    "CALENDAR_LOOKAHEAD_DAYS",
    "FEE_DOCUMENT_PLACEHOLDER_MARK",
    "RECENT_DAYS",
    "Todo",
    "admin_todos",
    "fee_document_is_placeholder",
    "guardian_todos",
    "homeroom_todos",
    "staff_todos",
    "todo_term",
]


# ----------------------------------------------------------------- homeroom


def _rolls_due(sessions, now: datetime.datetime) -> list[Session]:
    """Sessions whose period has begun and whose roll has no mark."""
    out = []
    for s in sessions:
        schedule = getattr(s.term, "schedule", None)
        start = (
            (schedule.noon_start if s.period == Period.NOON else schedule.after_start)
            if schedule
            else (datetime.time(13, 0) if s.period == Period.NOON else datetime.time(17, 20))
        )
        begins = timezone.make_aware(datetime.datetime.combine(s.date, start))
        if not s.marked and now >= begins:
            out.append(s)
    return out


def homeroom_todos(
    *,
    user: User,
    now: datetime.datetime | None = None,
    term: Term | None | EllipsisType = ...,
) -> list[Todo]:
    """A homeroom teacher's to-dos for the classes they lead in the current
    term (``term``: as ``todo_term`` gives it, when the caller has it
    already; else looked up here). Queries: term (unless given); classes
    with their counts (awaiting review, returned, submitted); students
    blocking the list; today's sessions; leave to decide; children not yet
    collected, once the after-school period has ended (6 in all; 5 before
    that end)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if term is ...:
        term = todo_term(school_id=user.school_id, today=today)
    if term is None:
        return unread_todos(user)
    classes = list(
        classes_for_user(user)
        .filter(school_year_id=term.school_year_id)
        .annotate(
            # The class's children of its year (memberships), not those
            # whose latest class it is: a rollover moves that pointer on.
            awaiting=Count(
                "memberships__student__applications",
                filter=Q(
                    memberships__student__applications__term=term,
                    memberships__student__applications__status=Status.SUBMITTED,
                ),
            ),
            returned=Count(
                "memberships__student__applications",
                filter=Q(
                    memberships__student__applications__term=term,
                    memberships__student__applications__status=Status.RETURNED,
                ),
            ),
            submitted=Exists(
                ClassSubmission.objects.filter(school_class=OuterRef("pk"), term=term)
            ),
        )
        .order_by("grade", "number")
    )
    items: list[Todo] = []
    for c in classes:
        if c.awaiting:
            items.append(
                Todo(
                    "review",
                    _("%(c)s：申请待审核") % {"c": c.display_name},
                    c.awaiting,
                    reverse("enrollment:class-review", args=[c.pk]),
                    urgent=True,
                )
            )
    for c in classes:
        if c.returned:
            items.append(
                Todo(
                    "returned",
                    _("%(c)s：已退回、家长尚未重新提交") % {"c": c.display_name},
                    c.returned,
                    reverse("enrollment:class-review", args=[c.pk]),
                )
            )
    open_classes = [c for c in classes if not c.submitted]
    if open_classes:
        blocking = list(
            Student.objects.filter(memberships__school_class__in=open_classes)
            .exclude(applications__term=term, applications__status__in=_NOT_DRAFT)
            .exclude(opt_outs__term=term, opt_outs__revoked_at__isnull=True)
            .values_list("memberships__school_class_id", "name")
            .order_by("name")
        )
        for c in open_classes:
            who = [n for cid, n in blocking if cid == c.pk]
            items.append(
                Todo(
                    "class_list",
                    _("%(c)s：名单尚未上报学校") % {"c": c.display_name},
                    len(who),
                    reverse("enrollment:class-review", args=[c.pk]),
                    detail=_("尚未申请或放弃：%(n)d 人") % {"n": len(who)}
                    if who
                    else _("可以上报"),
                    names=who[:10],
                )
            )
    sessions = _today_sessions(
        Session.objects.filter(Q(supervisor=user) | Q(school_class__homeroom_teacher=user)), today
    )
    due = _rolls_due(sessions, now)
    if due:
        items.append(
            Todo(
                "roll",
                _("今天的点名尚未完成"),
                len(due),
                reverse("scheduling:roll-index"),
                names=[f"{s.school_class.display_name} {s.get_period_display()}" for s in due],
                urgent=True,
            )
        )
    leave = LeaveRequest.objects.filter(
        student__school_class__in=classes, status=LeaveStatus.REQUESTED
    ).count()
    if leave:
        items.append(Todo("leave", _("请假待审批"), leave, reverse("scheduling:leave-list")))
    waiting = _not_collected(term=term, classes=classes, now=now)
    if waiting:
        items.append(
            Todo(
                "dismissal",
                _("今天尚未接走的孩子"),
                waiting,
                reverse("scheduling:dismissal-index"),
            )
        )
    return items + unread_todos(user)


_NOT_DRAFT = [s for s in Status.values if s != Status.DRAFT]


def _today_sessions(qs, today: datetime.date) -> list[Session]:
    return list(
        qs.filter(date=today)
        .select_related("school_class", "term__schedule")
        .annotate(marked=Count("attendances"))
        .order_by("period", "school_class__grade", "school_class__number")
    )


def _not_collected(*, term: Term, classes, now: datetime.datetime) -> int:
    """Children staying for the after-school period today with no dismissal
    yet, not boarders, not on approved leave, not marked absent, counted
    only once their last session of the day is over: the after-school
    period, whose end is the term's period time (``TermSchedule.after_end``,
    seed 一.2 18:10), on a day their class has a session and the school has
    not suspended. On the featured day with clubs after school, children
    who stay only for their club count too (as on the dismissal sheet,
    ``scheduling.attendance.selectors.dismissal_sheet``). Before that end:
    no query; after it: one, and on a school whose clubs meet after school
    the calendar's (≤3) to tell the featured day."""
    today = timezone.localtime(now).date()
    _start, end = term_schedule(term).period_times(Period.AFTER_SCHOOL)
    if now < timezone.make_aware(datetime.datetime.combine(today, end)):
        return 0
    part = Q(wants_after_school=True)
    if is_featured_after_school(term, today):
        part |= Q(wants_featured_day=True)
    student = OuterRef("student_id")
    return (
        Application.objects.filter(
            part,
            term=term,
            status=Status.APPROVED,
            student__memberships__school_class__in=classes,
            student__is_boarder=False,
        )
        .filter(
            # A session today of the student's class in the term's year.
            Exists(
                Session.objects.filter(
                    term=term, date=today, school_class__memberships__student_id=student
                )
            )
        )
        .exclude(
            Exists(
                ServiceChange.objects.filter(
                    school_id=term.school_id, date=today, kind=ServiceChangeKind.SUSPENDED
                )
            )
        )
        .exclude(Exists(Dismissal.objects.filter(student_id=student, date=today)))
        .exclude(
            Exists(
                LeaveRequest.objects.filter(
                    student_id=student,
                    status=LeaveStatus.APPROVED,
                    first_day__lte=today,
                    last_day__gte=today,
                )
            )
        )
        .exclude(
            Exists(
                Attendance.objects.filter(
                    student_id=student,
                    date=today,
                    period=Period.AFTER_SCHOOL,
                    status=AttendanceStatus.ABSENT,
                )
            )
        )
        .count()
    )


# ----------------------------------------------------------------- admin


# ----------------------------------------------------------------- teacher / volunteer


def staff_todos(*, user: User, now: datetime.datetime | None = None) -> list[Todo]:
    """A teacher's or volunteer's day: the sessions they supervise today
    with their rolls, and the clubs they lead meeting today. Queries:
    sessions; clubs with today's marks (2)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    sessions = _today_sessions(Session.objects.filter(supervisor=user), today)
    items = [
        Todo(
            "session",
            f"{s.school_class.display_name} {s.get_period_display()}",
            0 if s.marked else 1,
            reverse("scheduling:roll", args=[s.pk]),
            detail=_("已点名") if s.marked else _("待点名"),
            urgent=not s.marked and s in _rolls_due([s], now),
        )
        for s in sessions
    ]
    clubs = Club.objects.filter(
        teacher=user, weekday=today.weekday(), term__first_day__lte=today, term__last_day__gte=today
    ).annotate(marked=Count("attendances", filter=Q(attendances__date=today)))
    for c in clubs:
        items.append(
            Todo(
                "club",
                c.name,
                0 if c.marked else 1,
                reverse("scheduling:club-roll", args=[c.pk]) + f"?date={today.isoformat()}",
                detail=_("已点名") if c.marked else _("待点名"),
            )
        )
    return items + unread_todos(user)
