"""The home pages' figures and charts kept a few minutes
(``overview.home.figures``): fewer queries once kept, the time they were
computed on the page, each school and class set its own, recomputed after
their lifetime; the to-dos stay live. The other tests run with a dummy
``figures`` cache (afterschool/settings_test.py); these switch a real one on."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from afterschool.models import Role
from enrollment.models import ClassSubmission
from overview.home.figures import FIGURES_CACHE, FIGURES_MINUTES
from tests import factories as f
from tests.overview.builders import build_school

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2024, 10, 8, 10, 0))  # Tue, in the autumn term


@pytest.fixture(autouse=True)
def figures_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        FIGURES_CACHE: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-home-figures",
        },
    }
    caches[FIGURES_CACHE].clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
    caches[FIGURES_CACHE].clear()


def get_home(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def homeroom(built, *classes):
    teacher = f.make_user(built.school, Role.HOMEROOM)
    for c in classes:
        c.homeroom_teacher = teacher
        c.save(update_fields=["homeroom_teacher"])
    return teacher


class TestAdminHome:
    def test_second_get_runs_only_the_live_queries(self, client, django_assert_num_queries):
        b = build_school()
        first, cold = get_home(client, b.admin)
        # The kept part: 1 the school year, 2 five counts of it (school_figures),
        # 3 the term's classes, 4 participation, 5 attendance by week, 6-8 fees.
        client.force_login(b.admin)
        # 1 session, 2 user with school, 3 the current term (to-dos and key),
        # 4 classes not submitted, 5 the to-dos' counts, 6 sessions today
        # without a supervisor (the coming days are in the holiday package:
        # no calendar query).
        with django_assert_num_queries(6):
            second = client.get(reverse("home"))
        assert cold == 6 + 8
        assert second.context["figures"] == first.context["figures"]
        assert first.context["figures"]["students"] == 16
        assert [c.as_data() for c in second.context["charts"]] == [
            c.as_data() for c in first.context["charts"]
        ]
        assert [c.key for c in second.context["charts"]] == [
            "participation_grade",
            "attendance",
            "fees",
        ]

    def test_page_says_when_the_figures_were_computed(self, client):
        b = build_school()
        get_home(client, b.admin)
        with time_machine.travel(NOW + datetime.timedelta(minutes=3), tick=False):
            later, _n = get_home(client, b.admin)
        html = later.content.decode()
        assert "data-figures-stamp" in html
        assert f"统计于 10:00，每{FIGURES_MINUTES}分钟更新" in html

    def test_another_school_gets_its_own_figures(self, client):
        a = build_school(per_class=4)
        b = build_school(classes=((4, 1),), per_class=8)
        got_a, _n = get_home(client, a.admin)
        got_b, _n = get_home(client, b.admin)
        assert (got_a.context["figures"]["classes"], got_a.context["figures"]["students"]) == (
            2,
            8,
        )
        assert (got_b.context["figures"]["classes"], got_b.context["figures"]["students"]) == (
            1,
            8,
        )
        assert got_b.context["charts"][0].categories == ["四年级"]
        assert got_a.context["charts"][0].categories == ["三年级"]

    def test_figures_are_recomputed_after_their_lifetime(self, client, figures_cache):
        b = build_school(per_class=4)
        first, _n = get_home(client, b.admin)
        assert first.context["figures"]["students"] == 8
        f.make_student(b.classes[0], "新同学")
        figures_cache.shift(
            datetime.timedelta(minutes=FIGURES_MINUTES) - datetime.timedelta(seconds=1)
        )
        kept, _n = get_home(client, b.admin)
        assert kept.context["figures"]["students"] == 8
        assert "统计于 10:00" in kept.content.decode()
        figures_cache.shift(datetime.timedelta(seconds=2))
        fresh, cold = get_home(client, b.admin)
        assert fresh.context["figures"]["students"] == 9
        assert "统计于 10:05" in fresh.content.decode()
        assert cold == 6 + 8

    def test_todos_stay_live_while_the_figures_are_kept(self, client):
        b = build_school(per_class=4)
        first, _n = get_home(client, b.admin)
        assert 'data-todo="submissions"' not in first.content.decode()
        ClassSubmission.objects.create(school_class=b.classes[0], term=b.term, submitted_by=b.admin)
        again, _n = get_home(client, b.admin)
        assert 'data-todo="submissions"' in again.content.decode()


class TestHomeroomHome:
    def test_second_get_runs_fewer_queries(self, client, django_assert_num_queries):
        b = build_school(per_class=4)
        teacher = homeroom(b, b.classes[0])
        first, cold = get_home(client, teacher)
        client.force_login(teacher)
        # 1 session, 2 user with school, 3 the current term (to-dos and key),
        # 4-7 the to-dos (classes with counts, blocking students, today's
        # sessions, leave), 8 the classes with student counts, 9 today's
        # absences, 10 leave waiting, 11 the charts' classes (the key).
        with django_assert_num_queries(11):
            second = client.get(reverse("home"))
        # ... and, once computed: participation, attendance by week.
        assert cold == 11 + 2
        assert second.context["charts"][0].categories == ["三年级（1）班"]
        assert "统计于 10:00，每5分钟更新" in second.content.decode()
        assert [c.as_data() for c in second.context["charts"]] == [
            c.as_data() for c in first.context["charts"]
        ]

    def test_each_teacher_gets_the_charts_of_their_own_classes(self, client):
        b = build_school(per_class=4)
        teacher_a = homeroom(b, b.classes[0])
        teacher_b = homeroom(b, b.classes[1])
        got_a, _n = get_home(client, teacher_a)
        got_b, _n = get_home(client, teacher_b)
        assert got_a.context["charts"][0].categories == ["三年级（1）班"]
        assert got_b.context["charts"][0].categories == ["三年级（2）班"]
        # Given the other class too: that class set's charts at once, not the kept ones.
        b.classes[1].homeroom_teacher = teacher_a
        b.classes[1].save(update_fields=["homeroom_teacher"])
        both, _n = get_home(client, teacher_a)
        assert both.context["charts"][0].categories == ["三年级（1）班", "三年级（2）班"]

    def test_the_admin_and_a_teacher_do_not_share_charts(self, client):
        b = build_school(per_class=4)
        teacher = homeroom(b, *b.classes)
        admin, _n = get_home(client, b.admin)
        mine, _n = get_home(client, teacher)
        assert [c.key for c in admin.context["charts"]][0] == "participation_grade"
        assert [c.key for c in mine.context["charts"]] == ["participation_class", "attendance"]
