"""The numbers the dashboards' charts and the county's figures share: shares
in per cent, who counts as applied or placed, participation by class and
grade of a term's year, 5-day full attendance by finished week and teacher
participation. Each with a fixed number of queries; nothing names a child.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from afterschool.dates import month_day
from afterschool.models import (
    ClassMembership,
    Role,
    Student,
    Term,
    User,
)
from enrollment.models import Application, Status
from scheduling.models import (
    Attendance,
    AttendanceStatus,
    Club,
    Session,
)

ZERO = Decimal("0.00")


# Statuses at or past each step of the funnel (a withdrawn child was applied).
APPLIED = frozenset(set(Status.values) - {Status.DRAFT})


HOMEROOM_APPROVED = frozenset(
    {Status.APPROVED_BY_HOMEROOM, Status.SUBMITTED_TO_SCHOOL, Status.APPROVED}
)


PRIORITY_GROUPS = Student.PRIORITY_FIELDS


def share(part: int, whole: int) -> float:
    """``part`` of ``whole`` in per cent, one decimal; 0.0 when ``whole`` is 0."""
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass
class ParticipationFigures:
    """Students and placed (school-approved) participants, per class, per
    grade and per priority group (applied / placed)."""

    by_class: dict[int, tuple[int, int]]
    by_grade: dict[int, tuple[int, int]]
    priority: dict[str, tuple[int, int, int]]  # group field -> (children, applied, placed)

    @property
    def students(self) -> int:
        return sum(s for s, _p in self.by_grade.values())

    @property
    def participants(self) -> int:
        return sum(p for _s, p in self.by_grade.values())


def participation_figures(*, term: Term, class_ids: list[int]) -> ParticipationFigures:
    """One query: every student of ``class_ids`` (classes of ``term``'s
    school year) with their class and grade *of that year* (through
    ``ClassMembership``: a past term's figures keep their children after the
    school year's rollover), priority flags and whether they applied / were
    placed in ``term``."""
    apps = Application.objects.filter(term=term, student=OuterRef("student_id"))
    rows = (
        ClassMembership.objects.filter(school_class_id__in=class_ids)
        .annotate(
            applied=Exists(apps.filter(status__in=APPLIED)),
            placed=Exists(apps.filter(status=Status.APPROVED)),
        )
        .values_list(
            "school_class_id",
            "school_class__grade",
            "applied",
            "placed",
            *(f"student__{g}" for g in PRIORITY_GROUPS),
        )
        .order_by()
    )
    by_class: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_grade: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    priority = {g: [0, 0, 0] for g in PRIORITY_GROUPS}
    for cid, grade, applied, placed, *flags in rows:
        for bucket in (by_class[cid], by_grade[grade]):
            bucket[0] += 1
            bucket[1] += int(placed)
        for g, flag in zip(PRIORITY_GROUPS, flags, strict=True):
            if flag:
                priority[g][0] += 1
                priority[g][1] += int(applied)
                priority[g][2] += int(placed)
    return ParticipationFigures(
        {k: tuple(v) for k, v in by_class.items()},
        {k: tuple(v) for k, v in sorted(by_grade.items())},
        {k: tuple(v) for k, v in priority.items()},
    )


PRESENT = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def week_label(monday: datetime.date) -> str:
    return month_day(monday)


def full_attendance_until(term: Term, today: datetime.date | None = None) -> datetime.date:
    """The last day the 5天全勤 figures count: the Sunday before ``today``'s
    week (or the term's last day, if earlier). Only finished weeks count: in
    the current week today's and the coming days' rolls are not taken yet, and
    counting them as missed pulls the share down. The dashboards and the
    county's 5天全勤率 both use this rule."""
    today = today or timezone.localdate()
    return min(term.last_day, today - datetime.timedelta(days=today.weekday() + 1))


def full_attendance_by_week(
    *, term: Term, class_ids: list[int], today: datetime.date | None = None
) -> dict[datetime.date, tuple[int, int]]:
    """Per finished week (its Monday; ``full_attendance_until``): (students
    with a roll that week, students present at every roll-call day of that
    week with no leave or absence). A week's days are the dates with any roll
    in scope, so holiday weeks count their own service days. One query
    (students × weeks rows)."""
    rows = (
        Attendance.objects.filter(
            date__range=(term.first_day, full_attendance_until(term, today)),
            student__memberships__school_class_id__in=class_ids,
        )
        .annotate(week=TruncWeek("date"))
        .values("week", "student_id")
        .annotate(
            days=Count("date", distinct=True, filter=Q(status__in=PRESENT)),
            missed=Count("pk", filter=~Q(status__in=PRESENT)),
            all_days=Count("date", distinct=True),
        )
        .order_by()
    )
    week_days: dict[datetime.date, int] = defaultdict(int)
    per: list[tuple[datetime.date, int, int]] = []
    for r in rows:
        week = r["week"].date() if isinstance(r["week"], datetime.datetime) else r["week"]
        week_days[week] = max(week_days[week], r["all_days"])
        per.append((week, r["days"], r["missed"]))
    out: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0])
    for week, days, missed in per:
        out[week][0] += 1
        out[week][1] += int(missed == 0 and days >= week_days[week])
    return {w: tuple(out[w]) for w in sorted(out)}


TEACHING_ROLES = (Role.ADMIN, Role.HOMEROOM, Role.TEACHER)


def teacher_participation(*, term: Term) -> tuple[int, int, int]:
    """(teachers of the school, teachers supervising or leading a club in
    ``term``, volunteers). One query."""
    sessions = Session.objects.filter(term=term, supervisor=OuterRef("pk"))
    clubs = Club.objects.filter(term=term, teacher=OuterRef("pk"))
    agg = (
        User.objects.filter(school_id=term.school_id, is_active=True)
        .annotate(active=Exists(sessions) | Exists(clubs))
        .aggregate(
            teachers=Count("pk", filter=Q(role__in=TEACHING_ROLES)),
            taking_part=Count("pk", filter=Q(role__in=TEACHING_ROLES, active=True)),
            volunteers=Count("pk", filter=Q(role=Role.VOLUNTEER)),
        )
    )
    return agg["teachers"], agg["taking_part"], agg["volunteers"]
