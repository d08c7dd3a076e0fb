"""Leave pages: the guardian asks on a phone, the homeroom teacher decides,
the guardian sees the status; every URL tried by the wrong persona."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from scheduling.attendance import services
from scheduling.models import LeaveKind, LeaveRequest, LeaveStatus
from tests import factories as f

D = datetime.date
TODAY = D(2024, 9, 2)


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def enrolled(world, term, enroll):
    enroll(world.child_x, term)
    enroll(world.child_y, term)


def form(**kw):
    data = {
        "kind": "days",
        "first_day": "2024-09-13",
        "last_day": "2024-09-18",
        "periods": "",
        "reason": "回老家探亲",
    }
    data.update(kw)
    return data


def make_leave(world, term, student=None, **kw):
    student = student or world.child_x
    args = {
        "student": student,
        "term": term,
        "kind": LeaveKind.DAYS,
        "first_day": D(2024, 9, 4),
        "last_day": D(2024, 9, 4),
        "reason": "看牙",
        "by": student.guardians.first().user,
        "today": TODAY,
    }
    args.update(kw)
    return services.leave_request(**args)


@pytest.mark.django_db
class TestGuardianAsks:
    def test_asks_for_three_days_and_sees_it_waiting(self, client, world, term, enrolled):
        client.force_login(world.guardian_x.user)
        r = client.post(
            reverse("scheduling:leave-create"), form(student=world.child_x.pk), follow=True
        )
        html = r.content.decode()
        assert "已提交张小明的请假（9月13日至9月18日 整天请假），请等待班主任审批。" in html
        leave = LeaveRequest.objects.get()
        assert (leave.student, leave.status) == (world.child_x, LeaveStatus.REQUESTED)
        assert f'data-leave="{leave.pk}"' in html and "回老家探亲" in html

    def test_form_says_which_periods_a_leave_covers(self, client, world, term, enrolled):
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("scheduling:leave-create")).content.decode()
        hint = html.split('id="leave-hint">', 1)[1].split("</div>", 1)[0]
        assert "中午和下午两个课时" in hint
        assert "“整天请假”是所选日期的中午和下午都不参加" in hint
        assert "只请中午、只请下午，或中午和下午都请" in hint
        assert '<option value="both">中午和下午</option>' in html

    def test_refusal_reshows_the_form_with_the_message(self, client, world, term, enrolled):
        client.force_login(world.guardian_x.user)
        r = client.post(
            reverse("scheduling:leave-create"),
            form(student=world.child_x.pk, first_day="2024-09-15", last_day="2024-09-15"),
        )
        html = r.content.decode()
        assert r.status_code == 200
        assert "9月15日没有课后服务，请选择课后服务日。" in html
        assert "回老家探亲" in html  # what was typed is shown again
        assert LeaveRequest.objects.count() == 0

    def test_a_period_the_child_does_not_take_is_refused_next_to_it(
        self, client, world, term, enroll
    ):
        enroll(world.child_x, term, noon=False)  # 下午 only
        client.force_login(world.guardian_x.user)
        url = reverse("scheduling:leave-create")
        data = form(student=world.child_x.pk, kind="periods", first_day="2024-09-13")
        html = client.post(url, {**data, "last_day": "2024-09-13", "periods": "noon"}).text
        refusal = "张小明没有报名中午课后服务，无需请中午的假。"
        assert f'id="error_1_id_periods"><strong>{refusal}' in html
        both = client.post(url, {**data, "last_day": "2024-09-13", "periods": "both"}).text
        assert "张小明只参加下午课后服务，请选择“下午”或按天请假。" in both
        assert LeaveRequest.objects.count() == 0
        client.post(url, {**data, "last_day": "2024-09-13", "periods": "after"})
        assert LeaveRequest.objects.get().periods == "after"

    def test_days_out_of_order_are_marked_on_the_end_date(self, client, world, term, enrolled):
        client.force_login(world.guardian_x.user)
        r = client.post(
            reverse("scheduling:leave-create"),
            form(student=world.child_x.pk, first_day="2024-09-18", last_day="2024-09-13"),
        )
        html = r.content.decode()
        assert 'id="error_1_id_last_day"><strong>结束日期不能早于开始日期。' in html
        assert LeaveRequest.objects.count() == 0

    def test_only_children_taking_part_are_offered(self, client, world, term, enroll):
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("scheduling:leave-create")).content.decode()
        assert 'id="leave-none"' in html and "提交请假" not in html
        enroll(world.child_x, term)
        html = client.get(reverse("scheduling:leave-create")).content.decode()
        assert 'id="leave-none"' not in html and "张小明" in html
        # A term already over offers nothing to excuse.
        with time_machine.travel(at(D(2025, 2, 1)), tick=False):
            client.force_login(world.guardian_x.user)  # a new session that day
            html = client.get(reverse("scheduling:leave-create")).content.decode()
        assert 'id="leave-none"' in html

    def test_cannot_pick_another_family_child(self, client, world, term, enrolled):
        client.force_login(world.guardian_x.user)
        r = client.post(reverse("scheduling:leave-create"), form(student=world.child_y.pk))
        assert r.status_code == 200 and LeaveRequest.objects.count() == 0
        assert world.child_y.name not in r.content.decode()

    def test_date_outside_every_term(self, client, world, term, enrolled):
        client.force_login(world.guardian_x.user)
        r = client.post(
            reverse("scheduling:leave-create"),
            form(student=world.child_x.pk, first_day="2024-08-01", last_day="2024-08-01"),
        )
        assert "不能为已经过去的日期请假（8月1日）。" in r.content.decode()
        assert LeaveRequest.objects.count() == 0

    def test_sees_decision_and_reason(self, client, world, term, enrolled):
        leave = make_leave(world, term)
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=False, reason="当天考试")
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("scheduling:leave-list")).content.decode()
        assert "未批准" in html and "审批意见：当天考试" in html

    def test_cancels_a_waiting_request(self, client, world, term, enrolled):
        leave = make_leave(world, term)
        client.force_login(world.guardian_x.user)
        r = client.post(reverse("scheduling:leave-cancel", args=[leave.pk]), follow=True)
        assert "已撤销请假。" in r.content.decode()
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.CANCELLED


@pytest.mark.django_db
class TestHomeroomDecides:
    def test_waiting_requests_of_own_class_only(self, client, world, term, enrolled):
        mine = make_leave(world, term)
        other = make_leave(world, term, student=world.child_y)
        client.force_login(world.homeroom_a)
        r = client.get(reverse("scheduling:leave-list"))
        assert [x.pk for x in r.context["waiting"]] == [mine.pk]
        assert other.pk not in [x.pk for x in r.context["others"]]

    def test_approves(self, client, world, term, enrolled):
        leave = make_leave(world, term)
        client.force_login(world.homeroom_a)
        r = client.post(
            reverse("scheduling:leave-decide", args=[leave.pk]),
            {"decision": "approve"},
            follow=True,
        )
        assert "已批准张小明的请假。" in r.content.decode()
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.APPROVED and leave.decided_by == world.homeroom_a

    def test_decline_without_reason_is_refused_with_message(self, client, world, term, enrolled):
        leave = make_leave(world, term)
        client.force_login(world.homeroom_a)
        r = client.post(
            reverse("scheduling:leave-decide", args=[leave.pk]),
            {"decision": "decline"},
            follow=True,
        )
        assert "不批准请假时请填写理由，家长会看到。" in r.content.decode()
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.REQUESTED

    def test_lists_in_the_order_a_teacher_reads_them(self, client, world, term, enrolled):
        # Made in a scrambled order (all at one pinned time): the page orders
        # by the days, not by when each was asked.
        def leave(day, decision=None):
            r = make_leave(world, term, first_day=day, last_day=day)
            if decision is not None:
                services.leave_decide(
                    leave=r,
                    by=world.homeroom_a,
                    approve=decision,
                    reason="" if decision else "考试",
                )
            return r

        d = leave(D(2024, 9, 11), True)
        a = leave(D(2024, 9, 4), True)
        e = leave(D(2024, 9, 18))
        c = leave(D(2024, 9, 12), True)
        b = leave(D(2024, 9, 5), False)
        f_ = leave(D(2024, 9, 13))
        with time_machine.travel(at(D(2024, 9, 11)), tick=False):
            client.force_login(world.homeroom_a)
            r = client.get(reverse("scheduling:leave-list"))
        assert r.status_code == 200, r
        # Waiting: the soonest first. Record: today's and coming leave, the
        # soonest first, then past leave, the latest first.
        assert [x.pk for x in r.context["waiting"]] == [f_.pk, e.pk]
        assert [x.pk for x in r.context["others"]] == [d.pk, c.pk, b.pk, a.pk]
        html = r.content.decode()
        shown = [html.index(f'data-leave="{x.pk}"') for x in (f_, e, d, c, b, a)]
        assert shown == sorted(shown)

    @pytest.mark.parametrize("size", [5, 45])
    def test_list_queries(self, client, world, term, enroll, size, django_assert_num_queries):
        for i in range(size):
            s = f.make_student(world.class_a, f"学生{i:02d}")
            f.make_guardian(s, "家长", f"1380000{i:04d}")
            enroll(s, term)
            make_leave(world, term, student=s)
        client.force_login(world.homeroom_a)
        # 1 session, 2 user with school, 3 leave requests with student, class,
        # decider and term.
        with django_assert_num_queries(3):
            r = client.get(reverse("scheduling:leave-list"))
        assert len(r.context["waiting"]) == size


@pytest.mark.django_db
class TestLeavePermissions:
    @pytest.mark.parametrize("who", ["homeroom_b", "other_admin", "guardian_y", "teacher"])
    def test_decide_by_outsiders(self, client, world, term, enrolled, who):
        leave = make_leave(world, term)
        user = getattr(world, who)
        client.force_login(getattr(user, "user", user))
        r = client.post(
            reverse("scheduling:leave-decide", args=[leave.pk]), {"decision": "approve"}
        )
        assert r.status_code == 404
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.REQUESTED

    def test_guardian_cannot_decide_own_childs_leave(self, client, world, term, enrolled):
        leave = make_leave(world, term)
        client.force_login(world.guardian_x.user)
        r = client.post(
            reverse("scheduling:leave-decide", args=[leave.pk]), {"decision": "approve"}
        )
        assert r.status_code == 403
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.REQUESTED

    @pytest.mark.parametrize("who", ["guardian_y", "homeroom_b", "other_admin"])
    def test_cancel_by_outsiders(self, client, world, term, enrolled, who):
        leave = make_leave(world, term)
        user = getattr(world, who)
        client.force_login(getattr(user, "user", user))
        assert client.post(reverse("scheduling:leave-cancel", args=[leave.pk])).status_code == 404
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.REQUESTED

    def test_homeroom_teacher_cannot_cancel(self, client, world, term, enrolled):
        leave = make_leave(world, term)
        client.force_login(world.homeroom_a)
        assert client.post(reverse("scheduling:leave-cancel", args=[leave.pk])).status_code == 403

    @pytest.mark.parametrize("who", ["teacher", "volunteer"])
    def test_list_is_not_for_plain_staff(self, client, world, who):
        client.force_login(getattr(world, who))
        assert client.get(reverse("scheduling:leave-list")).status_code == 403

    @pytest.mark.parametrize("who", ["homeroom_a", "admin", "teacher"])
    def test_only_guardians_ask(self, client, world, who):
        client.force_login(getattr(world, who))
        assert client.get(reverse("scheduling:leave-create")).status_code == 403

    def test_other_guardian_list_shows_nothing_of_ours(self, client, world, term, enrolled):
        make_leave(world, term)
        client.force_login(world.guardian_y.user)
        r = client.get(reverse("scheduling:leave-list"))
        assert r.context["waiting"] == [] and r.context["others"] == []

    @pytest.mark.parametrize(
        ("name", "method", "needs_pk"),
        [
            ("leave-list", "get", False),
            ("leave-create", "get", False),
            ("leave-decide", "post", True),
            ("leave-cancel", "post", True),
        ],
    )
    def test_anonymous_is_sent_to_log_in(self, client, name, method, needs_pk):
        url = reverse(f"scheduling:{name}", args=[1] if needs_pk else [])
        r = getattr(client, method)(url)
        assert r.status_code == 302 and "/login" in r.url
