"""The demo's 学号: each class numbered 1, 2, 3 … in 学籍号 order, kept on a
second load (deterministic, idempotent)."""

import pytest

from afterschool.models import Student
from demo import class_numbers
from demo.base import DemoSchool
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_numbers_fill_each_class_in_student_number_order_and_stay(world):
    f.make_student(world.class_a, "后来", student_number="G9", class_number=None)
    f.make_student(world.class_a, "先来", student_number="G0", class_number=None)
    demo = DemoSchool(school=world.school)
    class_numbers.build(demo)
    a = list(Student.objects.filter(school_class=world.class_a).order_by("student_number"))
    assert [s.class_number for s in a] == list(range(1, len(a) + 1))
    before = dict(Student.objects.values_list("pk", "class_number"))
    class_numbers.build(demo)
    assert dict(Student.objects.values_list("pk", "class_number")) == before
