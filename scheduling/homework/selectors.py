"""Reads of the published homework: one class's day, the classes over their
grade's cap, a guardian's children's day."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Sum

from afterschool.models import SchoolClass
from scheduling.models import Homework, homework_cap_minutes


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
