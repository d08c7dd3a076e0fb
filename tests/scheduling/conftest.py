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
