"""Dismissal (离校): who left when, collected by whom or alone (only with the
application's consent); boarders stay; permissions on every URL."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from scheduling.attendance import selectors, services
from scheduling.models import Dismissal, LeaveKind, Period, Session
from tests import factories as f

D = datetime.date
DAY = D(2024, 9, 3)  # Tuesday (the featured day is Thursday)


@pytest.fixture(autouse=True)
def today():
    """The pages' today is DAY (10:00 in Shanghai)."""
    at = datetime.datetime.combine(DAY, datetime.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(at, tick=False):
        yield


@pytest.fixture
def sheet_world(world, term, enroll):
    enroll(world.child_x, term, pickup_name="张伟")
    alone = f.make_student(world.class_a, "独行侠")
    enroll(alone, term, goes_home_alone=True, pickup_name="")
    boarder = f.make_student(world.class_a, "住校生", is_boarder=True)
    enroll(boarder, term)
    noon_only = f.make_student(world.class_a, "只中午")
    enroll(noon_only, term, noon=True, after=False)
    return {"alone": alone, "boarder": boarder, "noon_only": noon_only}


def record(world, term, student, **kw):
    args = {"student": student, "term": term, "date": DAY, "by": world.homeroom_a, "today": DAY}
    args.update(kw)
    return services.dismissal_record(**args)


@pytest.mark.django_db
class TestDismissalRecord:
    def test_collected_by_the_pickup_person_by_default(self, world, term, sheet_world):
        d = record(world, term, world.child_x)
        assert (d.alone, d.collected_by, d.recorded_by) == (False, "张伟", world.homeroom_a)
        assert d.left_at is not None

    def test_collected_by_someone_else_named(self, world, term, sheet_world):
        assert record(world, term, world.child_x, collected_by="张奶奶").collected_by == "张奶奶"

    def test_alone_when_the_application_allows(self, world, term, sheet_world):
        d = record(world, term, sheet_world["alone"], alone=True)
        assert d.alone and d.collected_by == ""

    def test_alone_without_consent_is_refused(self, world, term, sheet_world):
        with pytest.raises(ValidationError) as exc:
            record(world, term, world.child_x, alone=True)
        assert exc.value.messages == ["张小明的申请书未同意孩子自行回家，请由接送人接走。"]
        assert Dismissal.objects.count() == 0

    def test_boarders_stay(self, world, term, sheet_world):
        with pytest.raises(ValidationError) as exc:
            record(world, term, sheet_world["boarder"])
        assert exc.value.messages == ["住校生是住宿生，由学校统一管理，不需要离校登记。"]
        assert Dismissal.objects.count() == 0

    def test_a_child_not_staying_after_school_is_not_on_the_sheet(self, world, term, sheet_world):
        with pytest.raises(ValidationError) as exc:
            record(world, term, sheet_world["noon_only"])
        assert exc.value.messages == ["只中午今天不参加下午课后服务，不在离校名单上。"]
        assert Dismissal.objects.count() == 0

    def test_a_second_tap_keeps_the_first_record(self, world, term, sheet_world):
        first = record(world, term, world.child_x)
        again = record(world, term, world.child_x, collected_by="别人")
        assert again.pk == first.pk and Dismissal.objects.get().collected_by == "张伟"

    def test_the_days_supervisor_may_record(self, world, term, sheet_world):
        Session.objects.create(
            term=term,
            date=DAY,
            weekday=1,
            period=Period.AFTER_SCHOOL,
            school_class=world.class_a,
            supervisor=world.volunteer,
        )
        assert record(world, term, world.child_x, by=world.volunteer).recorded_by == world.volunteer

    @pytest.mark.parametrize("who", ["teacher", "homeroom_b", "other_admin"])
    def test_others_may_not(self, world, term, sheet_world, who):
        with pytest.raises(ValidationError) as exc:
            record(world, term, world.child_x, by=getattr(world, who))
        assert exc.value.messages == ["只有班主任、当天看班教师或学校管理员可以登记离校。"]
        assert Dismissal.objects.count() == 0

    def test_no_dismissal_ahead_of_the_day(self, world, term, sheet_world):
        with pytest.raises(ValidationError) as exc:
            record(world, term, world.child_x, today=D(2024, 9, 2))
        assert exc.value.messages == ["不能提前登记离校。"]
        assert Dismissal.objects.count() == 0


@pytest.mark.django_db
class TestDismissalSheet:
    def test_lists_after_school_children_and_boarders_apart(self, world, term, sheet_world):
        sheet = selectors.dismissal_sheet(school_class=world.class_a, term=term, date=DAY)
        assert {r.student.name for r in sheet.rows} == {"张小明", "独行侠"}
        assert [s.name for s in sheet.boarders] == ["住校生"]
        assert sheet.waiting == 2 and sheet.left == 0

    def test_featured_day_adds_club_children(self, world, term, enroll, sheet_world):
        club_only = f.make_student(world.class_a, "社团娃")
        enroll(club_only, term, noon=False, after=False, featured=True)
        thursday = D(2024, 9, 5)
        names = {
            r.student.name
            for r in selectors.dismissal_sheet(
                school_class=world.class_a, term=term, date=thursday
            ).rows
        }
        assert "社团娃" in names
        names = {
            r.student.name
            for r in selectors.dismissal_sheet(school_class=world.class_a, term=term, date=DAY).rows
        }
        assert "社团娃" not in names

    def test_child_on_leave_is_marked(self, world, term, sheet_world):
        leave = services.leave_request(
            student=world.child_x,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=DAY,
            last_day=DAY,
            reason="病",
            by=world.guardian_x.user,
            today=DAY,
        )
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=True)
        sheet = selectors.dismissal_sheet(school_class=world.class_a, term=term, date=DAY)
        row = next(r for r in sheet.rows if r.student == world.child_x)
        assert row.on_leave and sheet.waiting == 1


