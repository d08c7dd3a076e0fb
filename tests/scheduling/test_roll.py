"""Roll call (点名): who is on the roll, default present, one tap per
exception, approved leave pre-marks, who may take it, and where an absence
without leave shows up that day."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from scheduling.attendance import selectors, services
from scheduling.models import Attendance, AttendanceStatus, LeaveKind, Period, Session
from tests import factories as f

D = datetime.date
DAY = D(2024, 9, 3)  # Tuesday


@pytest.fixture
def session(world, term):
    return Session.objects.create(
        term=term,
        date=DAY,
        weekday=DAY.weekday(),
        period=Period.NOON,
        school_class=world.class_a,
        supervisor=world.teacher,
    )


@pytest.fixture
def on_roll(world, term, enroll):
    """child_x and two classmates enrolled for noon; one classmate only after
    school, one not enrolled at all."""
    enroll(world.child_x, term)
    mates = [f.make_student(world.class_a, n) for n in ("王一", "王二")]
    for s in mates:
        enroll(s, term)
    enroll(f.make_student(world.class_a, "只下午"), term, noon=False, after=True)
    f.make_student(world.class_a, "未报名")
    return [world.child_x, *mates]


def marks_in_db(session) -> dict[int, str]:
    return dict(Attendance.objects.filter(session=session).values_list("student_id", "status"))


@pytest.mark.django_db
class TestRollCallSave:
    def test_only_students_enrolled_for_the_period_are_on_the_roll(self, world, session, on_roll):
        rows = services.roll_call_save(session=session, by=world.teacher, today=DAY)
        assert {r.student_id for r in rows} == {s.pk for s in on_roll}

    def test_everyone_is_present_by_default(self, world, session, on_roll):
        services.roll_call_save(session=session, by=world.teacher, today=DAY)
        assert set(marks_in_db(session).values()) == {AttendanceStatus.PRESENT}
        assert Attendance.objects.filter(marked_by=world.teacher, date=DAY).count() == 3

    def test_exceptions_are_saved(self, world, session, on_roll):
        x, a, b = on_roll
        services.roll_call_save(
            session=session, by=world.teacher, marks={x.pk: "absent", a.pk: "late"}, today=DAY
        )
        assert marks_in_db(session) == {x.pk: "absent", a.pk: "late", b.pk: "present"}

    def test_saving_the_same_marks_again_changes_nothing(self, world, session, on_roll):
        x = on_roll[0]
        services.roll_call_save(session=session, by=world.teacher, marks={x.pk: "late"}, today=DAY)
        before = list(Attendance.objects.order_by("pk").values_list("pk", "status", "marked_at"))
        services.roll_call_save(
            session=session, by=world.homeroom_a, marks={x.pk: "late"}, today=DAY
        )
        after = list(Attendance.objects.order_by("pk").values_list("pk", "status", "marked_at"))
        assert before == after

    def test_a_mark_can_be_changed_back(self, world, session, on_roll):
        x = on_roll[0]
        services.roll_call_save(
            session=session, by=world.teacher, marks={x.pk: "absent"}, today=DAY
        )
        services.roll_call_save(
            session=session, by=world.teacher, marks={x.pk: "present"}, today=DAY
        )
        assert marks_in_db(session)[x.pk] == "present"

    def test_approved_leave_premarks_the_roll(self, world, term, session, on_roll):
        leave = services.leave_request(
            student=world.child_x,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=DAY,
            last_day=DAY,
            reason="看病",
            by=world.guardian_x.user,
            today=DAY,
        )
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=True)
        roll = selectors.session_roll(session)
        assert {r.student.pk: r.status for r in roll.rows}[world.child_x.pk] == "leave"
        services.roll_call_save(session=session, by=world.teacher, today=DAY)
        row = Attendance.objects.get(student=world.child_x)
        assert (row.status, row.leave) == ("leave", leave)
        # Tapping "absent" on a child with approved leave keeps it excused.
        services.roll_call_save(
            session=session, by=world.teacher, marks={world.child_x.pk: "absent"}, today=DAY
        )
        assert marks_in_db(session)[world.child_x.pk] == "leave"
        assert selectors.attendance_absences(term=term) == {}

    @pytest.mark.parametrize("who", ["teacher", "homeroom_a", "admin"])
    def test_supervisor_homeroom_and_admin_may_take_it(self, world, session, on_roll, who):
        services.roll_call_save(session=session, by=getattr(world, who), today=DAY)
        assert len(marks_in_db(session)) == 3

    @pytest.mark.parametrize("who", ["volunteer", "homeroom_b", "other_admin"])
    def test_others_may_not(self, world, session, on_roll, who):
        with pytest.raises(ValidationError) as exc:
            services.roll_call_save(session=session, by=getattr(world, who), today=DAY)
        assert exc.value.messages == ["只有该课时的看班教师、班主任或学校管理员可以点名。"]
        assert Attendance.objects.count() == 0

    def test_a_future_session_cannot_be_taken(self, world, session, on_roll):
        with pytest.raises(ValidationError) as exc:
            services.roll_call_save(session=session, by=world.teacher, today=D(2024, 9, 2))
        assert exc.value.messages == ["9月3日的课时还没到，不能提前点名。"]
        assert Attendance.objects.count() == 0

    def test_a_student_not_on_the_roll_is_refused(self, world, session, on_roll):
        with pytest.raises(ValidationError) as exc:
            services.roll_call_save(
                session=session, by=world.teacher, marks={world.child_y.pk: "absent"}, today=DAY
            )
        assert exc.value.messages == ["该学生不在本课时的点名名单上。"]
        assert Attendance.objects.count() == 0


@pytest.mark.django_db
class TestUnexcusedAbsenceShowsUp:
    @pytest.fixture
    def absent_x(self, world, session, on_roll, monkeypatch):
        monkeypatch.setattr(
            "scheduling.templatetags.scheduling_home.timezone.localdate", lambda: DAY
        )
        services.roll_call_save(
            session=session, by=world.teacher, marks={world.child_x.pk: "absent"}, today=DAY
        )

    def test_homeroom_teacher_sees_it_that_day(self, client, world, absent_x):
        client.force_login(world.homeroom_a)
        html = client.get(reverse("scheduling:absences"), {"date": "2024-09-03"}).content.decode()
        assert "张小明" in html and "未请假缺勤" in html
        home = client.get(reverse("home")).content.decode()
        assert "张小明（三年级（1）班）今天中午课后服务未到，且没有请假。" in home

    def test_guardian_sees_it_on_the_home_page(self, client, world, absent_x):
        client.force_login(world.guardian_x.user)
        home = client.get(reverse("home")).content.decode()
        assert "张小明（三年级（1）班）今天中午课后服务未到，且没有请假。" in home

    def test_other_class_and_other_guardian_do_not(self, client, world, absent_x):
        for user in (world.homeroom_b, world.guardian_y.user):
            assert selectors.unexcused_absences_for_user(user, DAY) == []
        client.force_login(world.guardian_y.user)
        assert "没有请假" not in client.get(reverse("home")).content.decode()

    def test_next_day_it_is_gone(self, world, absent_x):
        assert selectors.unexcused_absences_for_user(world.homeroom_a, D(2024, 9, 4)) == []


@pytest.mark.django_db
class TestRollPage:
    def test_page_lists_the_roll_with_everyone_present(self, client, world, session, on_roll):
        client.force_login(world.teacher)
        r = client.get(reverse("scheduling:roll", args=[session.pk]))
        html = r.content.decode()
        assert [row.status for row in r.context["roll"].rows] == ["present"] * 3
        assert "王一" in html and "只下午" not in html and "未报名" not in html
        assert "全部到齐，保存点名" in html

    def test_save_button_says_all_present_only_when_everyone_is(
        self, client, world, term, session, on_roll
    ):
        url = reverse("scheduling:roll", args=[session.pk])
        client.force_login(world.teacher)
        # Not yet saved, but a child is on approved leave: not 全部到齐.
        leave = services.leave_request(
            student=world.child_x,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=DAY,
            last_day=DAY,
            reason="看病",
            by=world.guardian_x.user,
            today=DAY,
        )
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=True)
        html = client.get(url).content.decode()
        assert ">全部到齐" not in html and ">保存点名</button>" in html
        assert 'data-all-present="全部到齐，保存点名"' in html and "js/roll-button.js" in html
        # Saved with one absent and one late: still not.
        mates = on_roll[1:]
        for student, status in zip(mates, ("absent", "late"), strict=True):
            client.post(url, {"student": student.pk, "status": status})
        html = client.get(url).content.decode()
        assert ">保存点名</button>" in html

    def test_a_saved_roll_with_everyone_present_still_says_so(
        self, client, world, session, on_roll
    ):
        url = reverse("scheduling:roll", args=[session.pk])
        client.force_login(world.teacher)
        client.post(url, {"student": world.child_x.pk, "status": "late"})
        client.post(url, {"student": world.child_x.pk, "status": "present"})
        assert ">全部到齐，保存点名</button>" in client.get(url).content.decode()

    def test_a_tap_by_htmx_saves_and_returns_the_row(self, client, world, session, on_roll):
        client.force_login(world.teacher)
        r = client.post(
            reverse("scheduling:roll", args=[session.pk]),
            {"student": world.child_x.pk, "status": "absent"},
            headers={"HX-Request": "true"},
        )
        html = r.content.decode()
        assert r.status_code == 200 and "<html" not in html
        assert f'id="roll-{world.child_x.pk}"' in html and 'data-status="absent"' in html
        assert 'id="roll-summary"' in html and 'hx-swap-oob="true"' in html
        assert marks_in_db(session) == {
            s.pk: ("absent" if s == world.child_x else "present") for s in on_roll
        }

    def test_confirm_all_without_javascript(self, client, world, session, on_roll):
        client.force_login(world.teacher)
        r = client.post(reverse("scheduling:roll", args=[session.pk]), follow=True)
        assert "点名已保存。" in r.content.decode()
        assert len(marks_in_db(session)) == 3

    @pytest.mark.parametrize(
        "data", [{"student": "x", "status": "absent"}, {"status": "gone"}, {"student": "1"}]
    )
    def test_a_garbled_tap_saves_nothing(self, client, world, session, on_roll, data):
        client.force_login(world.teacher)
        r = client.post(reverse("scheduling:roll", args=[session.pk]), data, follow=True)
        assert "请选择到、缺勤、请假或迟到。" in r.content.decode()
        assert Attendance.objects.count() == 0

    def test_refusal_is_shown_not_raised(self, client, world, session, on_roll):
        at = datetime.datetime(2024, 9, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
        with time_machine.travel(at, tick=False):
            client.force_login(world.teacher)
            r = client.post(reverse("scheduling:roll", args=[session.pk]), follow=True)
        assert "9月3日的课时还没到，不能提前点名。" in r.content.decode()
        assert Attendance.objects.count() == 0

    @pytest.mark.parametrize("size", [5, 45])
    def test_roll_page_queries(
        self, client, world, term, enroll, session, size, django_assert_num_queries
    ):
        for i in range(size):
            enroll(f.make_student(world.class_a, f"学生{i:02d}"), term)
        client.force_login(world.teacher)
        url = reverse("scheduling:roll", args=[session.pk])
        # 1 session, 2 user with school, 3 session with class/room/supervisor/
        # term, 4 enrolled students, 5 saved marks, 6 approved leave.
        with django_assert_num_queries(6):
            r = client.get(url)
        assert len(r.context["roll"].rows) == size

    @pytest.mark.parametrize("size", [5, 45])
    def test_tap_queries(
        self, client, world, term, enroll, session, size, django_assert_num_queries
    ):
        students = [f.make_student(world.class_a, f"学生{i:02d}") for i in range(size)]
        for s in students:
            enroll(s, term)
        client.force_login(world.teacher)
        url = reverse("scheduling:roll", args=[session.pk])
        client.post(url)  # the roll exists; now one tap
        # 1 session, 2 user, 3 session lookup, 4 savepoint, 5 session locked,
        # 6 students, 7 leave, 8 saved marks, 9 update the row, 10 release,
        # 11-13 the row again: students, saved marks, leave.
        with django_assert_num_queries(13):
            client.post(
                url, {"student": students[0].pk, "status": "late"}, headers={"HX-Request": "true"}
            )
        assert marks_in_db(session)[students[0].pk] == "late"

    def test_index_lists_the_days_sessions_for_the_supervisor(
        self, client, world, session, on_roll
    ):
        client.force_login(world.teacher)
        r = client.get(reverse("scheduling:roll-index"), {"date": "2024-09-03"})
        assert [s.pk for s in r.context["sessions"]] == [session.pk]
        assert "未点名" in r.content.decode()
        client.force_login(world.volunteer)
        r = client.get(reverse("scheduling:roll-index"), {"date": "2024-09-03"})
        assert r.context["sessions"] == []


@pytest.mark.django_db
class TestRollPermissions:
    @pytest.mark.parametrize("who", ["volunteer", "homeroom_b", "other_admin"])
    def test_outsiders_get_404_and_write_nothing(self, client, world, session, on_roll, who):
        client.force_login(getattr(world, who))
        url = reverse("scheduling:roll", args=[session.pk])
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {"student": world.child_x.pk, "status": "absent"}).status_code == 404
        )
        assert Attendance.objects.count() == 0

    def test_guardian_gets_403(self, client, world, session):
        client.force_login(world.guardian_x.user)
        for name, args in [("roll", [session.pk]), ("roll-index", [])]:
            assert client.get(reverse(f"scheduling:{name}", args=args)).status_code == 403

    @pytest.mark.parametrize("name", ["roll", "roll-index", "absences"])
    def test_anonymous_is_sent_to_log_in(self, client, session, name):
        args = [session.pk] if name == "roll" else []
        r = client.get(reverse(f"scheduling:{name}", args=args))
        assert r.status_code == 302 and "/login" in r.url

    @pytest.mark.parametrize("who", ["teacher", "volunteer"])
    def test_absences_page_is_for_homeroom_admin_and_guardians(self, client, world, who):
        client.force_login(getattr(world, who))
        assert client.get(reverse("scheduling:absences")).status_code == 403
