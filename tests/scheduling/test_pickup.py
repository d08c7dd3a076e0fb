"""Safe pickup: guardians register who may collect the child (photo served
only to the child's teachers), one-tap handover, 「全部已接走」 behind a
confirmation page."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from afterschool.models import PickupPerson
from scheduling.models import Dismissal, Period, Session
from tests import factories as f

DAY = datetime.date(2024, 9, 3)
NOW = timezone.make_aware(datetime.datetime(2024, 9, 3, 18, 12))


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, "PNG")
    return buf.getvalue()


def upload(name="photo.png", data=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data if data is not None else png(), content_type="image/png")


@pytest.fixture
def day(world, term, enroll):
    enroll(world.child_x, term)
    mate = f.make_student(world.class_a, "王一")
    enroll(mate, term, pickup_name="王爸爸")
    Session.objects.create(
        term=term,
        date=DAY,
        weekday=DAY.weekday(),
        period=Period.AFTER_SCHOOL,
        school_class=world.class_a,
        supervisor=world.teacher,
    )
    with time_machine.travel(NOW, tick=False):
        yield mate


class TestRegister:
    def test_guardian_adds_with_photo_and_double_submit_writes_one(self, client, world, term):
        client.force_login(world.guardian_x.user)
        url = reverse("scheduling:pickup-people", args=[world.child_x.pk])
        data = {"name": "张奶奶", "relation": "祖母", "mobile": "13700000001"}
        client.post(url, {**data, "photo": upload()})
        response = client.post(url, {**data, "photo": upload()})
        assert PickupPerson.objects.count() == 1
        assert "已登记为接送人" in response.content.decode()
        assert PickupPerson.objects.get().photo_type == "image/png"

    def test_mobile_typed_as_a_phone_shows_it_is_kept_as_11_digits(self, client, world, term):
        client.force_login(world.guardian_x.user)
        url = reverse("scheduling:pickup-people", args=[world.child_x.pk])
        # A phone offers its number pad for the field.
        assert re.search(r'<input[^>]*name="mobile"[^>]*inputmode="tel"', client.get(url).text)
        data = {"name": "张奶奶", "relation": "祖母", "mobile": "+86 139-1234-5678"}
        assert client.post(url, data).status_code == 302
        assert PickupPerson.objects.get().mobile == "13912345678"

    def test_bad_input_is_shown_in_chinese_and_writes_nothing(self, client, world, term):
        client.force_login(world.guardian_x.user)
        url = reverse("scheduling:pickup-people", args=[world.child_x.pk])
        r = client.post(url, {"name": "张奶奶", "relation": "祖母", "mobile": "123"})
        assert (
            "请输入11位中国大陆手机号" in r.content.decode()
            and 'value="张奶奶"' in r.content.decode()
        )
        r = client.post(
            url,
            {
                "name": "张奶奶",
                "relation": "祖母",
                "mobile": "13700000001",
                "photo": upload("x.png", b"not an image"),
            },
        )
        assert "JPG 或 PNG" in r.content.decode()
        assert not PickupPerson.objects.exists()

    def test_other_guardian_and_staff_cannot_open_the_page(self, client, world, term):
        url = reverse("scheduling:pickup-people", args=[world.child_x.pk])
        for user in (world.guardian_y.user, world.homeroom_b, world.other_admin):
            client.force_login(user)
            assert client.get(url).status_code in (403, 404)


class TestPhoto:
    def test_only_the_childs_teachers_see_the_photo(self, client, world, term, day):
        from scheduling.pickup.services import pickup_person_add

        p = pickup_person_add(
            student=world.child_x,
            by=world.guardian_x.user,
            name="张奶奶",
            relation="祖母",
            mobile="13700000001",
            photo=png(),
        )
        url = reverse("scheduling:pickup-photo", args=[p.pk])
        for user in (world.homeroom_a, world.admin, world.teacher):
            client.force_login(user)
            r = client.get(url)
            assert r.status_code == 200 and r["Content-Type"] == "image/png"
            assert "no-store" in r["Cache-Control"]
        for user in (
            world.homeroom_b,
            world.volunteer,
            world.other_admin,
            world.guardian_x.user,
            world.guardian_y.user,
        ):
            client.force_login(user)
            assert client.get(url).status_code == 404


class TestHandover:
    def test_one_tap_records_the_registered_person(self, client, world, term, day):
        from scheduling.pickup.services import pickup_person_add

        p = pickup_person_add(
            student=world.child_x,
            by=world.guardian_x.user,
            name="张奶奶",
            relation="祖母",
            mobile="13700000001",
        )
        client.force_login(world.homeroom_a)
        url = reverse("scheduling:dismissal-class", args=[world.class_a.pk]) + "?date=2024-09-03"
        html = client.get(url).content.decode()
        assert f'data-pickup="{p.pk}"' in html
        assert 'href="tel:13900000001"' in html  # the guardian one tap away
        client.post(
            url, {"student": world.child_x.pk, "date": "2024-09-03", "collected_by": "张奶奶"}
        )
        assert Dismissal.objects.get(student=world.child_x).collected_by == "张奶奶"

    def test_all_collected_asks_first_then_records_the_rest(self, client, world, term, day):
        client.force_login(world.homeroom_a)
        url = reverse("scheduling:dismissal-all", args=[world.class_a.pk]) + "?date=2024-09-03"
        page = client.get(url)
        assert page.status_code == 200 and "确认全部已接走" in page.content.decode()
        assert not Dismissal.objects.exists()
        client.post(url)
        client.post(url)  # again: nothing more
        got = dict(Dismissal.objects.values_list("student__name", "collected_by"))
        assert got == {"张小明": "张伟", "王一": "王爸爸"}

    def test_other_class_teacher_cannot(self, client, world, term, day):
        client.force_login(world.homeroom_b)
        url = reverse("scheduling:dismissal-all", args=[world.class_a.pk]) + "?date=2024-09-03"
        assert client.post(url).status_code in (403, 404)
        assert not Dismissal.objects.exists()