@pytest.mark.django_db
class TestDismissalPages:
    def test_page_records_and_shows_time_and_collector(self, client, world, term, sheet_world):
        client.force_login(world.homeroom_a)
        url = reverse("scheduling:dismissal-class", args=[world.class_a.pk]) + "?date=2024-09-03"
        r = client.get(url)
        html = r.content.decode()
        assert "住宿生（留校，由学校统一管理，无需离校登记）" in html and "住校生" in html
        assert "只中午" not in html
        r = client.post(url, {"student": world.child_x.pk, "collected_by": "张伟"}, follow=True)
        assert "离校（张伟接走）" in r.content.decode()
        r = client.post(url, {"student": world.child_x.pk, "alone": "on"}, follow=True)
        assert Dismissal.objects.get().collected_by == "张伟"  # second tap: first kept
        r = client.post(url, {"student": sheet_world["boarder"].pk}, follow=True)
        assert "住校生是住宿生，由学校统一管理，不需要离校登记。" in r.content.decode()
        assert Dismissal.objects.count() == 1

    def test_a_past_day_is_recorded_at_the_terms_dismissal_time(
        self, client, world, term, sheet_world
    ):
        client.force_login(world.homeroom_a)
        url = reverse("scheduling:dismissal-class", args=[world.class_a.pk]) + "?date=2024-09-02"
        html = client.get(url).content.decode()
        assert "登记的离校时间按本学期放学时间 18:10 记录" in html
        r = client.post(url, {"student": world.child_x.pk, "collected_by": "张伟"}, follow=True)
        assert (
            "张小明 18:10 离校（张伟接走）。（补登：按本学期放学时间记录。）" in r.content.decode()
        )
        d = Dismissal.objects.get()
        assert timezone.localtime(d.left_at) == timezone.make_aware(
            datetime.datetime(2024, 9, 2, 18, 10)
        )

    def test_today_is_recorded_at_the_current_time(self, client, world, term, sheet_world):
        client.force_login(world.homeroom_a)
        url = reverse("scheduling:dismissal-class", args=[world.class_a.pk]) + "?date=2024-09-03"
        assert "补登" not in client.get(url).content.decode()
        before = timezone.now()
        client.post(url, {"student": world.child_x.pk, "collected_by": "张伟"})
        assert Dismissal.objects.get().left_at >= before

    def test_a_cleared_pickup_box_is_refused_when_the_child_may_not_go_alone(
        self, client, world, term, sheet_world
    ):
        client.force_login(world.homeroom_a)
        url = reverse("scheduling:dismissal-class", args=[world.class_a.pk]) + "?date=2024-09-03"
        r = client.post(url, {"student": world.child_x.pk, "collected_by": "  "}, follow=True)
        assert (
            "张小明的申请书未同意孩子自行回家，请填写接走孩子的接送人姓名。" in r.content.decode()
        )
        assert not Dismissal.objects.exists()

    def test_undo(self, client, world, term, sheet_world):
        d = record(world, term, world.child_x)
        client.force_login(world.homeroom_a)
        r = client.post(reverse("scheduling:dismissal-undo", args=[d.pk]), follow=True)
        assert "已撤销张小明的离校登记。" in r.content.decode()
        assert Dismissal.objects.count() == 0

    def test_index_lists_own_classes(self, client, world, term):
        client.force_login(world.homeroom_a)
        r = client.get(reverse("scheduling:dismissal-index"), {"date": "2024-09-03"})
        assert r.context["classes"] == [world.class_a]

    @pytest.mark.parametrize("size", [5, 45])
    def test_sheet_queries(self, client, world, term, enroll, size, django_assert_num_queries):
        for i in range(size):
            s = f.make_student(world.class_a, f"学生{i:02d}", is_boarder=i % 10 == 0)
            enroll(s, term)
        client.force_login(world.homeroom_a)
        url = reverse("scheduling:dismissal-class", args=[world.class_a.pk])
        # 1 session, 2 user, 3 class, 4 terms, 5 applications with students,
        # 6 dismissals, 7 approved leave, 8 after-school absences, 9
        # registered pickup people, 10 guardians' phones
        # (scheduling.attendance.selectors.attach_pickup). A Tuesday is not
        # the featured Thursday: no calendar read to tell.
        with django_assert_num_queries(10):
            r = client.get(url, {"date": "2024-09-03"})
        sheet = r.context["sheet"]
        assert len(sheet.rows) + len(sheet.boarders) == size


