"""Reads of the published homework: one class's day, the classes over their
grade's cap, a guardian's children's day, and each class's weekly average
(the cap is a daily average, checked week by week).

The weekly check (seed 小学开展"双减"工作实施方案 二.4: 三至六年级书面作业时间
平均每天不超过1小时; policy: junior middle ≤ 90 minutes; grades 1–2 none): a
class's week is its written minutes of the week divided by the week's days —
the school's official school days of that week inside the term (up to the
day looked at), plus any other day of the week with written homework
published. A school day without published written homework counts as a day
of 0 minutes (作业公示 publishes every day's homework). The week is over the
cap when that average passes the grade's daily cap; for grades 1–2 any
written homework is over.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext as _

from afterschool.models import GRADE_NAMES, SchoolClass, Term
from scheduling.calendar.days import school_days_of_schools
from scheduling.models import NO_WRITTEN_HOMEWORK_GRADES, Homework, homework_cap_minutes


@dataclass
class ClassDay:
    """One class's homework on one day with its written total (minutes)
    against the grade's cap (seed 二.4; junior middle 90 minutes, policy)."""

    school_class: SchoolClass
    items: list[Homework] = field(default_factory=list)

    @property
    def written_minutes(self) -> int:
        return sum(h.minutes for h in self.items if h.is_written)

    @property
    def cap(self) -> int:
        return homework_cap_minutes(self.school_class.grade)

    @property
    def over_cap(self) -> bool:
        return self.written_minutes > self.cap


def homework_days(classes: list[SchoolClass], date: datetime.date) -> list[ClassDay]:
    """Each of ``classes`` with its homework on ``date``, in the classes'
    order. One query."""
    days = {c.pk: ClassDay(c) for c in classes}
    for h in Homework.objects.filter(school_class_id__in=list(days), date=date).select_related(
        "set_by"
    ):
        days[h.school_class_id].items.append(h)
    return list(days.values())


def over_cap_classes(classes, date: datetime.date) -> list[tuple[SchoolClass, int, int]]:
    """The classes of ``classes`` (a queryset) whose written homework on
    ``date`` passes their grade's cap: (class, minutes, cap). One query."""
    totals = dict(
        Homework.objects.filter(school_class__in=classes, date=date, is_written=True)
        .values_list("school_class_id")
        .annotate(m=Sum("minutes"))
        .values_list("school_class_id", "m")
        .order_by()
    )
    out = []
    for c in classes.filter(pk__in=list(totals)).order_by("grade", "number"):
        cap = homework_cap_minutes(c.grade)
        if totals[c.pk] > cap:
            out.append((c, totals[c.pk], cap))
    return out


# ------------------------------------------------------------ weekly check


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_name(monday: datetime.date) -> str:
    """「9月2日当周」: a week by its Monday, as the flags name it."""
    return _("%(m)s月%(d)s日当周") % {"m": monday.month, "d": monday.day}


@dataclass
class HomeworkWeek:
    """One class's written homework over one week (``week``: its Monday):
    ``minutes`` in all, over ``days`` days (module docstring)."""

    class_id: int
    grade: int
    week: datetime.date
    minutes: int = 0
    days: int = 0

    @property
    def cap(self) -> int:
        """The grade's daily cap in minutes (0 for grades 1–2)."""
        return homework_cap_minutes(self.grade)

    @property
    def average(self) -> float:
        """Written minutes a day over the week, one decimal."""
        return round(self.minutes / self.days, 1) if self.days else 0.0

    @property
    def over_cap(self) -> bool:
        # Compared exactly (minutes against cap × days), never on the rounded average.
        return self.minutes > self.cap * self.days


@dataclass
class GradeWeek:
    """One grade's week: its classes' written minutes over their class-days
    (``days``), and how many of its classes were over the cap that week."""

    grade: int
    week: datetime.date
    minutes: int = 0
    days: int = 0
    classes: int = 0
    classes_over: int = 0

    @property
    def name(self) -> str:
        return GRADE_NAMES[self.grade]

    @property
    def cap(self) -> int:
        return homework_cap_minutes(self.grade)

    @property
    def average(self) -> float:
        """Written minutes a day per class of the grade, one decimal."""
        return round(self.minutes / self.days, 1) if self.days else 0.0

    @property
    def over_cap(self) -> bool:
        return self.minutes > self.cap * self.days


