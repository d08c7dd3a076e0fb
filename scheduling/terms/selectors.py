"""Reads of making the next term from the last: where the last term's rota
pattern goes in the new term's school year."""

from __future__ import annotations

from afterschool.models import SchoolClass, SchoolYear
from afterschool.rollover.selectors import classes_followed_into
from scheduling.rota.selectors import PatternSlot


def pattern_targets(
    slots: list[PatternSlot], *, school_id: int, start_year: int
) -> dict[int, SchoolClass]:
    """Source class pk → the class of the school year starting in
    ``start_year`` that the slots' supervisors go with: the class itself
    in its own school year, else the class its children moved up into
    (``classes_followed_into``: 三年级（2）班 → 四年级（2）班 a year on).
    Classes without one (graduated, or the school has not rolled over into
    that year yet) are left out. Two queries (none without slots)."""
    classes = {s.school_class.pk: s.school_class for s in slots}
    if not classes:
        return {}
    year = SchoolYear.objects.filter(school_id=school_id, start_year=start_year).first()
    if year is None:
        return {}
    return classes_followed_into(classes=classes.values(), school_year=year)
