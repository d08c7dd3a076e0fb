"""The demo county (demo/county.py): XX县教体局 with two schools, the
supervisor login, the API token, the homework week; the second school's
timetable, rota and rolls up to yesterday, so its figures are real;
idempotent (a second run writes nothing).

Built once for the module on a pinned day of a running term whose end the
holiday calendar does not know (2026-12-02: autumn 2026 runs into January
2027, so the second school's 校历 must be entered too)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from afterschool.models import County, Role, School, Student, User
from demo import county as demo_county
from demo.base import DEMO_PASSWORD
from demo.load import load_demo
from enrollment.models import Application, Status
from overview.county.selectors import county_figures
from scheduling.models import Attendance, CalendarYear, Homework, Period, Session

TODAY = datetime.date(2026, 12, 2)  # a Wednesday of autumn 2026
AT = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with (
        time_machine.travel(AT, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        demo = load_demo()
        yield demo
        transaction.set_rollback(True)


@pytest.fixture
def county(loaded, db) -> County:
    return County.objects.get(name=demo_county.COUNTY_NAME)


@pytest.fixture
def second(loaded, db) -> School:
    return School.objects.get(name=demo_county.SECOND_SCHOOL)


class TestDemoCounty:
    def test_county_has_two_schools_and_a_supervisor(self, county, loaded):
        names = set(county.schools.values_list("name", flat=True))
        assert {loaded.school.name, demo_county.SECOND_SCHOOL} <= names
        assert Student.objects.filter(school__name=demo_county.SECOND_SCHOOL).count() == 16
        # Every child of the second school has a guardian on record, none
        # with a login yet (notices reach them by SMS or 企业微信).
        kids = Student.objects.filter(school__name=demo_county.SECOND_SCHOOL)
        assert not kids.filter(guardians__isnull=True).exists()
        assert not kids.filter(guardians__user__isnull=False).exists()
        c = Client()
        assert c.login(username=demo_county.SUPERVISOR, password=DEMO_PASSWORD)
        body = c.get(reverse("overview:county")).content.decode()
        assert loaded.school.name in body and demo_county.SECOND_SCHOOL in body
        assert any(login.username == demo_county.SUPERVISOR for login in loaded.logins)

    def test_api_token_works(self, county):
        r = Client().get(
            reverse("county-api:figures"),
            HTTP_AUTHORIZATION=f"Bearer {demo_county.DEMO_API_TOKEN}",
        )
        assert r.status_code == 200
        assert len(r.json()["schools"]) == 2

    def test_homework_week_with_one_day_over_cap(self, loaded, db):
        school_class = loaded.classes[(3, 2)]
        days = Homework.objects.filter(school_class=school_class).dates("date", "day")
        assert len(days) == 5

    def test_second_run_writes_nothing(self, loaded, db):
        with CaptureQueriesContext(connection) as queries:
            demo_county.build(loaded)
        writes = [
            q["sql"][:120]
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]
        assert writes == []


class TestSecondSchool:
    def test_sessions_for_both_classes_and_periods_every_service_day(self, second, loaded):
        term = second.terms.get()
        sessions = Session.objects.filter(term=term)
        days = set(sessions.values_list("date", flat=True))
        # The same 校历 as the demo school, its 2027 holidays entered by its admin.
        assert days == set(Session.objects.filter(term=loaded.term).values_list("date", flat=True))
        assert CalendarYear.objects.filter(school=second, year=2027).exists()
        per_day = sessions.filter(date=min(days))
        assert {(s.school_class.grade, s.period) for s in per_day} <= {
            (g, p) for g, _n in demo_county.SECOND_CLASSES for p in Period.values
        }
        assert set(sessions.values_list("weekday", flat=True)) == {0, 1, 2, 3, 4}
        # Every session has a supervisor of the school (two homerooms, a volunteer).
        assert not sessions.filter(supervisor__isnull=True).exists()
        staff = set(sessions.values_list("supervisor__username", flat=True))
        assert staff == {u for u, _r, _n in demo_county.SECOND_STAFF}
        assert User.objects.get(username="cg2_volunteer1").role == Role.VOLUNTEER

    def test_rolls_of_the_enrolled_up_to_yesterday(self, second, loaded):
        term = second.terms.get()
        rolls = Attendance.objects.filter(session__term=term)
        days = sorted(set(rolls.values_list("date", flat=True)))
        service = sorted(set(Session.objects.filter(term=term).values_list("date", flat=True)))
        past = [d for d in service if d < TODAY]
        assert days == past[-15:]
        enrolled = set(
            Application.objects.filter(term=term, status=Status.APPROVED).values_list(
                "student_id", flat=True
            )
        )
        assert len(enrolled) == 8
        assert set(rolls.values_list("student_id", flat=True)) == enrolled
        # One mark per enrolled child and session of those days.
        sessions = Session.objects.filter(term=term, date__in=days).count()
        assert rolls.count() == sessions * 4

    def test_figures_are_real(self, county, second, loaded):
        figures = county_figures(county.schools.order_by("name"), today=TODAY)
        row = next(r for r in figures.rows if r.school == second)
        served = Session.objects.filter(term__school=second, date__lte=TODAY)
        assert row.service_days == served.dates("date", "day").count() > 0
        assert (row.weekly_days, row.students, row.participants) == (5, 16, 8)
        assert row.student_weeks > 0 and row.full_attendance_rate > 0
        assert (row.teachers, row.teachers_taking_part, row.volunteers) == (3, 2, 1)
        assert figures.total.weekly_days == 5
        r = Client().get(
            reverse("county-api:figures"),
            HTTP_AUTHORIZATION=f"Bearer {demo_county.DEMO_API_TOKEN}",
        )
        api = next(s for s in r.json()["schools"] if s["school"] == demo_county.SECOND_SCHOOL)
        assert api["service_days_so_far"] == row.service_days
        assert r.json()["total"]["service_days_per_week"] == 5

    def test_the_supervisor_sees_no_child_of_either_school(self, county, loaded):
        c = Client()
        assert c.login(username=demo_county.SUPERVISOR, password=DEMO_PASSWORD)
        texts = [c.get(reverse("overview:county")).content.decode()]
        for school in county.schools.all():
            url = reverse("overview:county-school", args=[school.pk])
            texts.append(c.get(url).content.decode())
        names = set(
            Student.objects.filter(school__supervising_county=county).values_list("name", flat=True)
        )
        # Two-character names can be ordinary words; the test looks for the
        # full names of three characters or more.
        long_names = {n for n in names if len(n) >= 3}
        assert long_names
        assert [n for n in long_names for t in texts if n in t] == []
