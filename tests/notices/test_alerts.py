"""The clock-driven 安全共管 alerts on a pinned clock: roll not taken 10
minutes after the period starts; not collected 20 minutes after the
participants' dismissal (18:10)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from afterschool.models import Notice, NoticeKind
from scheduling.attendance.alerts import not_collected_alert, rolls_not_taken_alert
from scheduling.attendance.services import dismissal_record, roll_call_save
from scheduling.models import LeaveKind, LeaveRequest, LeaveStatus, Period, Session
from tests import factories as f

DAY = datetime.date(2024, 9, 3)


def at(hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(hour, minute)))


@pytest.fixture
def noon(world, term, enroll):
    enroll(world.child_x, term)
    enroll(world.child_y, term)
    return Session.objects.create(
        term=term,
        date=DAY,
        weekday=DAY.weekday(),
        period=Period.NOON,
        school_class=world.class_a,
        supervisor=world.teacher,
    )


def recipients(kind):
    return set(Notice.objects.filter(kind=kind).values_list("recipient__username", flat=True))


class TestRollNotTaken:
    def test_not_before_ten_minutes(self, world, noon):
        with time_machine.travel(at(13, 9), tick=False):
            assert rolls_not_taken_alert() == 0
        assert not Notice.objects.exists()

    def test_at_ten_minutes_the_supervisor_and_admin_are_told_once(self, world, noon):
        with time_machine.travel(at(13, 10), tick=False):
            assert rolls_not_taken_alert() == 1
            rolls_not_taken_alert()
        assert recipients(NoticeKind.ROLL_NOT_TAKEN) == {"teacher_a", "admin_a"}
        assert Notice.objects.count() == 2
        assert "尚未点名" in Notice.objects.first().title

    def test_a_taken_roll_raises_nothing(self, world, noon):
        with time_machine.travel(at(13, 5), tick=False):
            roll_call_save(session=noon, by=world.teacher, today=DAY)
        with time_machine.travel(at(13, 30), tick=False):
            assert rolls_not_taken_alert() == 0

    def test_the_setting_moves_the_deadline(self, world, noon, settings):
        settings.ROLL_NOT_TAKEN_MINUTES = 30
        with time_machine.travel(at(13, 20), tick=False):
            assert rolls_not_taken_alert() == 0
        with time_machine.travel(at(13, 30), tick=False):
            assert rolls_not_taken_alert() == 1


@pytest.fixture
def after(world, term, enroll):
    enroll(world.child_x, term)
    mate = f.make_student(world.class_a, "王一")
    enroll(mate, term)
    Session.objects.create(
        term=term,
        date=DAY,
        weekday=DAY.weekday(),
        period=Period.AFTER_SCHOOL,
        school_class=world.class_a,
        supervisor=world.teacher,
    )
    return mate


class TestNotCollected:
    def test_twenty_minutes_after_dismissal(self, world, after):
        with time_machine.travel(at(18, 29), tick=False):
            assert not_collected_alert() == 0
        with time_machine.travel(at(18, 30), tick=False):
            assert not_collected_alert() == 2
            not_collected_alert()
        assert recipients(NoticeKind.NOT_COLLECTED) == {"homeroom_a", "admin_a"}
        n = Notice.objects.filter(kind=NoticeKind.NOT_COLLECTED).first()
        assert "张小明" in n.body and "王一" in n.body

    def test_collected_and_on_leave_do_not_wait(self, world, term, after):
        LeaveRequest.objects.create(
            student=after,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=DAY,
            last_day=DAY,
            reason="看病",
            requested_by=world.guardian_x.user,
            status=LeaveStatus.APPROVED,
        )
        with time_machine.travel(at(18, 12), tick=False):
            dismissal_record(
                student=world.child_x,
                term=term,
                date=DAY,
                by=world.homeroom_a,
                collected_by="张伟",
                today=DAY,
            )
        with time_machine.travel(at(18, 40), tick=False):
            assert not_collected_alert() == 0
        assert not Notice.objects.exists()

    def test_nobody_waits_on_a_suspended_day(self, world, after):
        from scheduling.models import ServiceChange, ServiceChangeKind

        ServiceChange.objects.create(
            school=world.school, date=DAY, kind=ServiceChangeKind.SUSPENDED, notice="停电"
        )
        with time_machine.travel(at(18, 40), tick=False):
            assert not_collected_alert() == 0
        assert not Notice.objects.filter(kind=NoticeKind.NOT_COLLECTED).exists()

    def test_the_command_runs_every_check(self, world, after):
        out = StringIO()
        with time_machine.travel(at(18, 31), tick=False):
            call_command("notices_run", stdout=out)
        assert "未接走学生 2 名" in out.getvalue()


class TestNotCollectedOnTheClubDay:
    """Clubs meet after school on Tuesdays: the class has only its noon
    session, and a child who stays for the club alone still waits."""

    @pytest.fixture
    def club_day(self, world, term, enroll, noon):
        from scheduling.calendar.days import term_schedule

        schedule = term_schedule(term)
        schedule.featured_weekday = DAY.weekday()
        schedule.featured_period = Period.AFTER_SCHOOL
        schedule.save()
        clubber = f.make_student(world.class_a, "李社团")
        enroll(clubber, term, noon=False, after=False, featured=True)
        return clubber

    def test_the_club_child_is_reported_and_counted(self, world, term, club_day):
        from overview.todo.selectors import homeroom_todos

        with time_machine.travel(at(18, 30), tick=False):
            assert not_collected_alert() == 2  # 张小明 (after school) and the club child
            todos = {t.key: t for t in homeroom_todos(user=world.homeroom_a)}
        body = Notice.objects.filter(kind=NoticeKind.NOT_COLLECTED).first().body
        assert "李社团" in body and "张小明" in body
        assert todos["dismissal"].count == 2
