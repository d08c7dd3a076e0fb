"""Chart selectors: exact figures on a built school, fixed queries at two sizes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from afterschool.models import Role
from overview.dashboards import selectors as sel
from tests import factories as f
from tests.overview.builders import build_school

pytestmark = pytest.mark.django_db


def _chart(charts, key):
    return next(c for c in charts if c.key == key)


class TestSchoolDashboardFigures:
    def test_survey_shares_by_class(self):
        b = build_school()
        chart = sel.survey_chart(term=b.term, classes=b.classes)
        assert chart.categories == ["三年级（1）班", "三年级（2）班"]
        assert [s.values for s in chart.series] == [[25.0, 25.0]] * 4
        assert chart.unit == "%"

    def test_funnel_counts_each_step(self):
        b = build_school()
        chart = sel.funnel_chart(term=b.term, classes=b.classes)
        assert chart.rows == [("三年级（1）班", [2, 2, 2, 1]), ("三年级（2）班", [2, 2, 2, 1])]

    def test_participation_and_priority(self):
        b = build_school()
        by_grade, by_class, priority = sel.participation_charts(term=b.term, classes=b.classes)
        assert by_grade.rows == [("三年级", [25.0])]
        assert by_class.rows == [("三年级（1）班", [25.0]), ("三年级（2）班", [25.0])]
        assert priority.rows[0] == ("进城务工人员随迁子女", [2, 2, 2])
        assert priority.rows[1] == ("留守儿童", [0, 0, 0])

    def test_attendance_by_week_and_full_attendance(self):
        b = build_school()
        week, full = sel.attendance_charts(term=b.term, classes=b.classes)
        assert week.rows == [("09-02", [6, 0, 2])]
        # Two of the four approved children were present at both rolls.
        assert full.rows == [("09-02", [50.0])]

    def test_clubs_capacity_placed_waiting(self):
        b = build_school()
        assert sel.clubs_chart(term=b.term).rows == [("合唱团", [10, 2, 2])]

    def test_fees_by_month_in_yuan(self):
        b = build_school()
        chart = sel.fees_chart(term=b.term, classes=b.classes)
        assert chart.rows == [
            ("2024-09", [Decimal("92.00"), Decimal("12.00"), Decimal("20.00"), Decimal("60.00")])
        ]
        assert chart.option()["series"][0]["values"] == [92.0]

    def test_staff_periods_per_person(self):
        b = build_school()
        assert sel.staff_chart(term=b.term).rows == [("看班老师31", [2]), ("看班老师32", [2])]
        # admin, club teacher, two supervisors; all but the admin take part.
        assert sel.teacher_participation(term=b.term) == (4, 3, 0)

    def test_homeroom_sees_only_their_class(self):
        b = build_school()
        charts = sel.class_dashboard(term=b.term, classes=b.classes[:1])
        assert _chart(charts, "funnel").rows == [("三年级（1）班", [2, 2, 2, 1])]
        assert {c.key for c in charts} >= {"survey", "attendance", "fees", "homework"}
        assert "clubs" not in {c.key for c in charts}

    def test_no_child_is_named_in_any_chart(self):
        b = build_school()
        text = repr([c.option() for c in sel.school_dashboard(term=b.term, classes=b.classes)])
        assert not [s.name for s in b.students if s.name in text]


class TestFixedQueries:
    def _count(self, fn):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    def test_school_dashboard_same_queries_at_two_sizes(self):
        small = build_school(per_class=4)
        n_small = self._count(lambda: sel.school_dashboard(term=small.term, classes=small.classes))
        big = build_school(classes=((1, 1), (2, 1), (3, 1), (4, 2)), per_class=12)
        n_big = self._count(lambda: sel.school_dashboard(term=big.term, classes=big.classes))
        # survey 2, funnel 2, participation 1, attendance 2, clubs 3, fees 3, staff 2, homework 1
        assert n_small == n_big == 16

    def test_class_dashboard_and_home_charts_fixed(self):
        small = build_school(per_class=4)
        big = build_school(classes=((5, 1), (5, 2)), per_class=16)
        a = self._count(lambda: sel.class_dashboard(term=small.term, classes=small.classes[:1]))
        z = self._count(lambda: sel.class_dashboard(term=big.term, classes=big.classes[:1]))
        assert a == z == 11
        a = self._count(
            lambda: sel.home_charts(user=small.admin, term=small.term, classes=small.classes)
        )
        z = self._count(lambda: sel.home_charts(user=big.admin, term=big.term, classes=big.classes))
        assert a == z == 6


class TestHomeChartsForUser:
    def test_admin_and_homeroom_get_charts_others_none(self):
        b = build_school()
        hr = f.make_user(b.school, Role.HOMEROOM)
        b.classes[0].homeroom_teacher = hr
        b.classes[0].save()
        day = datetime.date(2024, 10, 8)
        admin = sel.home_charts_for_user(b.admin, today=day)
        assert [c.key for c in admin] == ["participation_grade", "attendance", "fees"]
        mine = sel.home_charts_for_user(hr, today=day)
        assert mine[0].categories == ["三年级（1）班"]
        assert sel.home_charts_for_user(f.make_user(b.school, Role.TEACHER), today=day) == []
