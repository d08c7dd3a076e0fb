"""The demo county (demo/county.py): XX县教体局 with two schools, the
supervisor login, the API token, the homework week; idempotent."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from afterschool.models import County, School, Student, User
from demo import county as demo_county
from demo.base import DEMO_PASSWORD
from demo.load import load_demo
from scheduling.models import Homework


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo = load_demo()
        yield demo
        transaction.set_rollback(True)


@pytest.fixture
def county(loaded, db) -> County:
    return County.objects.get(name=demo_county.COUNTY_NAME)


class TestDemoCounty:
    def test_county_has_two_schools_and_a_supervisor(self, county, loaded):
        names = set(county.schools.values_list("name", flat=True))
        assert {loaded.school.name, demo_county.SECOND_SCHOOL} <= names
        assert Student.objects.filter(school__name=demo_county.SECOND_SCHOOL).count() == 16
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

    def test_second_run_writes_nothing_new(self, loaded, db):
        before = (
            County.objects.count(),
            School.objects.count(),
            Student.objects.count(),
            User.objects.count(),
            Homework.objects.count(),
        )
        demo_county.build(loaded)
        after = (
            County.objects.count(),
            School.objects.count(),
            Student.objects.count(),
            User.objects.count(),
            Homework.objects.count(),
        )
        assert before == after
