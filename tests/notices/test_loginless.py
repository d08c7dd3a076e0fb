"""Guardians without a login (a record added before the roster gave it one)
are still reached: the notice goes out by SMS to the guardian's mobile and
by WeCom to their parent userid, against local servers speaking the
providers' protocols, and is kept for the inbox: once the record gains a
login (roster import, back office) and the guardian activates it, the
notice is there, unread, and an event already told is not told twice."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from afterschool.activation import activation_letters_issue, guardian_activate
from afterschool.models import (
    Delivery,
    DeliveryStatus,
    Guardian,
    Notice,
    NoticeKind,
    Role,
    SchoolClass,
    User,
)
from afterschool.notices.services import (
    announcement_publish,
    notices_claim,
    notify,
    notify_guardians_of_students,
)
from afterschool.roster.importer import roster_import
from afterschool.roster.parse import roster_parse
from tests import factories as f
from tests.afterschool.rosterfiles import csv_bytes, student

MOBILE = "13900000009"
PASSWORD = "Qz!8long-pass"
SMS_OK = {
    "Response": {
        "SendStatusSet": [{"SerialNo": "2028:9", "PhoneNumber": "+86", "Code": "Ok"}],
        "RequestId": "r9",
    }
}


@pytest.fixture
def grandma(world):
    """王奶奶, a second guardian of child X with no login yet."""
    return f.make_guardian(world.child_x, "王奶奶", MOBILE, with_login=False)


def suspend(world, captured, key="suspend:1"):
    with captured(execute=True):
        return notify_guardians_of_students(
            school=world.school,
            student_ids=[world.child_x.pk],
            kind=NoticeKind.SERVICE_SUSPENDED,
            title="停课通知",
            body="10月9日暂停课后服务。",
            link="/scheduling/timetable/",
            dedupe_key=key,
        )


class TestReached:
    def test_sms_goes_to_the_guardians_own_mobile(
        self, world, grandma, sms, django_capture_on_commit_callbacks
    ):
        sms.replies["/"] = [(200, SMS_OK)]
        notices = suspend(world, django_capture_on_commit_callbacks)
        # Both guardians of child X: the father as his login, the grandmother
        # as her record; nobody else.
        assert {(n.recipient_id, n.guardian_id) for n in notices} == {
            (world.guardian_x.user_id, world.guardian_x.pk),
            (None, grandma.pk),
        }
        phones = sorted(json.loads(r["body"])["PhoneNumberSet"][0] for r in sms.requests)
        assert phones == ["+8613900000001", f"+86{MOBILE}"]
        assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}

    def test_wecom_goes_to_the_guardians_parent_userid(
        self, world, grandma, wecom, django_capture_on_commit_callbacks
    ):
        grandma.wecom_parent_userid = "wang_nainai"
        grandma.save(update_fields=["wecom_parent_userid"])
        suspend(world, django_capture_on_commit_callbacks)
        sent = [r for r in wecom.requests if r["path"].endswith("/message/send")]
        assert [json.loads(r["body"])["to_parent_userid"] for r in sent] == [["wang_nainai"]]
        mine = Delivery.objects.get(notice__guardian=grandma)
        assert mine.status == DeliveryStatus.SENT
        # The father has no WeCom id: his delivery is skipped, not failed.
        assert Delivery.objects.get(notice__recipient=world.guardian_x.user).status == (
            DeliveryStatus.SKIPPED
        )

    def test_the_same_event_twice_is_sent_once(
        self, world, grandma, sms, django_capture_on_commit_callbacks
    ):
        sms.replies["/"] = [(200, SMS_OK)]
        suspend(world, django_capture_on_commit_callbacks)
        assert suspend(world, django_capture_on_commit_callbacks) == []
        assert Notice.objects.filter(guardian=grandma).count() == 1
        assert len(sms.requests) == 2

    def test_announcement_counts_the_guardian_without_a_login(self, world, grandma, term):
        ann = announcement_publish(
            school=world.school,
            by=world.admin,
            title="家长会",
            body="周五下午家长会。",
            audience="class",
            school_class=world.class_a,
        )
        assert set(ann.notices.values_list("guardian__name", flat=True)) == {"张伟", "王奶奶"}
        assert not ann.notices.filter(guardian=world.guardian_y).exists()

    def test_other_people_and_schools_get_nothing(self, world, grandma):
        f.make_guardian(world.other_child, "王奶奶", MOBILE, with_login=False)
        notify_guardians_of_students(
            school=world.school,
            student_ids=[world.child_x.pk],
            kind=NoticeKind.SERVICE_SUSPENDED,
            title="停课通知",
        )
        assert set(Notice.objects.values_list("guardian__school", flat=True)) == {world.school.pk}
        assert not Notice.objects.filter(recipient=world.guardian_y.user).exists()


class TestKeptForTheInbox:
    def test_roster_import_then_activation_shows_the_notice(
        self, client, db, sms, django_capture_on_commit_callbacks
    ):
        # A school imported once; then 家长1's login is gone and the record
        # stays (as a guardian added by hand would be).
        rows = [student(1)]
        roster_import(
            roster=roster_parse(filename="a.csv", content=csv_bytes(rows)),
            start_year=2024,
            school_name="实验小学",
        )
        guardian = Guardian.objects.get(mobile="13800000001")
        Guardian.objects.filter(pk=guardian.pk).update(user=None)
        User.objects.filter(username="13800000001").delete()
        guardian.refresh_from_db()
        sms.replies["/"] = [(200, SMS_OK)]
        with django_capture_on_commit_callbacks(execute=True):
            (notice,) = notify_guardians_of_students(
                school=guardian.school,
                student_ids=guardian.guardianships.values_list("student_id", flat=True),
                kind=NoticeKind.SERVICE_SUSPENDED,
                title="停课通知",
                dedupe_key="suspend:7",
            )
        assert (notice.recipient_id, notice.guardian_id) == (None, guardian.pk)
        assert json.loads(sms.requests[0]["body"])["PhoneNumberSet"] == ["+8613800000001"]

        # The next import gives the record a login: the notice is its own now.
        roster_import(
            roster=roster_parse(filename="a.csv", content=csv_bytes(rows)),
            start_year=2024,
            school_name="实验小学",
        )
        login = User.objects.get(username="13800000001")
        notice.refresh_from_db()
        assert notice.recipient_id == login.pk and login.unread_notices == 1

        # The guardian activates with the letter's code and reads it.
        page = next(
            p
            for p in activation_letters_issue(school_class=SchoolClass.objects.get())
            if p.guardian.pk == guardian.pk
        )
        guardian_activate(mobile="13800000001", code=page.code, password=PASSWORD)
        client.login(username="13800000001", password=PASSWORD)
        inbox = client.get(reverse("notices:inbox")).content.decode()
        assert "停课通知" in inbox and 'data-unread="1"' in inbox
        client.get(reverse("notices:detail", args=[notice.pk]))
        login.refresh_from_db()
        assert login.unread_notices == 0

        # The same event again tells nobody twice, by SMS or in the inbox.
        assert (
            notify_guardians_of_students(
                school=guardian.school,
                student_ids=guardian.guardianships.values_list("student_id", flat=True),
                kind=NoticeKind.SERVICE_SUSPENDED,
                title="停课通知",
                dedupe_key="suspend:7",
            )
            == []
        )
        assert len(sms.requests) == 1

    def test_activation_hands_over_notices_of_a_record_linked_meanwhile(self, world, grandma):
        notify_guardians_of_students(
            school=world.school,
            student_ids=[world.child_x.pk],
            kind=NoticeKind.ANNOUNCEMENT,
            title="家长会",
        )
        # Linked without the import (e.g. a data fix): activation hands it over.
        login = f.make_user(None, Role.GUARDIAN, username=MOBILE, mobile=MOBILE)
        login.set_unusable_password()
        login.save()
        Guardian.objects.filter(pk=grandma.pk).update(user=login)
        (page,) = activation_letters_issue(school_class=world.class_a)[1:]
        assert page.guardian.pk == grandma.pk and page.code
        guardian_activate(mobile=MOBILE, code=page.code, password=PASSWORD)
        login.refresh_from_db()
        assert login.unread_notices == 1
        assert list(Notice.objects.filter(recipient=login).values_list("title", flat=True)) == [
            "家长会"
        ]

    def test_back_office_link_hands_over_the_notices(self, world, grandma):
        notify_guardians_of_students(
            school=world.school,
            student_ids=[world.child_x.pk],
            kind=NoticeKind.ANNOUNCEMENT,
            title="家长会",
        )
        login = f.make_user(None, Role.GUARDIAN, username=MOBILE, mobile=MOBILE)
        root = User.objects.create_superuser("root", password="x")
        admin = site._registry[Guardian]
        request = RequestFactory().post("/")
        request.user = root
        form_class = admin.get_form(request, grandma)
        form = form_class(
            {"school": world.school.pk, "name": grandma.name, "mobile": MOBILE, "user": login.pk},
            instance=grandma,
        )
        assert form.is_valid(), form.errors
        admin.save_model(request, form.save(commit=False), form, change=True)
        login.refresh_from_db()
        assert login.unread_notices == 1

    def test_a_notice_the_login_already_has_is_not_handed_over_twice(self, world, grandma):
        login = f.make_user(None, Role.GUARDIAN, username=MOBILE, mobile=MOBILE)
        kw = {"kind": NoticeKind.SERVICE_SUSPENDED, "title": "停课通知", "dedupe_key": "s:1"}
        notify(school=world.school, guardians=[grandma], **kw)
        notify(school=world.school, recipients=[login], **kw)  # told as the login meanwhile
        Guardian.objects.filter(pk=grandma.pk).update(user=login)
        assert notices_claim(user=login) == 0
        assert Notice.objects.filter(dedupe_key="s:1").count() == 1
        login.refresh_from_db()
        assert login.unread_notices == 1

    def test_another_login_claims_nothing(self, world, grandma):
        notify(school=world.school, guardians=[grandma], kind=NoticeKind.ANNOUNCEMENT, title="x")
        assert notices_claim(user=world.guardian_y.user) == 0
        assert Notice.objects.get(guardian=grandma).recipient_id is None
