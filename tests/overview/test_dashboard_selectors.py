"""Chart selectors: exact figures on a built school, fixed queries at two sizes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from afterschool.models import Role
from afterschool.rollover.services import school_year_rollover
from overview.dashboards import figures
from overview.dashboards import selectors as sel
from scheduling.models import Homework, Session
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

    def test_participation_of_a_past_term_after_the_rollover(self):
        """After the school year's rollover the children's latest class is a
        四年级 of next year; last year's term still counts them in 三年级."""
        b = build_school()
        school_year_rollover(school=b.term.school, from_year=b.term.school_year, by=b.admin)
        by_grade, by_class, priority = sel.participation_charts(term=b.term, classes=b.classes)
        assert by_grade.rows == [("三年级", [25.0])]
        assert by_class.rows == [("三年级（1）班", [25.0]), ("三年级（2）班", [25.0])]
        assert priority.rows[0] == ("进城务工人员随迁子女", [2, 2, 2])

    def test_every_chart_of_a_past_term_after_the_rollover(self):
        """The survey, the funnel and the attendance of last year's term
        still count its children in last year's classes."""
        b = build_school()
        before = [
            sel.survey_chart(term=b.term, classes=b.classes).rows,
            sel.funnel_chart(term=b.term, classes=b.classes).rows,
            [c.rows for c in sel.attendance_charts(term=b.term, classes=b.classes)],
        ]
        school_year_rollover(school=b.term.school, from_year=b.term.school_year, by=b.admin)
        after = [
            sel.survey_chart(term=b.term, classes=b.classes).rows,
            sel.funnel_chart(term=b.term, classes=b.classes).rows,
            [c.rows for c in sel.attendance_charts(term=b.term, classes=b.classes)],
        ]
        assert after == before
        assert before[2][0] == [("9月2日", [6, 0, 2])]

    def test_attendance_by_week_and_full_attendance(self):
        b = build_school()
        week, full = sel.attendance_charts(term=b.term, classes=b.classes)
        assert week.rows == [("9月2日", [6, 0, 2])]
        # Two of the four approved children were present at both rolls.
        assert full.rows == [("9月2日", [50.0])]

    def test_full_attendance_leaves_out_the_week_not_yet_over(self):
        # The rolls are on Mon 2 and Tue 3 September; on Wednesday the rest of
        # the week's rolls are not taken, so that week is not counted yet.
        b = build_school()
        wednesday = timezone.make_aware(datetime.datetime(2024, 9, 4, 10))
        with time_machine.travel(wednesday, tick=False):
            _week, full = sel.attendance_charts(term=b.term, classes=b.classes)
            assert full.rows == []
            assert "仅统计已结束的周" in str(full.title)
        with time_machine.travel(wednesday + datetime.timedelta(days=5), tick=False):
            _week, full = sel.attendance_charts(term=b.term, classes=b.classes)
            assert full.rows == [("9月2日", [50.0])]

    def test_clubs_capacity_placed_waiting(self):
        b = build_school()
        assert sel.clubs_chart(term=b.term).rows == [("合唱团", [10, 2, 2])]

    def test_fees_by_month_in_yuan(self):
        b = build_school()
        chart = sel.fees_chart(term=b.term, classes=b.classes)
        assert chart.rows == [
            ("2024年9月", [Decimal("92.00"), Decimal("12.00"), Decimal("20.00"), Decimal("60.00")])
        ]
        assert chart.option()["series"][0]["values"] == [92.0]

    def test_staff_periods_per_person(self):
        b = build_school()
        assert sel.staff_chart(term=b.term).rows == [("看班老师31", [2]), ("看班老师32", [2])]
        # admin, club teacher, two supervisors; all but the admin take part.
        assert figures.teacher_participation(term=b.term) == (4, 3, 0)

    def test_staff_chart_marks_volunteers_and_the_county_rate_leaves_them_out(self):
        b = build_school()
        volunteer = f.make_user(b.school, Role.VOLUNTEER, name="胡倩")
        session = Session.objects.filter(term=b.term).order_by("pk").first()
        Session.objects.filter(pk=session.pk).update(supervisor=volunteer)
        chart = sel.staff_chart(term=b.term)
        assert chart.title == "教师和志愿者参与（看班课时/人）"
        assert ("胡倩（志愿者）", [1]) in chart.rows
        # Teachers only in the rate; the volunteer is one outside helper.
        teachers, taking_part, volunteers = figures.teacher_participation(term=b.term)
        assert (teachers, volunteers) == (4, 1) and taking_part <= 3

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


