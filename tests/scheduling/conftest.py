"""Fixtures for scheduling tests: the autumn-2024 term of the `world` school,
rooms for the two classes and the special rooms clubs use."""

from __future__ import annotations

import pytest

from afterschool.models import RoomKind
from tests import factories as f


@pytest.fixture
def term(world):
    """2024年秋季学期: 2 Sep 2024 – 17 Jan 2025 (tests.factories.make_term)."""
    return f.make_term(world.school, 2024)


@pytest.fixture
def rooms(world):
    """Classrooms for classes A and B, and a music room, gym, playground, library."""
    room_a = f.make_room(world.school, "三（1）教室", RoomKind.CLASSROOM, 50)
    room_b = f.make_room(world.school, "三（2）教室", RoomKind.CLASSROOM, 50)
    world.class_a.room = room_a
    world.class_a.save(update_fields=["room"])
    world.class_b.room = room_b
    world.class_b.save(update_fields=["room"])
    return {
        "a": room_a,
        "b": room_b,
        "music": f.make_room(world.school, "音乐室", RoomKind.MUSIC, 40),
        "gym": f.make_room(world.school, "体育馆", RoomKind.GYM, 80),
        "playground": f.make_room(world.school, "操场", RoomKind.PLAYGROUND, 200),
        "library": f.make_room(world.school, "图书室", RoomKind.LIBRARY, 30),
    }


@pytest.fixture
def enroll(world):
    """``enroll(student, term, noon=True, after=True, featured=False, **extra)``
    → an approved application (enrolled) with those parts. Built directly: the
    enrollment workflow has its own tests; here only its outcome matters."""
    from enrollment.models import Application, Status

    def make(student, term, *, noon=True, after=True, featured=False, **extra):
        data = {
            "goes_home_alone": False,
            "pickup_name": "张伟",
            "pickup_relation": "父亲",
            "pickup_mobile": "13900000001",
            "reason": "父母下班晚，无人接送。",
        }
        data.update(extra)
        return Application.objects.create(
            student=student,
            term=term,
            status=Status.APPROVED,
            wants_noon=noon,
            wants_after_school=after,
            wants_featured_day=featured,
            created_by=world.admin,
            **data,
        )

    return make
