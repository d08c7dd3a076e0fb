"""Clubs: room suitability, capacity and clash refusals (scheduling.clubs.services.club_save)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from afterschool.models import RoomKind
from scheduling.clubs.services import club_save
from scheduling.models import Club, Period, Session, Weekday
from scheduling.rota.services import rota_generate, sessions_generate
from tests import factories as f
from tests.scheduling.club_helpers import enroll_every_class


def club(term, teacher, room, **kw):
    data = {
        "name": "合唱团",
        "category": "music",
        "min_grade": 3,
        "max_grade": 6,
        "capacity": 30,
    }
    data.update(kw)
    return club_save(term=term, teacher=teacher, room=room, **data)


class TestClubSave:
    def test_defaults_to_the_featured_day_and_period(self, world, term, rooms):
        c = club(term, world.teacher, rooms["music"])
        assert (c.weekday, c.period) == (Weekday.THURSDAY, Period.AFTER_SCHOOL)
        assert c.school == world.school and c.grades_display == "三年级至六年级"

    @pytest.mark.parametrize(
        ("category", "room_key", "ok"),
        [
            ("sports", "playground", True),
            ("sports", "gym", True),
            ("sports", "music", False),
            ("music", "music", True),
            ("dance", "gym", True),
            ("reading", "library", True),
            ("reading", "a", False),
            ("art", "a", True),
            ("calligraphy", "library", False),
            ("science", "a", True),
            ("other", "library", True),
        ],
    )
    def test_room_must_suit_the_category(self, world, term, rooms, category, room_key, ok):
        if ok:
            assert club(term, world.teacher, rooms[room_key], category=category, capacity=20)
            return
        with pytest.raises(ValidationError):
            club(term, world.teacher, rooms[room_key], category=category, capacity=20)
        assert not Club.objects.exists()

    def test_unsuitable_room_message_names_the_room(self, world, term, rooms):
        with pytest.raises(ValidationError) as exc:
            club(term, world.teacher, rooms["music"], name="篮球队", category="sports")
        assert exc.value.messages == ["体育类社团须安排在操场、体育馆，场地 音乐室（音乐室）不适合"]
        assert not Club.objects.exists()

    def test_room_too_small_is_refused(self, world, term, rooms):
        with pytest.raises(ValidationError) as exc:
            club(term, world.teacher, rooms["music"], capacity=45)
        assert exc.value.messages == ["场地 音乐室 只能容纳 40 人，少于社团人数上限 45 人"]
        assert not Club.objects.exists()

    def test_room_booked_twice_is_refused_naming_the_other_club(self, world, term, rooms):
        club(term, world.teacher, rooms["music"])
        with pytest.raises(ValidationError) as exc:
            club(term, world.volunteer, rooms["music"], name="舞蹈队", category="dance")
        assert exc.value.messages == ["场地 音乐室 在 周四 下午 已被 合唱团 使用"]
        assert Club.objects.count() == 1

    def test_teacher_booked_twice_is_refused(self, world, term, rooms):
        club(term, world.teacher, rooms["music"])
        with pytest.raises(ValidationError) as exc:
            club(term, world.teacher, rooms["gym"], name="篮球队", category="sports")
        assert exc.value.messages == ["教师 钱老师 在 周四 下午 已负责 合唱团"]
        assert Club.objects.count() == 1

    def test_same_room_at_another_time_is_fine(self, world, term, rooms):
        club(term, world.teacher, rooms["music"])
        club(
            term,
            world.volunteer,
            rooms["music"],
            name="舞蹈队",
            category="dance",
            weekday=Weekday.FRIDAY,
            period=Period.AFTER_SCHOOL,
        )
        assert Club.objects.count() == 2

    def test_classroom_in_a_basic_session_slot_is_refused(self, world, term, rooms):
        with pytest.raises(ValidationError) as exc:
            club(
                term,
                world.teacher,
                rooms["a"],
                name="书法社",
                category="calligraphy",
                weekday=Weekday.TUESDAY,
                period=Period.AFTER_SCHOOL,
            )
        assert exc.value.messages == [
            "场地 三（1）教室 在 周二 下午 已被 三年级（1）班 基础课程 使用"
        ]
        assert not Club.objects.exists()

    def test_classroom_on_the_featured_slot_is_free(self, world, term, rooms):
        c = club(term, world.teacher, rooms["a"], name="书法社", category="calligraphy")
        assert c.room == rooms["a"]

    def test_teacher_supervising_a_basic_session_is_refused(self, world, rooms):
        term = f.make_term(world.school, 2024)
        sessions_generate(term=enroll_every_class(term))
        rota_generate(term=term)
        s = (
            Session.objects.filter(
                term=term, weekday=Weekday.TUESDAY, period=Period.NOON, supervisor=world.teacher
            )
            .order_by("date")
            .first()
        )
        assert s is not None
        with pytest.raises(ValidationError) as exc:
            club(
                term,
                world.teacher,
                rooms["library"],
                name="读书会",
                category="reading",
                weekday=Weekday.TUESDAY,
                period=Period.NOON,
            )
        assert exc.value.messages == [
            f"教师 钱老师 在 周二 中午 已安排看班 {s.school_class}（{s.date:%Y-%m-%d} 起）"
        ]
        assert not Club.objects.exists()

    def test_editing_a_club_does_not_clash_with_itself(self, world, term, rooms):
        c = club(term, world.teacher, rooms["music"])
        updated = club_save(
            term=term,
            club=c,
            name="合唱团",
            category="music",
            min_grade=4,
            max_grade=6,
            capacity=35,
            teacher=world.teacher,
            room=rooms["music"],
        )
        assert updated.pk == c.pk and Club.objects.get().capacity == 35

    def test_room_of_another_school_is_refused(self, world, term):
        foreign = f.make_room(world.other_school, "外校操场", RoomKind.PLAYGROUND, 100)
        with pytest.raises(ValidationError) as exc:
            club(term, world.teacher, foreign, category="sports")
        assert "场地不属于本校。" in exc.value.messages
        assert not Club.objects.exists()

    def test_several_problems_are_reported_together(self, world, term, rooms):
        club(term, world.teacher, rooms["music"])
        with pytest.raises(ValidationError) as exc:
            club(term, world.teacher, rooms["music"], name="足球队", category="sports", capacity=50)
        assert len(exc.value.messages) == 4
        assert Club.objects.count() == 1
