"""The weekly homework check (作业公示, seed 二.4: a daily average checked week by
week): the week's written minutes over the week's school days, holidays and
make-up Saturdays of the official calendar, the exact cap, grades 1–2, the
week so far, homework on a day off; the schools' school days in one query."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling.calendar.days import school_days, school_days_of_schools
from scheduling.homework.selectors import (
    grade_weeks,
    homework_weeks,
    term_homework_weeks,
    week_flag,
)
from scheduling.models import CalendarDay, CalendarDayKind, Homework
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
MON = D(2024, 9, 2)


def hw(school_class, day, minutes, *, subject="数学", written=True):
    return Homework.objects.create(
        school=school_class.school,
        school_class=school_class,
        date=day,
        subject=subject,
        content="练习",
        is_written=written,
        minutes=minutes,
    )


def by_week(weeks, class_id):
    return {
        w.week: (w.minutes, w.days, w.average, w.over_cap) for w in weeks if w.class_id == class_id
    }


class TestHomeworkWeeks:
    def test_daily_excess_is_averaged_over_the_weeks_school_days(self):
        # 70 minutes on four days of a five-day week: 280 / 5 = 56 ≤ 60.
        daily = [(1, MON + datetime.timedelta(days=i), 70) for i in range(4)]
        weeks = homework_weeks(
            daily,
            class_grades={1: 3},
            school_days={MON + datetime.timedelta(days=i) for i in range(5)},
            first=MON,
            last=D(2024, 9, 8),
        )
        assert [(w.minutes, w.days, w.average, w.over_cap) for w in weeks] == [
            (280, 5, 56.0, False)
        ]

    def test_exactly_the_cap_is_not_over_one_minute_more_is(self):
        days = {MON + datetime.timedelta(days=i) for i in range(5)}
        at_cap = [(1, d, 60) for d in days]
        over = [*at_cap, (2, MON, 1), *[(2, d, 60) for d in days]]
        weeks = homework_weeks(
            over, class_grades={1: 3, 2: 3}, school_days=days, first=MON, last=D(2024, 9, 8)
        )
        assert [(w.class_id, w.average, w.over_cap) for w in weeks] == [
            (1, 60.0, False),
            (2, 60.2, True),
        ]

    def test_junior_middle_cap_is_ninety(self):
        days = {MON}
        weeks = homework_weeks(
            [(7, MON, 90), (8, MON, 91)],
            class_grades={7: 7, 8: 8},
            school_days=days,
            first=MON,
            last=MON,
        )
        assert [(w.cap, w.over_cap) for w in weeks] == [(90, False), (90, True)]

    def test_grades_one_and_two_any_written_homework_is_over(self):
        weeks = homework_weeks(
            [(1, MON, 5)], class_grades={1: 1, 2: 2}, school_days={MON}, first=MON, last=MON
        )
        assert [(w.class_id, w.cap, w.over_cap) for w in weeks] == [(1, 0, True), (2, 0, False)]
        assert "一、二年级不布置课外书面作业" in week_flag("一年级（1）班", weeks[0])
        assert "9月2日当周" in week_flag("一年级（1）班", weeks[0])

    def test_homework_on_a_day_off_counts_that_day(self):
        # Sat 7 September is no school day: its 60 minutes and the day both count.
        days = {MON + datetime.timedelta(days=i) for i in range(5)}
        daily = [*[(1, d, 60) for d in days], (1, D(2024, 9, 7), 60)]
        weeks = homework_weeks(
            daily, class_grades={1: 3}, school_days=days, first=MON, last=D(2024, 9, 8)
        )
        assert [(w.minutes, w.days, w.over_cap) for w in weeks] == [(360, 6, False)]

    def test_rows_outside_the_span_or_of_other_classes_are_ignored(self):
        weeks = homework_weeks(
            [(1, D(2024, 8, 30), 500), (9, MON, 500), (1, MON, 30)],
            class_grades={1: 3},
            school_days={MON},
            first=MON,
            last=MON,
        )
        assert [(w.minutes, w.days) for w in weeks] == [(30, 1)]

    def test_grade_weeks_pool_the_classes_and_count_those_over(self):
        days = {MON}
        weeks = homework_weeks(
            [(1, MON, 80), (2, MON, 20)],
            class_grades={1: 3, 2: 3, 3: 4},
            school_days=days,
            first=MON,
            last=MON,
        )
        (g3, g4) = grade_weeks(weeks)
        assert (g3.grade, g3.minutes, g3.days, g3.average, g3.over_cap, g3.classes_over) == (
            3,
            100,
            2,
            50.0,
            False,
            1,
        )
        assert (g4.grade, g4.average, g4.classes_over) == (4, 0.0, 0)


class TestTermHomeworkWeeks:
    def test_official_calendar_holidays_and_makeup_days(self):
        school = f.make_school()
        term = f.make_term(school)
        c3 = f.make_class(school, 3, 1)
        # Week of 9 September has six school days (Sat 14 is a make-up day).
        for d in (
            D(2024, 9, 9),
            D(2024, 9, 10),
            D(2024, 9, 11),
            D(2024, 9, 12),
            D(2024, 9, 13),
            D(2024, 9, 14),
        ):
            hw(c3, d, 65)
        # Week of 16 September: Mid-autumn (16–17) leaves three days; 70 a day is over.
        for d in (D(2024, 9, 18), D(2024, 9, 19), D(2024, 9, 20)):
            hw(c3, d, 70)
        hw(c3, D(2024, 9, 18), 30, subject="语文", written=False)  # oral: not counted
        weeks = term_homework_weeks(term=term, classes=[c3], today=D(2024, 9, 20))
        assert by_week(weeks, c3.pk) == {
            MON: (0, 5, 0.0, False),
            D(2024, 9, 9): (390, 6, 65.0, True),
            D(2024, 9, 16): (210, 3, 70.0, True),
        }

    def test_the_week_so_far_and_nothing_before_the_term(self):
        school = f.make_school()
        term = f.make_term(school)
        c3 = f.make_class(school, 3, 1)
        hw(c3, MON, 100)
        hw(c3, D(2024, 9, 5), 100)  # after today: not yet counted
        weeks = term_homework_weeks(term=term, classes=[c3], today=D(2024, 9, 4))
        assert by_week(weeks, c3.pk) == {MON: (100, 3, 33.3, False)}
        assert term_homework_weeks(term=term, classes=[c3], today=D(2024, 8, 30)) == []

    def test_a_school_holiday_row_shortens_the_week(self):
        school = f.make_school()
        term = f.make_term(school)
        c3 = f.make_class(school, 3, 1)
        CalendarDay.objects.create(school=school, date=D(2024, 9, 6), kind=CalendarDayKind.HOLIDAY)
        for d in (MON, D(2024, 9, 3), D(2024, 9, 4), D(2024, 9, 5)):
            hw(c3, d, 70)
        weeks = term_homework_weeks(term=term, classes=[c3], today=D(2024, 9, 8))
        assert by_week(weeks, c3.pk) == {MON: (280, 4, 70.0, True)}

    def test_two_queries_whatever_the_size(self):
        school = f.make_school()
        term = f.make_term(school)
        small = [f.make_class(school, 3, 1)]
        big = [f.make_class(school, g, n) for g in (1, 4, 8) for n in (1, 2)]
        for c in big:
            hw(c, MON, 20)

        def count(classes):
            with CaptureQueriesContext(connection) as ctx:
                term_homework_weeks(term=term, classes=classes, today=D(2024, 12, 20))
            return len(ctx.captured_queries)

        assert count(small) == count(big) == 2


class TestSchoolDaysOfSchools:
    def test_matches_each_terms_school_days_in_one_query(self):
        a, b = f.make_school(), f.make_school()
        ta, tb = f.make_term(a), f.make_term(b)
        CalendarDay.objects.create(school=b, date=D(2024, 9, 6), kind=CalendarDayKind.HOLIDAY)
        with CaptureQueriesContext(connection) as ctx:
            got = school_days_of_schools(
                {a.pk: (ta.first_day, ta.last_day), b.pk: (tb.first_day, tb.last_day)}
            )
        assert len(ctx.captured_queries) == 1
        assert got[a.pk] == set(school_days(ta))
        assert got[b.pk] == set(school_days(tb))
        assert D(2024, 9, 6) in got[a.pk] and D(2024, 9, 6) not in got[b.pk]

    def test_unknown_year_is_left_out_not_guessed(self):
        school = f.make_school()
        got = school_days_of_schools({school.pk: (D(2099, 3, 2), D(2099, 3, 6))})
        assert got == {school.pk: set()}
