"""Every private URL of ``home`` and the ``people`` namespace, tried by every
persona (STYLE.md §7): anonymously (login redirect), by a role that may not use
it (403 for a list, 404 for a record), by the right role of another class,
family or school (404 for a record; a list without the other's rows), and by
the right persona (200)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from afterschool import urls_people
from tests import factories as f

pytestmark = pytest.mark.django_db

PERSONAS = (
    "admin",
    "homeroom_a",
    "homeroom_b",
    "teacher",
    "volunteer",
    "guardian_x",
    "guardian_y",
    "other_admin",
)


def user_of(world, persona):
    person = getattr(world, persona)
    return person.user if persona.startswith("guardian") else person


def get_as(client, world, persona, url):
    client.force_login(user_of(world, persona))
    return client.get(url)


def student_detail_url(world):
    return reverse("people:student-detail", args=[world.child_x.pk])


def student_export_url(world):
    return reverse("people:student-list") + "?_export=xlsx"


# url builder, {persona: expected status}; every persona is listed for every URL.
CASES = {
    "home": (
        lambda w: reverse("home"),
        dict.fromkeys(PERSONAS, 200),
    ),
    "people:student-list": (
        lambda w: reverse("people:student-list"),
        {
            "admin": 200,
            "homeroom_a": 200,
            "homeroom_b": 200,  # own class only: checked below
            "teacher": 403,
            "volunteer": 403,
            "guardian_x": 403,
            "guardian_y": 403,
            "other_admin": 200,  # own school only: checked below
        },
    ),
    "people:student-export": (
        student_export_url,
        {
            "admin": 200,
            "homeroom_a": 200,
            "homeroom_b": 200,
            "teacher": 403,
            "volunteer": 403,
            "guardian_x": 403,
            "guardian_y": 403,
            "other_admin": 200,
        },
    ),
    "people:student-detail": (
        student_detail_url,
        {
            "admin": 200,
            "homeroom_a": 200,
            "homeroom_b": 404,
            "teacher": 404,
            "volunteer": 404,
            "guardian_x": 200,
            "guardian_y": 404,
            "other_admin": 404,
        },
    ),
    "people:class-list": (
        lambda w: reverse("people:class-list"),
        {
            "admin": 200,
            "homeroom_a": 200,
            "homeroom_b": 200,
            "teacher": 403,
            "volunteer": 403,
            "guardian_x": 403,
            "guardian_y": 403,
            "other_admin": 200,
        },
    ),
    "people:room-list": (
        lambda w: reverse("people:room-list"),
        {
            "admin": 200,
            "homeroom_a": 200,
            "homeroom_b": 200,
            "teacher": 200,
            "volunteer": 200,
            "guardian_x": 403,
            "guardian_y": 403,
            "other_admin": 200,
        },
    ),
    "people:guardian-list": (
        lambda w: reverse("people:guardian-list"),
        {
            "admin": 200,
            "homeroom_a": 403,
            "homeroom_b": 403,
            "teacher": 403,
            "volunteer": 403,
            "guardian_x": 403,
            "guardian_y": 403,
            "other_admin": 200,
        },
    ),
    "people:staff-list": (
        lambda w: reverse("people:staff-list"),
        {
            "admin": 200,
            "homeroom_a": 403,
            "homeroom_b": 403,
            "teacher": 403,
            "volunteer": 403,
            "guardian_x": 403,
            "guardian_y": 403,
            "other_admin": 200,
        },
    ),
}


class TestEveryUrlIsCovered:
    def test_every_people_url_has_a_case(self):
        names = {f"people:{p.name}" for p in urls_people.urlpatterns}
        assert names <= set(CASES), names - set(CASES)

    def test_every_case_lists_every_persona(self):
        for name, (_, expected) in CASES.items():
            assert set(expected) == set(PERSONAS), name


class TestAnonymous:
    @pytest.mark.parametrize("name", sorted(CASES))
    def test_anonymous_is_sent_to_login(self, client, world, name):
        url = CASES[name][0](world)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


class TestPersonas:
    @pytest.mark.parametrize("persona", PERSONAS)
    @pytest.mark.parametrize("name", sorted(CASES))
    def test_status_by_persona(self, client, world, name, persona):
        url_for, expected = CASES[name]
        response = get_as(client, world, persona, url_for(world))
        assert response.status_code == expected[persona], (name, persona)


class TestOtherClassFamilySchool:
    """The right role elsewhere: lists answer 200 but never show the other's rows."""

    def test_homeroom_b_does_not_list_class_a_students(self, client, world):
        response = get_as(client, world, "homeroom_b", reverse("people:student-list"))
        assert world.child_y.name in response.content.decode()
        assert world.child_x.name not in response.content.decode()

    def test_other_admin_does_not_list_school_a_students(self, client, world):
        response = get_as(client, world, "other_admin", reverse("people:student-list"))
        html = response.content.decode()
        assert world.other_child.name in html
        assert world.child_x.name not in html
        assert world.child_y.name not in html

    def test_other_admin_export_has_only_own_school(self, client, world):
        response = get_as(client, world, "other_admin", student_export_url(world))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert names == {world.other_child.name}

    def test_homeroom_b_class_list_is_own_class(self, client, world):
        response = get_as(client, world, "homeroom_b", reverse("people:class-list"))
        rows = list(response.context["table"].data)
        assert rows == [world.class_b]

    def test_other_admin_sees_only_own_rooms(self, client, world):
        mine = f.make_room(world.school, "阅览室A")
        theirs = f.make_room(world.other_school, "操场B")
        response = get_as(client, world, "other_admin", reverse("people:room-list"))
        rows = list(response.context["table"].data)
        assert theirs in rows
        assert mine not in rows

    def test_other_admin_guardians_are_own_school(self, client, world):
        response = get_as(client, world, "other_admin", reverse("people:guardian-list"))
        rows = list(response.context["table"].data)
        assert rows == [world.other_guardian]

    def test_other_admin_staff_are_own_school(self, client, world):
        response = get_as(client, world, "other_admin", reverse("people:staff-list"))
        rows = list(response.context["table"].data)
        assert rows == [world.other_admin]

    def test_guardian_y_cannot_open_child_x_even_by_id(self, client, world):
        for pk in (world.child_x.pk, world.other_child.pk):
            response = get_as(
                client, world, "guardian_y", reverse("people:student-detail", args=[pk])
            )
            assert response.status_code == 404

    def test_guardian_home_shows_only_own_children(self, client, world):
        response = get_as(client, world, "guardian_y", reverse("home"))
        html = response.content.decode()
        assert world.child_y.name in html
        assert world.child_x.name not in html
        assert world.other_child.name not in html

    def test_unknown_student_is_404_even_for_admin(self, client, world):
        response = get_as(client, world, "admin", reverse("people:student-detail", args=[999999]))
        assert response.status_code == 404
