"""Every class list in the class's 学号 order, or the order the school chose
(``afterschool.selectors.class_order``): roll call, dismissal, the people
list; students without a 学号 last; the school's choice read in the same
query."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from afterschool.models import Student, StudentOrder
from afterschool.selectors import class_order
from enrollment.models import Application
from scheduling.attendance import selectors as attendance
from scheduling.models import Period, Session
from tests import factories as f

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 9, 3)  # a Tuesday of the term


@pytest.fixture
def classmates(world):
    """Names and 学籍号 in a different order from the 学号."""
    rows = [("丁", "G3", 2), ("甲", "G4", 1), ("乙", "G1", None), ("丙", "G2", 3)]
    return [
        f.make_student(world.class_a, name, student_number=number, class_number=seat)
        for name, number, seat in rows
    ]


def names(qs):
    return [s.name for s in qs if s.name in "甲乙丙丁"]


class TestClassOrder:
    def test_by_class_number_with_the_unnumbered_last(self, world, classmates):
        qs = Student.objects.filter(school_class=world.class_a).order_by(*class_order())
        assert names(qs) == ["甲", "丁", "丙", "乙"]

    def test_the_school_may_choose_student_number_or_name(self, world, classmates):
        world.school.student_order = StudentOrder.STUDENT_NUMBER
        world.school.save()
        qs = Student.objects.filter(school_class=world.class_a).order_by(*class_order())
        assert names(qs) == ["乙", "丙", "丁", "甲"]
        world.school.student_order = StudentOrder.NAME
        world.school.save()
        qs = Student.objects.filter(school_class=world.class_a).order_by(*class_order())
        assert names(qs) == sorted(names(qs))

    def test_through_a_relation_in_one_query(self, world, classmates, django_assert_num_queries):
        with django_assert_num_queries(1):
            rows = list(Student.objects.filter(school_class=world.class_a).order_by(*class_order()))
        assert rows

    def test_with_the_school_given_the_same_order_without_the_join(self, world, classmates):
        for order in StudentOrder:
            world.school.student_order = order
            world.school.save()
            qs = Student.objects.filter(school_class=world.class_a)
            joined = list(qs.order_by(*class_order()))
            direct = qs.order_by(*class_order(school=world.school))
            assert list(direct) == joined, order
            assert "student_order" not in str(direct.query)


class TestEveryClassListUsesIt:
    def test_roll_call_is_in_class_number_order(self, world, classmates, enroll):
        term = f.make_term(world.school)
        for s in classmates:
            enroll(s, term)
        rows = attendance.roll_students(
            school_class_id=world.class_a.pk, term=term, period=Period.NOON
        )
        assert names(rows) == ["甲", "丁", "丙", "乙"]

    def test_roll_page_lists_in_class_number_order(self, client, world, classmates, enroll):
        term = f.make_term(world.school)
        for s in classmates:
            enroll(s, term)
        session = Session.objects.create(
            term=term,
            date=DAY,
            weekday=DAY.weekday(),
            period=Period.NOON,
            school_class=world.class_a,
            supervisor=world.teacher,
        )
        client.force_login(world.teacher)
        html = client.get(reverse("scheduling:roll", args=[session.pk])).content.decode()
        at = [html.index(n) for n in ("甲", "丁", "丙", "乙")]
        assert at == sorted(at)

    def test_dismissal_list_is_in_class_number_order(self, world, classmates, enroll):
        term = f.make_term(world.school)
        for s in classmates:
            enroll(s, term)
        assert Application.objects.filter(term=term).count() == 4
        sheet = attendance.dismissal_sheet(school_class=world.class_a, term=term, date=DAY)
        assert names(r.student for r in sheet.rows) == ["甲", "丁", "丙", "乙"]

    def test_people_list_shows_the_class_number_and_follows_it(self, client, world, classmates):
        client.force_login(world.homeroom_a)
        response = client.get(reverse("people:student-list"))
        rows = [r.record.name for r in response.context["table"].page.object_list]
        assert [n for n in rows if n in "甲乙丙丁"] == ["甲", "丁", "丙", "乙"]
        assert "学号" in response.content.decode()
