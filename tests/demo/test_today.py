"""The demo's day and its terms (demo.base.demo_today, demo_terms, term_span);
no database except the command's refusal of a bad date."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from afterschool.models import School
from demo.base import demo_terms, demo_today, term_span

D = datetime.date


class TestDemoToday:
    def test_local_date_by_default(self, monkeypatch):
        monkeypatch.delenv("DEMO_TODAY", raising=False)
        with time_machine.travel(datetime.datetime(2026, 12, 1, 17, 0, tzinfo=datetime.UTC)):
            assert demo_today() == D(2026, 12, 2)  # already 2 December in Asia/Shanghai

    def test_env_then_option(self, monkeypatch):
        monkeypatch.setenv("DEMO_TODAY", "2027-10-15")
        assert demo_today() == D(2027, 10, 15)
        assert demo_today(D(2026, 8, 1)) == D(2026, 8, 1)

    @pytest.mark.django_db
    def test_bad_env_is_refused_in_chinese_and_nothing_built(self, monkeypatch):
        monkeypatch.setenv("DEMO_TODAY", "2026-13-01")
        with pytest.raises(CommandError, match="DEMO_TODAY 应为 YYYY-MM-DD"):
            call_command("load_demo", stdout=io.StringIO())
        assert not School.objects.exists()


class TestDemoTerms:
    def test_term_dates(self):
        assert (term_span("autumn", 2026).first_day, term_span("autumn", 2026).last_day) == (
            D(2026, 9, 7),
            D(2027, 1, 22),
        )
        assert (term_span("spring", 2026).first_day, term_span("spring", 2026).last_day) == (
            D(2026, 3, 2),
            D(2026, 7, 10),
        )
        assert term_span("autumn", 2024).first_day == D(2024, 9, 2)

    @pytest.mark.parametrize(
        ("today", "shown", "previous", "running", "start_year"),
        [
            (D(2026, 12, 2), "2026年秋季学期", "2026年春季学期", True, 2026),
            (D(2027, 1, 22), "2026年秋季学期", "2026年春季学期", True, 2026),
            (D(2027, 1, 25), "2027年春季学期", "2026年秋季学期", False, 2026),  # winter break
            (D(2027, 3, 10), "2027年春季学期", "2026年秋季学期", True, 2026),
            (D(2026, 8, 1), "2026年秋季学期", "2026年春季学期", False, 2026),  # summer
            (D(2027, 10, 15), "2027年秋季学期", "2027年春季学期", True, 2027),
        ],
    )
    def test_shown_and_previous_term(self, today, shown, previous, running, start_year):
        terms = demo_terms(today)
        assert (terms.shown.name, terms.previous.name, terms.running) == (shown, previous, running)
        assert terms.shown.start_year == start_year
        assert terms.previous.last_day < terms.shown.first_day
