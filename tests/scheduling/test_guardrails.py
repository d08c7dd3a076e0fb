"""The term's policy guardrails: every breach with its message."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from scheduling.calendar.selectors import term_policy_breaches
from scheduling.calendar.services import service_suspend
from scheduling.models import Club, ClubCategory, Period, TermSchedule
from tests import factories as f

pytestmark = pytest.mark.django_db


def codes(term):
    return {b.code: b for b in term_policy_breaches(term)}


class TestTermPolicyBreaches:
    def test_seed_times_are_under_two_hours_and_end_unknown(self, world):
        term = f.make_term(world.school)
        found = codes(term)
        assert "每天服务时长为105分钟，不足2小时" in found["hours"].message
        assert found["end_unknown"].severity == "warning"
        assert "featured_clubs" in found

    def test_end_before_local_working_hours_is_a_breach(self, world):
        term = f.make_term(world.school)
        TermSchedule.objects.create(
            term=term,
            noon_start=datetime.time(12, 0),
            noon_end=datetime.time(13, 0),
            after_start=datetime.time(16, 30),
            after_end=datetime.time(17, 30),
            work_day_end=datetime.time(18, 0),
        )
        found = codes(term)
        assert "hours" not in found  # 60 + 60 minutes
        assert "17:30结束，早于当地正常下班时间18:00" in found["end"].message

    def test_all_rules_hold(self, world):
        term = f.make_term(world.school)
        TermSchedule.objects.create(
            term=term,
            noon_start=datetime.time(12, 0),
            noon_end=datetime.time(13, 0),
            after_start=datetime.time(17, 0),
            after_end=datetime.time(18, 10),
            work_day_end=datetime.time(18, 0),
        )
        Club.objects.create(
            school=world.school,
            term=term,
            name="合唱团",
            category=ClubCategory.MUSIC,
            min_grade=1,
            max_grade=6,
            capacity=30,
            teacher=world.teacher,
            room=f.make_room(world.school),
            weekday=3,
            period=Period.AFTER_SCHOOL,
        )
        found = codes(term)
        assert not {"hours", "end", "end_unknown", "featured_clubs", "subject_club"} & set(found)

    def test_featured_day_on_a_holiday_is_no_breach_but_a_suspended_one_is(self, world):
        """国庆 2024: Thursday 3 October is a holiday, so the week of 30
        September has no featured day and that is right. Suspending
        Thursday 14 November leaves a school week without it."""
        term = f.make_term(world.school)
        assert "featured" not in codes(term)
        service_suspend(
            school=world.school,
            date=datetime.date(2024, 11, 14),
            notice="全校体检",
            by=world.admin,
            term=term,
            today=datetime.date(2024, 11, 1),
        )
        found = codes(term)
        assert "有1周没有特色课后服务日（每周一天）：11-11 起的一周。" in found["featured"].message

    def test_subject_lesson_club_name_warns(self, world):
        term = f.make_term(world.school)
        Club.objects.create(
            school=world.school,
            term=term,
            name="数学提高班",
            category=ClubCategory.OTHER,
            min_grade=3,
            max_grade=6,
            capacity=30,
            teacher=world.teacher,
            room=f.make_room(world.school),
            weekday=3,
            period=Period.AFTER_SCHOOL,
        )
        found = codes(term)
        assert "社团「数学提高班」名称像学科课程（含「数学」）" in found["subject_club"].message

    def test_term_settings_page_shows_breaches(self, world):
        f.make_term(world.school)
        c = Client()
        c.force_login(world.admin)
        body = c.get(reverse("scheduling:term-settings")).content.decode()
        assert 'data-breach="hours"' in body
