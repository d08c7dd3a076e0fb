"""作业公示: caps by grade, refusal of written homework in grades 1–2, the
over-cap flag, double submit, personas, the guardian's day."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from scheduling.homework import selectors, services
from scheduling.models import Homework, homework_cap_minutes
from tests import factories as f

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 9, 3)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


class TestCaps:
    def test_caps_by_grade(self):
        assert [homework_cap_minutes(g) for g in range(1, 10)] == [0, 0, 60, 60, 60, 60, 90, 90, 90]


class TestHomeworkPublish:
    def test_written_homework_refused_for_grade_two_with_the_rule(self, world):
        c = f.make_class(world.school, 2, 1)
        with pytest.raises(ValidationError) as exc:
            services.homework_publish(
                school_class=c,
                date=DAY,
                subject="语文",
                content="抄写",
                is_written=True,
                minutes=10,
                by=world.teacher,
            )
        assert "一、二年级不布置课外书面作业" in exc.value.messages[0]
        assert not Homework.objects.exists()

    def test_oral_homework_allowed_for_grade_one(self, world):
        c = f.make_class(world.school, 1, 1)
        h = services.homework_publish(
            school_class=c,
            date=DAY,
            subject="语文",
            content="朗读课文",
            is_written=False,
            minutes=10,
            by=world.teacher,
        )
        assert h.pk and not h.is_written

    def test_day_total_over_cap_is_flagged(self, world):
        for subject, minutes in (("语文", 30), ("数学", 25), ("英语", 15)):
            services.homework_publish(
                school_class=world.class_a,
                date=DAY,
                subject=subject,
                content="练习",
                is_written=True,
                minutes=minutes,
                by=world.homeroom_a,
            )
        (day,) = selectors.homework_days([world.class_a], DAY)
        assert (day.written_minutes, day.cap, day.over_cap) == (70, 60, True)
        flagged = selectors.over_cap_classes(
            world.class_a.__class__.objects.filter(school=world.school), DAY
        )
        assert flagged == [(world.class_a, 70, 60)]

    def test_double_submit_makes_one_record(self, world):
        for _ in range(2):
            services.homework_publish(
                school_class=world.class_a,
                date=DAY,
                subject="数学",
                content="口算",
                is_written=True,
                minutes=20,
                by=world.homeroom_a,
            )
        assert Homework.objects.count() == 1

    def test_volunteer_and_other_school_refused(self, world):
        for user in (world.volunteer, world.other_admin):
            with pytest.raises(PermissionDenied):
                services.homework_publish(
                    school_class=world.class_a,
                    date=DAY,
                    subject="数学",
                    content="口算",
                    is_written=True,
                    minutes=20,
                    by=user,
                )


class TestHomeworkViews:
    def test_teacher_publishes_and_admin_sees_flag(self, world):
        url = reverse("scheduling:homework")
        data = {"class": world.class_a.pk, "date": DAY.isoformat(), "subject": "数学"}
        r = client_for(world.teacher).post(
            url, {**data, "content": "练习册", "is_written": "on", "minutes": "70"}
        )
        assert r.status_code == 302
        body = client_for(world.admin).get(f"{url}?date={DAY.isoformat()}").content.decode()
        assert "data-over-cap" in body and "70分钟" in body

    def test_grade_two_refusal_shown_on_form(self, world):
        c = f.make_class(world.school, 2, 3)
        r = client_for(world.admin).post(
            reverse("scheduling:homework"),
            {
                "class": c.pk,
                "date": DAY.isoformat(),
                "subject": "语文",
                "content": "抄写",
                "is_written": "on",
                "minutes": "10",
            },
        )
        assert r.status_code == 200
        assert "一、二年级不布置课外书面作业" in r.content.decode()
        assert "抄写" in r.content.decode()

    def test_other_schools_class_is_404(self, world):
        r = client_for(world.admin).get(
            reverse("scheduling:homework") + f"?class={world.other_class.pk}"
        )
        assert r.status_code == 404

    def test_guardian_and_volunteer_refused_on_staff_page(self, world):
        assert (
            client_for(world.guardian_x.user).get(reverse("scheduling:homework")).status_code == 403
        )
        assert client_for(world.volunteer).get(reverse("scheduling:homework")).status_code == 403

    def test_guardian_sees_own_childs_day_only(self, world):
        Homework.objects.create(
            school=world.school,
            school_class=world.class_a,
            date=DAY,
            subject="数学",
            content="口算二十题",
            minutes=15,
        )
        Homework.objects.create(
            school=world.school,
            school_class=world.class_b,
            date=DAY,
            subject="语文",
            content="背诵古诗",
            minutes=15,
        )
        url = reverse("scheduling:homework-family") + f"?date={DAY.isoformat()}"
        body = client_for(world.guardian_x.user).get(url).content.decode()
        assert "口算二十题" in body and "背诵古诗" not in body
        assert client_for(world.teacher).get(url).status_code == 403
