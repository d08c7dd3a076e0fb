"""Sessions and the supervision rota (scheduling.rota.services)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afterschool.models import Role, SchoolYear, Term
from scheduling.calendar import days as cal
from scheduling.clubs.services import club_save
from scheduling.models import Period, Session, StaffUnavailability, Weekday
from scheduling.rota.services import (
    rota_generate,
    session_assign,
    sessions_generate,
    unavailability_add,
)
from tests import factories as f
from tests.scheduling.club_helpers import enroll_every_class

D = datetime.date


SHORT_FIRST, SHORT_LAST = D(2024, 9, 9), D(2024, 9, 20)


def short_term(school, first=SHORT_FIRST, last=SHORT_LAST) -> Term:
    """Two weeks around the Mid-autumn holiday: 9–13 Sep, Sat 14 Sep (make-up
    following Monday), 18–20 Sep (16–17 are holidays) = 9 service days."""
    year = SchoolYear.objects.get_or_create(school=school, start_year=2024)[0]
    return Term.objects.create(
        school=school, school_year=year, name=f"短学期{first}", first_day=first, last_day=last
    )


class TestSessionsGenerate:
    def test_one_session_per_class_per_period_except_the_featured_slot(self, world, rooms):
        term = short_term(world.school)
        result = sessions_generate(term=enroll_every_class(term))
        days = cal.service_days(term)
        assert len(days) == 9
        # Thursdays 12 and 19 Sep lose their after-school period to clubs.
        thursdays = sum(1 for d in days if d.weekday() == Weekday.THURSDAY)
        assert thursdays == 2
        assert result.created == 2 * (9 * 2 - thursdays)
        s = Session.objects.get(date=D(2024, 9, 10), period=Period.NOON, school_class=world.class_a)
        assert s.room == rooms["a"]
        assert not Session.objects.filter(date=D(2024, 9, 12), period=Period.AFTER_SCHOOL).exists()
        make_up = Session.objects.filter(date=D(2024, 9, 14)).first()
        assert make_up.weekday == Weekday.MONDAY

    def test_regenerating_is_idempotent_and_drops_suspended_days(self, world, rooms):
        from scheduling.calendar.services import service_suspend

        term = short_term(world.school)
        first = sessions_generate(term=enroll_every_class(term))
        again = sessions_generate(term=enroll_every_class(term))
        assert again.created == 0 and again.deleted == 0
        service_suspend(
            school=world.school,
            date=D(2024, 9, 10),
            notice="停电",
            by=world.admin,
            today=SHORT_FIRST,
        )
        third = sessions_generate(term=enroll_every_class(term))
        assert third.deleted == 4
        assert Session.objects.filter(term=term).count() == first.created - 4

    def test_classes_and_periods_nobody_is_enrolled_for_get_no_session(self, world, rooms):
        from scheduling.models import Attendance
        from tests.scheduling.club_helpers import enroll

        term = short_term(world.school)
        app = enroll(world.child_x, term)  # class A: after school only
        sessions_generate(term=term)
        assert set(Session.objects.values_list("school_class_id", "period")) == {
            (world.class_a.pk, Period.AFTER_SCHOOL)
        }
        # Class A's pupil also takes noon now; class B stays empty.
        app.wants_noon = True
        app.save(update_fields=["wants_noon"])
        sessions_generate(term=term)
        assert set(Session.objects.values_list("school_class_id", "period")) == {
            (world.class_a.pk, Period.AFTER_SCHOOL),
            (world.class_a.pk, Period.NOON),
        }
        # Noon is dropped again; a noon session whose roll was taken stays.
        rolled = Session.objects.get(date=D(2024, 9, 10), period=Period.NOON)
        Attendance.objects.create(
            session=rolled,
            date=rolled.date,
            period=rolled.period,
            student=world.child_x,
            status="present",
        )
        app.wants_noon = False
        app.save(update_fields=["wants_noon"])
        sessions_generate(term=term)
        assert list(Session.objects.filter(period=Period.NOON)) == [rolled]

    def test_regenerating_last_years_term_after_the_rollover_keeps_its_sessions(self, world, rooms):
        from afterschool.rollover.services import school_year_rollover
        from tests.scheduling.club_helpers import enroll

        term = short_term(world.school)
        enroll(world.child_x, term)
        enroll(world.child_y, term)
        first = sessions_generate(term=term)
        # The children's latest class is now 2025's 四年级; the 2024 term
        # still goes by their 2024 classes.
        school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)
        again = sessions_generate(term=term)
        assert (again.created, again.deleted) == (0, 0)
        assert Session.objects.filter(term=term).count() == first.created > 0

    def test_two_classes_in_one_room_is_refused(self, world, rooms):
        world.class_b.room = rooms["a"]
        world.class_b.save(update_fields=["room"])
        term = short_term(world.school)
        with pytest.raises(ValidationError) as exc:
            sessions_generate(term=enroll_every_class(term))
        assert "使用同一间教室" in exc.value.messages[0]
        assert not Session.objects.exists()


class TestRotaGenerate:
    def test_every_session_gets_a_supervisor_and_homeroom_is_preferred(self, world, rooms):
        term = short_term(world.school)
        sessions_generate(term=enroll_every_class(term))
        report = rota_generate(term=term)
        assert report.unassigned == []
        assert not Session.objects.filter(term=term, supervisor__isnull=True).exists()
        # The first slot: both homeroom teachers are least loaded, so each
        # takes their own class.
        first = Session.objects.filter(date=D(2024, 9, 9), period=Period.NOON)
        assert {s.school_class_id: s.supervisor_id for s in first} == {
            world.class_a.id: world.homeroom_a.id,
            world.class_b.id: world.homeroom_b.id,
        }

    def test_chosen_homeroom_teacher_takes_own_class(self, world, rooms):
        term = short_term(world.school)
        # Only homeroom_b and the teacher are free: class B must get homeroom_b.
        unavailability_add(person=world.homeroom_a, date=D(2024, 9, 9))
        unavailability_add(person=world.volunteer, date=D(2024, 9, 9))
        sessions_generate(term=enroll_every_class(term))
        rota_generate(term=term)
        first = Session.objects.filter(date=D(2024, 9, 9), period=Period.NOON)
        assert {s.school_class_id: s.supervisor_id for s in first} == {
            world.class_a.id: world.teacher.id,
            world.class_b.id: world.homeroom_b.id,
        }

    def test_loads_balanced_within_one_period(self, world, rooms):
        term = short_term(world.school)
        sessions_generate(term=enroll_every_class(term))
        report = rota_generate(term=term)
        # 4 staff (2 homeroom, teacher, volunteer), 32 sessions → 8 each.
        assert sorted(report.load.values()) == [8, 8, 8, 8]

    def test_unavailable_days_are_honoured(self, world, rooms):
        term = short_term(world.school)
        unavailability_add(person=world.teacher, weekday=Weekday.MONDAY)
        unavailability_add(person=world.volunteer, date=D(2024, 9, 10), period=Period.NOON)
        sessions_generate(term=enroll_every_class(term))
        rota_generate(term=term)
        teacher_days = set(
            Session.objects.filter(supervisor=world.teacher).values_list("date", flat=True)
        )
        # Monday 9 Sep and the make-up Saturday following Monday.
        assert D(2024, 9, 9) not in teacher_days and D(2024, 9, 14) not in teacher_days
        assert not Session.objects.filter(
            supervisor=world.volunteer, date=D(2024, 9, 10), period=Period.NOON
        ).exists()

    def test_regenerating_keeps_manual_changes(self, world, rooms):
        term = short_term(world.school)
        sessions_generate(term=enroll_every_class(term))
        rota_generate(term=term)
        session = Session.objects.get(
            date=D(2024, 9, 11), period=Period.NOON, school_class=world.class_a
        )
        other = Session.objects.get(
            date=D(2024, 9, 11), period=Period.NOON, school_class=world.class_b
        )
        # Free the volunteer in that slot first if the generator gave them class B.
        if other.supervisor_id == world.volunteer.id:
            session_assign(session=other, supervisor=world.teacher)
        session_assign(session=session, supervisor=world.volunteer)
        report = rota_generate(term=term)
        session.refresh_from_db()
        assert session.supervisor == world.volunteer and session.is_manual
        assert report.kept_manual >= 1
        assert sum(report.load.values()) == Session.objects.filter(term=term).count()

    def test_manual_assignment_refuses_a_double_booking_and_writes_nothing(self, world, rooms):
        term = short_term(world.school)
        sessions_generate(term=enroll_every_class(term))
        rota_generate(term=term)
        a = Session.objects.get(date=D(2024, 9, 11), period=Period.NOON, school_class=world.class_a)
        b = Session.objects.get(date=D(2024, 9, 11), period=Period.NOON, school_class=world.class_b)
        before = b.supervisor_id
        with pytest.raises(ValidationError) as exc:
            session_assign(session=b, supervisor=a.supervisor)
        assert (
            f"{a.supervisor} 在 2024-09-11 中午 已安排看班 三年级（1）班" in exc.value.messages[0]
        )
        b.refresh_from_db()
        assert b.supervisor_id == before and not b.is_manual

    def test_manual_assignment_refuses_an_unavailable_person(self, world, rooms):
        term = short_term(world.school)
        sessions_generate(term=enroll_every_class(term))
        unavailability_add(person=world.teacher, date=D(2024, 9, 11), reason="外出培训")
        s = Session.objects.get(date=D(2024, 9, 11), period=Period.NOON, school_class=world.class_a)
        with pytest.raises(ValidationError) as exc:
            session_assign(session=s, supervisor=world.teacher)
        assert exc.value.messages[0] == "钱老师 在 2024-09-11 不能值班（外出培训）。"
        s.refresh_from_db()
        assert s.supervisor is None

    def test_manual_assignment_refuses_a_club_teacher_in_the_club_slot(self, world, rooms):
        term = short_term(world.school)
        club_save(
            term=term,
            name="合唱团",
            category="music",
            min_grade=3,
            max_grade=6,
            capacity=30,
            teacher=world.teacher,
            room=rooms["music"],
            weekday=Weekday.WEDNESDAY,
            period=Period.AFTER_SCHOOL,
        )
        sessions_generate(term=enroll_every_class(term))
        rota_generate(term=term)
        assert not Session.objects.filter(
            supervisor=world.teacher, weekday=Weekday.WEDNESDAY, period=Period.AFTER_SCHOOL
        ).exists()
        s = Session.objects.get(
            date=D(2024, 9, 11), period=Period.AFTER_SCHOOL, school_class=world.class_a
        )
        with pytest.raises(ValidationError) as exc:
            session_assign(session=s, supervisor=world.teacher)
        assert exc.value.messages[0] == "钱老师 在 周三 下午 负责社团 合唱团。"

    def test_database_refuses_one_person_in_two_places(self, world, rooms):
        term = short_term(world.school)
        sessions_generate(term=enroll_every_class(term))
        a = Session.objects.get(date=D(2024, 9, 11), period=Period.NOON, school_class=world.class_a)
        b = Session.objects.get(date=D(2024, 9, 11), period=Period.NOON, school_class=world.class_b)
        Session.objects.filter(pk=a.pk).update(supervisor=world.teacher)
        with pytest.raises(IntegrityError), transaction.atomic():
            Session.objects.filter(pk=b.pk).update(supervisor=world.teacher)


@st.composite
def rota_world(draw):
    return {
        "classes": draw(st.integers(min_value=1, max_value=5)),
        "staff": draw(st.integers(min_value=1, max_value=6)),
        "weekly": draw(
            st.lists(st.tuples(st.integers(0, 5), st.sampled_from(range(5))), max_size=4)
        ),
        "dated": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 5),
                    st.dates(D(2024, 9, 9), D(2024, 9, 20)),
                    st.sampled_from(["", "noon", "after"]),
                ),
                max_size=6,
            )
        ),
    }


class TestRotaProperties:
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(spec=rota_world())
    def test_never_double_books_and_honours_unavailability(self, db, spec):
        with transaction.atomic():
            school = f.make_school()
            classes = [f.make_class(school, 2, n + 1) for n in range(spec["classes"])]
            staff = [
                f.make_user(school, [Role.HOMEROOM, Role.TEACHER, Role.VOLUNTEER][i % 3])
                for i in range(spec["staff"])
            ]
            if staff:
                classes[0].homeroom_teacher = staff[0]
                classes[0].save(update_fields=["homeroom_teacher"])
            for idx, weekday in spec["weekly"]:
                if idx < len(staff):
                    unavailability_add(person=staff[idx], weekday=weekday)
            for idx, day, period in spec["dated"]:
                if idx < len(staff):
                    unavailability_add(person=staff[idx], date=day, period=period)
            term = short_term(school)
            sessions_generate(term=enroll_every_class(term))
            report = rota_generate(term=term)
            sessions = list(Session.objects.filter(term=term))
            rules = defaultdict(list)
            for u in StaffUnavailability.objects.filter(person__in=staff):
                rules[u.person_id].append(u)
            seen = Counter()
            for s in sessions:
                if s.supervisor_id is None:
                    continue
                seen[(s.date, s.period, s.supervisor_id)] += 1
                assert not any(
                    u.covers(s.date, s.weekday, s.period) for u in rules[s.supervisor_id]
                )
            assert all(n == 1 for n in seen.values())
            # Nobody left unassigned while a free person was available.
            for s in report.unassigned:
                busy = {
                    o.supervisor_id
                    for o in sessions
                    if o.date == s.date and o.period == s.period and o.supervisor_id
                }
                free = [
                    p
                    for p in staff
                    if p.id not in busy
                    and not any(u.covers(s.date, s.weekday, s.period) for u in rules[p.id])
                ]
                assert free == []
            if not spec["weekly"] and not spec["dated"] and spec["staff"] >= spec["classes"]:
                loads = list(report.load.values())
                assert max(loads) - min(loads) <= 1
            transaction.set_rollback(True)


class TestWorkload:
    def test_club_dates_follow_the_timetable_weekday(self, world, term, rooms):
        # Make 14 Sep (a make-up Saturday) follow Thursday's timetable.
        from scheduling.calendar.services import calendar_day_set
        from scheduling.clubs.selectors import club_dates

        calendar_day_set(
            school=world.school, date=D(2024, 9, 14), kind="workday", follows_weekday=3
        )
        club = club_save(
            term=term,
            name="合唱团",
            category="music",
            min_grade=3,
            max_grade=6,
            capacity=30,
            teacher=world.teacher,
            room=rooms["music"],
        )
        dates = club_dates(term)[club.pk]
        assert D(2024, 9, 14) in dates and D(2024, 9, 12) in dates
        assert all(d.weekday() == 3 or d == D(2024, 9, 14) for d in dates)
        # Thursdays of the term: 20, minus 3 Oct (National Day), plus 14 Sep.
        assert len(dates) == 20

    def test_workload_counts_sessions_and_club_meetings(self, world, term, rooms):
        from scheduling.clubs.selectors import club_dates
        from scheduling.rota.selectors import staff_workload

        club = club_save(
            term=term,
            name="合唱团",
            category="music",
            min_grade=3,
            max_grade=6,
            capacity=30,
            teacher=world.teacher,
            room=rooms["music"],
        )
        sessions_generate(term=enroll_every_class(term))
        rota_generate(term=term)
        load = staff_workload(term)
        supervised = Session.objects.filter(supervisor=world.teacher).count()
        assert load[world.teacher.id] == supervised + len(club_dates(term)[club.pk])
        assert sum(load.values()) == Session.objects.count() + len(club_dates(term)[club.pk])
