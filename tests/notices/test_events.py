"""Each event writes a notice to exactly the people concerned (the persona
matrix): the guardian of another child, another class's teacher and another
school's admin get nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from afterschool.models import Announcement, AnnouncementAudience, Notice, NoticeKind, User
from afterschool.notices.services import (
    announcement_publish,
    guardian_users_of_classes,
    notice_mark_read,
)
from afterschool.rollover.services import school_year_rollover
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


class TestClubRollEvents:
    """A club meeting's roll raises the same alert: the homeroom teacher of
    each absent child's own class and the child's guardians."""

    THURSDAY = datetime.date(2024, 9, 5)

    @pytest.fixture
    def club(self, world, term):
        from afterschool.models import RoomKind
        from scheduling.models import Club, ClubCategory, Period

        return Club.objects.create(
            school=world.school,
            term=term,
            name="合唱团",
            category=ClubCategory.MUSIC,
            min_grade=3,
            max_grade=3,
            capacity=30,
            teacher=world.teacher,
            room=f.make_room(world.school, "音乐室", RoomKind.MUSIC, 40),
            weekday=3,
            period=Period.AFTER_SCHOOL,
        )

    def save(self, world, club, marks):
        from scheduling.attendance.services import club_roll_save

        return club_roll_save(
            club=club,
            date=self.THURSDAY,
            roster=[world.child_x, world.child_y],
            by=world.teacher,
            marks=marks,
            today=self.THURSDAY,
        )

    def test_absent_child_tells_own_homeroom_and_guardians_once(self, world, term, club):
        from scheduling.models import AttendanceStatus

        self.save(world, club, {world.child_x.pk: AttendanceStatus.ABSENT})
        self.save(world, club, {world.child_x.pk: AttendanceStatus.ABSENT})
        assert told(world, NoticeKind.ABSENT_WITHOUT_LEAVE) == {"guardian_x", "homeroom_a"}
        assert Notice.objects.filter(kind=NoticeKind.ABSENT_WITHOUT_LEAVE).count() == 2
        teacher_notice = Notice.objects.get(recipient=world.homeroom_a)
        assert teacher_notice.title == f"{world.class_a.display_name} 张小明未到且未请假"
        assert "9月5日下午合唱团点名时张小明未到" in teacher_notice.body
        assert teacher_notice.link == reverse("scheduling:absences")
        # A child of the other class absent too: that class's teacher is told.
        self.save(
            world,
            club,
            {world.child_x.pk: AttendanceStatus.ABSENT, world.child_y.pk: AttendanceStatus.ABSENT},
        )
        assert told(world, NoticeKind.ABSENT_WITHOUT_LEAVE) == {
            "guardian_x",
            "homeroom_a",
            "guardian_y",
            "homeroom_b",
        }
        assert Notice.objects.filter(kind=NoticeKind.ABSENT_WITHOUT_LEAVE).count() == 4
        no_id_numbers(world)

    def test_absent_on_approved_leave_tells_nobody(self, world, term, club):
        from scheduling.models import AttendanceStatus, LeaveKind, LeaveRequest, LeaveStatus

        LeaveRequest.objects.create(
            student=world.child_x,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=self.THURSDAY,
            last_day=self.THURSDAY,
            reason="看病",
            requested_by=world.guardian_x.user,
            status=LeaveStatus.APPROVED,
        )
        self.save(world, club, {world.child_x.pk: AttendanceStatus.ABSENT})
        assert not Notice.objects.filter(kind=NoticeKind.ABSENT_WITHOUT_LEAVE).exists()

    def test_everyone_present_tells_nobody(self, world, term, club):
        self.save(world, club, {})
        assert not Notice.objects.exists()


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

    def test_a_rollover_before_september_keeps_the_years_audience(self, world, term):
        # Promoted in July: the pointers already name next year's classes,
        # but the school year running is still the one of 三年级.
        with time_machine.travel(datetime.datetime(2025, 7, 10, 9, 0), tick=False):
            school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)
            world.child_x.refresh_from_db()
            assert world.child_x.school_class.grade == 4
            for audience in (AnnouncementAudience.GRADE, AnnouncementAudience.CLASS):
                announcement_publish(
                    school=world.school,
                    by=world.admin,
                    title="暑假安全",
                    body="注意安全。",
                    audience=audience,
                    grade=3,
                    school_class=world.class_a,
                )
        recipients = Notice.objects.filter(kind=NoticeKind.ANNOUNCEMENT)
        grade = recipients.filter(announcement__audience=AnnouncementAudience.GRADE)
        by_class = recipients.filter(announcement__audience=AnnouncementAudience.CLASS)
        assert {n.recipient for n in grade} == {world.guardian_x.user, world.guardian_y.user}
        assert {n.recipient for n in by_class} == {world.guardian_x.user}

    def test_guardians_of_a_past_years_class_after_the_rollover(self, world, term):
        school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)
        assert guardian_users_of_classes([world.class_a.pk]) == [world.guardian_x.user]

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

    def test_grade_announcement_listed_with_the_grade_in_words(self, client, world, term):
        announcement_publish(
            school=world.school,
            by=world.admin,
            title="三年级春游",
            body="周五春游。",
            audience=AnnouncementAudience.GRADE,
            grade=3,
        )
        client.force_login(world.admin)
        listing = client.get(reverse("notices:announcements")).content.decode()
        assert "· 三年级 ·" in listing and "3年级" not in listing

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

    def test_form_offers_only_the_schools_grades(self, client, world, term):
        f.make_class(world.school, 5, 1)
        f.make_class(world.other_school, 8, 1)  # another school's 八年级
        client.force_login(world.admin)
        form = client.get(reverse("notices:announcements")).context["form"]
        assert [label for _value, label in form.fields["grade"].choices] == [
            "—",
            "三年级",
            "五年级",
        ]
        html = client.get(reverse("notices:announcements")).content.decode()
        assert "七年级" not in html and "九年级" not in html
        # A grade the school does not have is refused on the form; nothing sent.
        data = {"title": "家长会", "body": "周五。", "audience": "grade", "grade": "8"}
        response = client.post(reverse("notices:announcements"), data)
        assert response.status_code == 200
        assert "grade" in response.context["form"].errors
        assert not Notice.objects.exists()
        data["grade"] = "5"
        assert client.post(reverse("notices:announcements"), data).status_code == 302

    def test_guardian_cannot_reach_announcements(self, client, world):
        client.force_login(world.guardian_x.user)
        assert client.get(reverse("notices:announcements")).status_code == 403


class TestHomeroomAnnouncements:
    """A homeroom teacher writes to the guardians of their own class only."""

    def post(self, client, **data):
        return client.post(
            reverse("notices:announcements"),
            {"title": "春游通知", "body": "周三春游，请带水。", "audience": "class", **data},
        )

    def test_own_class_reaches_its_guardians_only_and_shows_the_read_count(
        self, client, world, term
    ):
        client.force_login(world.homeroom_a)
        page = client.get(reverse("notices:announcements")).content.decode()
        assert "班级公告" in page and 'name="grade"' not in page
        assert world.class_b.display_name not in page  # only the teacher's own class offered
        response = self.post(client, school_class=world.class_a.pk)
        assert response.status_code == 302
        assert told(world, NoticeKind.ANNOUNCEMENT) == {"guardian_x"}
        ann = Announcement.objects.get()
        assert (ann.author, ann.audience, ann.school_class) == (
            world.homeroom_a,
            AnnouncementAudience.CLASS,
            world.class_a,
        )
        notice_mark_read(notice=Notice.objects.get(recipient=world.guardian_x.user))
        listing = client.get(reverse("notices:announcements")).content.decode()
        assert 'data-read="1"' in listing and "1/1 已读" in listing
        detail = client.get(reverse("notices:announcement-detail", args=[ann.pk]))
        assert 'data-read="1"' in detail.content.decode()

    def test_another_class_or_the_school_is_refused(self, client, world, term):
        client.force_login(world.homeroom_a)
        assert self.post(client, school_class=world.class_b.pk).status_code == 200
        assert self.post(client, audience="school").status_code == 200
        assert self.post(client, audience="grade", grade=3).status_code == 200
        assert not Announcement.objects.exists() and not Notice.objects.exists()

    def test_the_service_refuses_another_class_in_chinese(self, world, term):
        with pytest.raises(ValidationError, match="班主任只能给自己班的家长发布公告"):
            announcement_publish(
                school=world.school,
                by=world.homeroom_a,
                title="春游",
                body="周三。",
                audience=AnnouncementAudience.CLASS,
                school_class=world.class_b,
            )
        with pytest.raises(ValidationError, match="班主任只能给自己班的家长发布公告"):
            announcement_publish(
                school=world.school,
                by=world.homeroom_a,
                title="春游",
                body="周三。",
                audience=AnnouncementAudience.SCHOOL,
            )
        with pytest.raises(ValidationError, match="只有本校的学校管理员和班主任"):
            announcement_publish(
                school=world.school,
                by=world.teacher,
                title="春游",
                body="周三。",
                audience=AnnouncementAudience.CLASS,
                school_class=world.class_a,
            )
        with pytest.raises(ValidationError, match="只有本校的学校管理员和班主任"):
            announcement_publish(
                school=world.school,
                by=world.other_admin,
                title="春游",
                body="周三。",
                audience=AnnouncementAudience.SCHOOL,
            )
        assert not Announcement.objects.exists() and not Notice.objects.exists()

    def test_other_teacher_sees_neither_the_list_nor_the_detail(self, client, world, term):
        ann = announcement_publish(
            school=world.school,
            by=world.homeroom_a,
            title="春游",
            body="周三。",
            audience=AnnouncementAudience.CLASS,
            school_class=world.class_a,
        )
        school_wide = announcement_publish(
            school=world.school,
            by=world.admin,
            title="全校家长会",
            body="周五。",
            audience=AnnouncementAudience.SCHOOL,
        )
        client.force_login(world.homeroom_b)
        assert "春游" not in client.get(reverse("notices:announcements")).content.decode()
        assert client.get(reverse("notices:announcement-detail", args=[ann.pk])).status_code == 404
        # The school's own announcement is the admin's to follow.
        client.force_login(world.homeroom_a)
        listing = client.get(reverse("notices:announcements")).content.decode()
        assert "春游" in listing and "全校家长会" not in listing
        url = reverse("notices:announcement-detail", args=[school_wide.pk])
        assert client.get(url).status_code == 404
        client.force_login(world.admin)
        assert "春游" in client.get(reverse("notices:announcements")).content.decode()
        client.force_login(world.teacher)
        assert client.get(reverse("notices:announcements")).status_code == 403
        client.force_login(world.other_admin)
        assert client.get(reverse("notices:announcement-detail", args=[ann.pk])).status_code == 404

    def test_the_homeroom_menu_links_the_page(self, client, world, term):
        client.force_login(world.homeroom_a)
        assert reverse("notices:announcements") in client.get(reverse("home")).content.decode()

    def test_who_may_announce_to_whom(self, world):
        from django.contrib.auth.models import AnonymousUser

        from afterschool.access import may_announce

        school, cls = AnnouncementAudience.SCHOOL, AnnouncementAudience.CLASS
        assert may_announce(world.admin, audience=school, school_class=None)
        assert may_announce(world.admin, audience=cls, school_class=world.class_b)
        assert not may_announce(world.admin, audience=cls, school_class=world.other_class)
        assert may_announce(world.homeroom_a, audience=cls, school_class=world.class_a)
        assert not may_announce(world.homeroom_a, audience=cls, school_class=world.class_b)
        assert not may_announce(world.homeroom_a, audience=cls, school_class=world.other_class)
        assert not may_announce(world.homeroom_a, audience=school, school_class=None)
        for nobody in (AnonymousUser(), world.teacher, world.guardian_x.user):
            assert not may_announce(nobody, audience=cls, school_class=world.class_a)
