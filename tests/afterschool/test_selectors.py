"""The shared reads of afterschool.selectors: which term every page works on
(one rule for enrollment, scheduling and billing), the term's times and
months, and the county's fee cap."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from afterschool.models import Term
from afterschool.selectors import (
    current_term,
    school_fee_cap,
    school_grades,
    term_months,
    term_times,
    term_times_text,
)
from tests.factories import make_class, make_school, make_year

pytestmark = pytest.mark.django_db

D = datetime.date


def _term(school, name: str, first: datetime.date, last: datetime.date) -> Term:
    year = make_year(school, first.year if first.month >= 8 else first.year - 1)
    return Term.objects.create(
        school=school, school_year=year, name=name, first_day=first, last_day=last
    )


class TestCurrentTerm:
    def test_the_term_running_today(self):
        school = make_school()
        autumn = _term(school, "2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
        _term(school, "2027年春季学期", D(2027, 2, 22), D(2027, 7, 2))
        assert current_term(school=school, today=D(2026, 12, 1)) == autumn

    def test_first_and_last_day_count_as_running(self):
        school = make_school()
        autumn = _term(school, "2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
        assert current_term(school=school, today=D(2026, 9, 1)) == autumn
        assert current_term(school=school, today=D(2027, 1, 22)) == autumn

    def test_between_terms_the_next_to_start(self):
        school = make_school()
        _term(school, "2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
        spring = _term(school, "2027年春季学期", D(2027, 2, 22), D(2027, 7, 2))
        assert current_term(school=school, today=D(2027, 2, 1)) == spring

    def test_two_future_terms_the_nearer_one(self):
        school = make_school()
        later = _term(school, "2027年春季学期", D(2027, 2, 22), D(2027, 7, 2))
        sooner = _term(school, "2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
        assert current_term(school=school, today=D(2026, 7, 15)) == sooner
        assert current_term(school=school, today=D(2026, 7, 15)) != later

    def test_after_the_last_term_the_latest(self):
        school = make_school()
        _term(school, "2025年秋季学期", D(2025, 9, 1), D(2026, 1, 16))
        spring = _term(school, "2026年春季学期", D(2026, 2, 23), D(2026, 7, 3))
        assert current_term(school=school, today=D(2026, 8, 10)) == spring

    def test_no_term_gives_none(self):
        school = make_school()
        assert current_term(school=school, today=D(2026, 12, 1)) is None
        assert current_term(school=None, today=D(2026, 12, 1)) is None

    def test_another_schools_terms_are_not_considered(self):
        school, other = make_school(), make_school()
        _term(other, "2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
        assert current_term(school=school, today=D(2026, 12, 1)) is None

    def test_school_by_pk_and_school_year_filter(self):
        school = make_school()
        autumn = _term(school, "2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
        _term(school, "2027年秋季学期", D(2027, 9, 1), D(2028, 1, 21))
        next_year = make_year(school, 2027)
        picked = current_term(school=school.pk, today=D(2026, 12, 1), school_year=next_year)
        assert picked.name == "2027年秋季学期"
        assert current_term(school=school.pk, today=D(2026, 12, 1)) == autumn

    @time_machine.travel(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    def test_without_today_the_local_date(self):
        school = make_school()
        _term(school, "2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
        spring = _term(school, "2027年春季学期", D(2027, 2, 22), D(2027, 7, 2))
        assert current_term(school=school) == spring

    def test_one_query(self, django_assert_num_queries):
        school = make_school()
        for n in range(3):
            _term(school, f"{2024 + n}年秋季学期", D(2024 + n, 9, 1), D(2025 + n, 1, 17))
        with django_assert_num_queries(1):
            current_term(school=school, today=D(2025, 10, 1))


class TestTermTimesAndMonths:
    def test_seed_times_without_a_term(self):
        assert term_times(None)["participant_dismissal"] == datetime.time(18, 10)
        assert term_times_text(None) == {
            "participant_arrival": "13:00",
            "participant_dismissal": "18:10",
            "nonparticipant_arrival": "13:55",
            "nonparticipant_dismissal": "17:20",
        }

    def test_the_terms_own_times(self):
        school = make_school()
        term = _term(school, "2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
        term.participant_dismissal = datetime.time(18, 30)
        assert term_times_text(term)["participant_dismissal"] == "18:30"

    def test_months_across_new_year(self):
        school = make_school()
        term = _term(school, "2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
        assert term_months(term) == [
            D(2026, 9, 1),
            D(2026, 10, 1),
            D(2026, 11, 1),
            D(2026, 12, 1),
            D(2027, 1, 1),
        ]


class TestFeeCap:
    def test_default_is_the_seeds_cap(self):
        cap = school_fee_cap(make_school())
        assert cap.per_period == Decimal("2.30")
        assert cap.periods_per_day == 2
        assert cap.per_day == Decimal("4.60")

    def test_the_schools_own_cap_and_document(self):
        school = make_school()
        school.fee_cap_per_period = Decimal("2.00")
        school.fee_cap_periods_per_day = 3
        school.fee_document = "X发【2026】3号"
        cap = school_fee_cap(school)
        assert cap.per_day == Decimal("6.00")
        assert cap.document == "X发【2026】3号"


class TestSchoolGrades:
    @time_machine.travel(datetime.datetime(2025, 10, 8, 9), tick=False)
    def test_the_grades_of_this_school_years_classes(self):
        school = make_school()
        for grade, number in ((6, 1), (1, 1), (2, 1), (2, 2)):
            make_class(school, grade, number, start_year=2025)
        make_class(school, 5, 1, start_year=2024)  # last year's 五年级, now 六年级
        make_class(make_school(), 8, 1, start_year=2025)  # another school's
        assert school_grades(school_id=school.pk) == [1, 2, 6]

    @time_machine.travel(datetime.datetime(2026, 10, 8, 9), tick=False)
    def test_without_classes_this_year_the_latest_years_and_none_for_a_new_school(self):
        school = make_school()
        make_class(school, 3, 1, start_year=2024)
        make_class(school, 4, 1, start_year=2025)
        # The latest school year (2025) is the current one when today's has none.
        assert school_grades(school_id=school.pk) == [4]
        assert school_grades(school_id=make_school().pk) == []