def homework_weeks(
    daily: Iterable[tuple[int, datetime.date, int]],
    *,
    class_grades: Mapping[int, int],
    school_days: set[datetime.date],
    first: datetime.date,
    last: datetime.date,
) -> list[HomeworkWeek]:
    """Each class of ``class_grades`` ({class id: grade}) × each week from
    ``first`` to ``last`` (inclusive) with at least one day counted, from
    ``daily`` rows (class id, date, written minutes that day; rows outside
    the span or of other classes are ignored) and the school's
    ``school_days``. Ordered by week, then in ``class_grades``' order.
    No query."""
    per_class: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    for cid, day, minutes in daily:
        if cid in class_grades and first <= day <= last:
            per_class[cid][day] = per_class[cid].get(day, 0) + minutes
    in_span = {d for d in school_days if first <= d <= last}
    out = []
    monday = monday_of(first)
    one_week = datetime.timedelta(days=7)
    while monday <= last:
        sunday = monday + datetime.timedelta(days=6)
        week_days = {d for d in in_span if monday <= d <= sunday}
        for cid, grade in class_grades.items():
            hw = {d: m for d, m in per_class[cid].items() if monday <= d <= sunday}
            days = len(week_days | set(hw))
            if days:
                out.append(HomeworkWeek(cid, grade, monday, sum(hw.values()), days))
        monday += one_week
    return out


def term_homework_weeks(
    *, term: Term, classes: list[SchoolClass], today: datetime.date
) -> list[HomeworkWeek]:
    """``homework_weeks`` of ``classes`` (of ``term``'s school) from the
    term's first day to ``today`` or its last day, whichever comes first
    (empty before the term). Two queries (three when the term runs into a
    year ``chinesecalendar`` does not know): the school's calendar rows
    (and entered years), the written minutes per class and day."""
    until = min(term.last_day, today)
    if until < term.first_day or not classes:
        return []
    days = school_days_of_schools({term.school_id: (term.first_day, until)})[term.school_id]
    daily = (
        Homework.objects.filter(
            school_class_id__in=[c.pk for c in classes],
            date__range=(term.first_day, until),
            is_written=True,
        )
        .values_list("school_class_id", "date")
        .annotate(m=Sum("minutes"))
        .values_list("school_class_id", "date", "m")
        .order_by()
    )
    return homework_weeks(
        daily,
        class_grades={c.pk: c.grade for c in classes},
        school_days=days,
        first=term.first_day,
        last=until,
    )


def grade_weeks(weeks: Iterable[HomeworkWeek]) -> list[GradeWeek]:
    """``weeks`` (class weeks) summed by grade and week, ordered by week then
    grade. No query."""
    out: dict[tuple[int, datetime.date], GradeWeek] = {}
    for w in weeks:
        g = out.setdefault((w.grade, w.week), GradeWeek(w.grade, w.week))
        g.minutes += w.minutes
        g.days += w.days
        g.classes += 1
        g.classes_over += int(w.over_cap)
    return sorted(out.values(), key=lambda g: (g.week, g.grade))


def week_flag(class_name: str, week: HomeworkWeek) -> str:
    """The message for a class's week over the cap, naming the rule."""
    if week.grade in NO_WRITTEN_HOMEWORK_GRADES:
        return _(
            "%(cls)s %(week)s：布置了书面作业%(minutes)s分钟（一、二年级不布置课外书面作业）"
        ) % {"cls": class_name, "week": week_name(week.week), "minutes": week.minutes}
    return _("%(cls)s %(week)s：书面作业日均%(avg)s分钟，超过上限每天%(cap)s分钟") % {
        "cls": class_name,
        "week": week_name(week.week),
        "avg": week.average,
        "cap": week.cap,
    }