@pytest.mark.django_db
class TestDismissalPermissions:
    @pytest.mark.parametrize("who", ["teacher", "homeroom_b", "other_admin"])
    def test_outsiders_get_404(self, client, world, term, sheet_world, who):
        d = record(world, term, sheet_world["alone"], alone=True)
        client.force_login(getattr(world, who))
        url = reverse("scheduling:dismissal-class", args=[world.class_a.pk])
        assert client.get(url, {"date": "2024-09-03"}).status_code == 404
        assert (
            client.post(url, {"student": world.child_x.pk, "date": "2024-09-03"}).status_code == 404
        )
        assert client.post(reverse("scheduling:dismissal-undo", args=[d.pk])).status_code == 404
        assert Dismissal.objects.count() == 1

    def test_guardian_gets_403(self, client, world):
        client.force_login(world.guardian_x.user)
        for url in (
            reverse("scheduling:dismissal-index"),
            reverse("scheduling:dismissal-class", args=[world.class_a.pk]),
        ):
            assert client.get(url).status_code == 403

    @pytest.mark.parametrize(
        ("name", "method"),
        [("dismissal-index", "get"), ("dismissal-class", "get"), ("dismissal-undo", "post")],
    )
    def test_anonymous_is_sent_to_log_in(self, client, name, method):
        args = [] if name == "dismissal-index" else [1]
        r = getattr(client, method)(reverse(f"scheduling:{name}", args=args))
        assert r.status_code == 302 and "/login" in r.url
