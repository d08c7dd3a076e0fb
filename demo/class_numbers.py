"""Demo 学号: each class's students numbered 1, 2, 3 … in 学籍号 order, as a
school's roster would carry them, so roll call and dismissal read in 学号
order. Deterministic and idempotent (numbers only fill the gaps)."""

from __future__ import annotations

from afterschool.models import Student
from demo.base import DemoSchool


def build(demo: DemoSchool) -> None:
    """Give every student of the demo school without a 学号 the next number
    of their class (existing numbers are kept). One read, one bulk update."""
    students = list(
        Student.objects.filter(school=demo.school).order_by(
            "school_class_id", "student_number", "pk"
        )
    )
    taken: dict[int, int] = {}
    for s in students:
        if s.class_number:
            taken[s.school_class_id] = max(taken.get(s.school_class_id, 0), s.class_number)
    changed = []
    for s in students:
        if s.class_number is None:
            s.class_number = taken.get(s.school_class_id, 0) + 1
            taken[s.school_class_id] = s.class_number
            changed.append(s)
    Student.objects.bulk_update(changed, ["class_number"], batch_size=500)
