"""Each event writes a notice to exactly the people concerned (the persona
matrix): the guardian of another child, another class's teacher and another
school's admin get nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from afterschool.models import AnnouncementAudience, Notice, NoticeKind, User
from afterschool.notices.services import announcement_publish, notice_mark_read
from tests import factories as f

DAY = datetime.date(2024, 9, 3)  # a Tuesday of the 2024 autumn term


def everyone(world) -> dict[str, User]:
    return {
        "admin": world.admin,
        "homeroom_a": world.homeroom_a,
        "homeroom_b": world.homeroom_b,
        "teacher": world.teacher,
        "volunteer": world.volunteer,
        "guardian_x": world.guardian_x.user,
        "guardian_y": world.guardian_y.user,
        "other_admin": world.other_admin,
        "other_guardian": world.other_guardian.user,
    }


def told(world, kind: str) -> set[str]:
    """Who got a notice of ``kind``."""
    ids = set(Notice.objects.filter(kind=kind).values_list("recipient_id", flat=True))
    return {name for name, user in everyone(world).items() if user.pk in ids}


def no_id_numbers(world):
    for n in Notice.objects.all():
        for child in (world.child_x, world.child_y):
            assert child.id_number not in n.title + n.body + n.link


class TestEnrollmentEvents:
    def test_returned_application_tells_its_guardian_only(self, world, term):
        from enrollment.models import Status
        from enrollment.review.services import application_return
        from tests.enrollment.conftest import drive

        app = drive(
            world.child_x, term, Status.SUBMITTED, homeroom=world.homeroom_a, admin=world.admin
        )
        drive(world.child_y, term, Status.SUBMITTED, homeroom=world.homeroom_b, admin=world.admin)
        application_return(application=app, by=world.homeroom_a, reason="请补充接送人手机号")
        assert told(world, NoticeKind.APPLICATION_RETURNED) == {"guardian_x"}
        n = Notice.objects.get(kind=NoticeKind.APPLICATION_RETURNED)
        assert "张小明" in n.title and "请补充接送人手机号" in n.body
        assert n.link == reverse("enrollment:family")
        no_id_numbers(world)

    def test_school_approval_asks_for_the_signature(self, world, term):
        from enrollment.models import Status
        from tests.enrollment.conftest import drive

        app = drive(
            world.child_x, term, Status.APPROVED, homeroom=world.homeroom_a, admin=world.admin
        )
        assert told(world, NoticeKind.APPLICATION_APPROVED) == {"guardian_x"}
        assert told(world, NoticeKind.APPLICATION_SCHOOL_APPROVED) == {"guardian_x"}
        n = Notice.objects.get(kind=NoticeKind.APPLICATION_SCHOOL_APPROVED)
        assert n.link == reverse("enrollment:agreement-sign", args=[app.pk])

    def test_survey_opened_tells_the_schools_guardians(self, world, term):
        from enrollment.surveys.services import survey_open

        survey_open(term=term, by=world.admin)
        survey_open(term=term, by=world.admin)  # again: nobody told twice
        assert told(world, NoticeKind.SURVEY_OPENED) == {"guardian_x", "guardian_y"}
        assert Notice.objects.filter(kind=NoticeKind.SURVEY_OPENED).count() == 2

    def test_waiver_decided(self, world, term):
        from enrollment.models import Status, WaiverRequest
        from enrollment.waivers.services import waiver_decide
        from tests.enrollment.conftest import drive

        drive(
            world.child_x,
            term,
            Status.SUBMITTED,
            homeroom=world.homeroom_a,
            admin=world.admin,
            waiver_requested=True,
            waiver_reason="低保户",
        )
        waiver_decide(
            waiver=WaiverRequest.objects.get(), approve=False, by=world.admin, reason="材料不全"
        )
        assert told(world, NoticeKind.WAIVER_DECIDED) == {"guardian_x"}
        assert "材料不全" in Notice.objects.get(kind=NoticeKind.WAIVER_DECIDED).body


class TestSchedulingEvents:
    def test_suspension_tells_every_guardian_of_the_school(self, world, term):
        from scheduling.calendar.services import service_suspend

        service_suspend(
            school=world.school,
            date=DAY,
            notice="因天气原因暂停课后服务。",
            by=world.admin,
            today=DAY,
        )
        assert told(world, NoticeKind.SERVICE_SUSPENDED) == {"guardian_x", "guardian_y"}
        n = Notice.objects.filter(kind=NoticeKind.SERVICE_SUSPENDED).first()
        assert "停课通知" in n.title and "因天气原因" in n.body

    def test_leave_decided_tells_the_childs_guardian(self, world, term, enroll):
        from scheduling.attendance.services import leave_decide
        from scheduling.models import LeaveKind, LeaveRequest

        enroll(world.child_x, term)
        leave = LeaveRequest.objects.create(
            student=world.child_x,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=DAY,
            last_day=DAY,
            reason="看病",
            requested_by=world.guardian_x.user,
        )
        leave_decide(leave=leave, by=world.homeroom_a, approve=False, reason="请补充病历")
        assert told(world, NoticeKind.LEAVE_DECIDED) == {"guardian_x"}
        assert "未批准" in Notice.objects.get(kind=NoticeKind.LEAVE_DECIDED).title

    def test_absent_without_leave_tells_homeroom_and_guardians_once(self, world, term, enroll):
        from scheduling.attendance.services import roll_call_save
        from scheduling.models import AttendanceStatus, Period, Session

        enroll(world.child_x, term)
        enroll(world.child_y, term)
        session = Session.objects.create(
            term=term,
            date=DAY,
            weekday=DAY.weekday(),
            period=Period.NOON,
            school_class=world.class_a,
            supervisor=world.teacher,
        )
        marks = {world.child_x.pk: AttendanceStatus.ABSENT}
        roll_call_save(session=session, by=world.teacher, marks=marks, today=DAY)
        roll_call_save(session=session, by=world.teacher, marks=marks, today=DAY)
        assert told(world, NoticeKind.ABSENT_WITHOUT_LEAVE) == {"guardian_x", "homeroom_a"}
        assert Notice.objects.filter(kind=NoticeKind.ABSENT_WITHOUT_LEAVE).count() == 2
        assert (
            "未到且未请假"
            in Notice.objects.filter(kind=NoticeKind.ABSENT_WITHOUT_LEAVE).first().title
        )

    def test_absent_on_approved_leave_tells_nobody(self, world, term, enroll):
        from scheduling.attendance.services import roll_call_save
        from scheduling.models import (
            AttendanceStatus,
            LeaveKind,
            LeaveRequest,
            LeaveStatus,
            Period,
            Session,
        )

        enroll(world.child_x, term)
        LeaveRequest.objects.create(
            student=world.child_x,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=DAY,
            last_day=DAY,
            reason="看病",
            requested_by=world.guardian_x.user,
            status=LeaveStatus.APPROVED,
        )
        session = Session.objects.create(
            term=term,
            date=DAY,
            weekday=DAY.weekday(),
            period=Period.NOON,
            school_class=world.class_a,
            supervisor=world.teacher,
        )
        roll_call_save(
            session=session,
            by=world.teacher,
            marks={world.child_x.pk: AttendanceStatus.ABSENT},
            today=DAY,
        )
        assert not Notice.objects.filter(kind=NoticeKind.ABSENT_WITHOUT_LEAVE).exists()


class TestBillingEvents:
    def test_payment_recorded_tells_the_childs_guardian(self, world, term):
        from billing.models import FeeStatement
        from billing.payments.services import payment_record

        st = FeeStatement.objects.create(
            school=world.school,
            term=term,
            student=world.child_x,
            school_class=world.class_a,
            month=datetime.date(2024, 9, 1),
            total=Decimal("92.00"),
        )
        payment_record(
            statement=st,
            amount=Decimal("92.00"),
            method="cash",
            receipt_number="R001",
            by=world.admin,
        )
        assert told(world, NoticeKind.PAYMENT_RECORDED) == {"guardian_x"}
        assert "92.00" in Notice.objects.get(kind=NoticeKind.PAYMENT_RECORDED).title


class TestAnnouncements:
    @pytest.mark.parametrize(
        ("audience", "expected"),
        [
            (AnnouncementAudience.CLASS, {"guardian_x"}),
            (AnnouncementAudience.GRADE, {"guardian_x", "guardian_y"}),
            (AnnouncementAudience.SCHOOL, {"guardian_x", "guardian_y"}),
        ],
    )
    def test_audience(self, world, term, audience, expected):
        f.make_class(world.school, 4, 1)  # another grade, nobody in it
        ann = announcement_publish(
            school=world.school,
            by=world.admin,
            title="家长会",
            body="周五下午家长会。",
            audience=audience,
            grade=3,
            school_class=world.class_a,
        )
        assert told(world, NoticeKind.ANNOUNCEMENT) == expected
        assert ann.notices.count() == len(expected)

    def test_read_count_and_badge(self, client, world, term):
        ann = announcement_publish(
            school=world.school,
            by=world.admin,
            title="家长会",
            body="周五下午家长会。",
            audience=AnnouncementAudience.SCHOOL,
        )
        guardian = world.guardian_x.user
        guardian.refresh_from_db()
        assert guardian.unread_notices == 1
        client.force_login(guardian)
        home = client.get(reverse("home")).content.decode()
        assert 'data-unread="1"' in home
        notice = Notice.objects.get(recipient=guardian)
        page = client.get(reverse("notices:detail", args=[notice.pk]))
        assert "周五下午家长会" in page.content.decode()
        client.get(reverse("notices:detail", args=[notice.pk]))  # twice: counted once
        guardian.refresh_from_db()
        assert guardian.unread_notices == 0
        client.force_login(world.admin)
        detail = client.get(reverse("notices:announcement-detail", args=[ann.pk])).content.decode()
        assert 'data-read="1"' in detail

    def test_empty_announcement_refused_in_chinese(self, client, world, term):
        client.force_login(world.admin)
        response = client.post(
            reverse("notices:announcements"), {"title": "", "body": "x", "audience": "school"}
        )
        assert response.status_code == 200
        assert not Notice.objects.exists()

    def test_another_persons_notice_is_404(self, client, world, term):
        announcement_publish(
            school=world.school, by=world.admin, title="家长会", body="周五。", audience="school"
        )
        notice = Notice.objects.get(recipient=world.guardian_x.user)
        client.force_login(world.guardian_y.user)
        assert client.get(reverse("notices:detail", args=[notice.pk])).status_code == 404
        notice.refresh_from_db()
        assert notice.read_at is None
        notice_mark_read(notice=notice)
        assert Notice.objects.get(pk=notice.pk).read_at is not None

    def test_guardian_cannot_reach_announcements(self, client, world):
        client.force_login(world.guardian_x.user)
        assert client.get(reverse("notices:announcements")).status_code == 403