def _homework(school_class, day, minutes, content="练习"):
    Homework.objects.create(
        school=school_class.school,
        school_class=school_class,
        date=day,
        subject="数学",
        content=content,
        minutes=minutes,
    )


class TestHomeworkWeeksChart:
    """The homework chart is the week's average a day (the cap is a daily
    average checked weekly), not the term's; weeks over the cap are flagged."""

    FRIDAY = datetime.date(2024, 9, 20)

    def _built(self):
        b = build_school(classes=((3, 1), (3, 2), (1, 1)), per_class=4)
        c31, _c32, c11 = b.classes
        for i in range(4):  # week of 2 Sept: 280 / 5 = 56, within 60 a day
            _homework(c31, datetime.date(2024, 9, 2) + datetime.timedelta(days=i), 70)
        for d in (18, 19, 20):  # week of 16 Sept: three school days, 70 a day
            _homework(c31, datetime.date(2024, 9, d), 70, content=f"表扬{b.students[0].name}")
        _homework(c11, datetime.date(2024, 9, 10), 10)  # grade 1: any written is over
        return b

    def test_homeroom_chart_by_class_with_flags(self):
        b = self._built()
        chart = sel.homework_chart(term=b.term, classes=b.classes, today=self.FRIDAY)
        assert chart.kind == "line" and chart.unit == "分钟"
        assert chart.categories == ["9月2日", "9月9日", "9月16日"]
        assert [(s.name, s.values) for s in chart.series] == [
            ("三年级（1）班", [56.0, 0.0, 70.0]),
            ("三年级（2）班", [0.0, 0.0, 0.0]),
            ("一年级（1）班", [0.0, 1.7, 0.0]),  # 10 minutes over six school days
        ]
        assert chart.flags == [
            "一年级（1）班 9月9日当周：布置了书面作业10分钟（一、二年级不布置课外书面作业）",
            "三年级（1）班 9月16日当周：书面作业日均70.0分钟，超过上限每天60分钟",
        ]

    def test_admin_chart_by_grade_keeps_class_flags(self):
        b = self._built()
        charts = sel.school_dashboard(term=b.term, classes=b.classes, today=self.FRIDAY)
        chart = _chart(charts, "homework")
        assert [(s.name, s.values) for s in chart.series] == [
            ("一年级", [0.0, 1.7, 0.0]),
            ("三年级", [28.0, 0.0, 35.0]),
        ]
        assert len(chart.flags) == 2
        assert not [s.name for s in b.students if any(s.name in f for f in chart.flags)]

    def test_before_the_term_the_chart_is_empty(self):
        b = self._built()
        chart = sel.homework_chart(term=b.term, classes=b.classes, today=datetime.date(2024, 8, 1))
        assert chart.is_empty and chart.flags == []


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
        # survey 2, funnel 2, participation 1, attendance 2, clubs 3, fees 3, staff 2,
        # homework 2 (calendar rows, minutes per class and day)
        assert n_small == n_big == 17

    def test_class_dashboard_and_home_charts_fixed(self):
        small = build_school(per_class=4)
        big = build_school(classes=((5, 1), (5, 2)), per_class=16)
        a = self._count(lambda: sel.class_dashboard(term=small.term, classes=small.classes[:1]))
        z = self._count(lambda: sel.class_dashboard(term=big.term, classes=big.classes[:1]))
        assert a == z == 12
        a = self._count(
            lambda: sel.home_charts(user=small.admin, term=small.term, classes=small.classes)
        )
        z = self._count(lambda: sel.home_charts(user=big.admin, term=big.term, classes=big.classes))
        # participation 1, attendance by week 1 (no 5天全勤 on the home page), fees 3
        assert a == z == 5


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
