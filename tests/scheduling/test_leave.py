"""Leave requests (请假): the guardian asks, the homeroom teacher decides,
approved leave marks the roll and is what billing reads."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from scheduling.attendance import selectors, services
from scheduling.models import (
    Attendance,
    AttendanceStatus,
    LeaveKind,
    LeavePeriods,
    LeaveRequest,
    LeaveStatus,
    Period,
    Session,
)
from tests import factories as f

D = datetime.date
TODAY = D(2024, 9, 2)  # Monday, first day of the autumn term


@pytest.fixture
def enrolled_x(world, term, enroll):
    return enroll(world.child_x, term)


def ask(world, term, **kw):
    args = {
        "student": world.child_x,
        "term": term,
        "kind": LeaveKind.DAYS,
        "first_day": D(2024, 9, 3),
        "last_day": D(2024, 9, 3),
        "periods": "",
        "reason": "发烧，在家休息",
        "by": world.guardian_x.user,
        "today": TODAY,
    }
    args.update(kw)
    return services.leave_request(**args)


@pytest.mark.django_db
class TestLeaveRequest:
    def test_guardian_asks_whole_days(self, world, term, enrolled_x):
        leave = ask(world, term, first_day=D(2024, 9, 4), last_day=D(2024, 9, 6))
        assert leave.status == LeaveStatus.REQUESTED
        assert leave.covered_periods == (Period.NOON, Period.AFTER_SCHOOL)
        assert leave.requested_by == world.guardian_x.user

    def test_single_period_leave_covers_only_that_period(self, world, term, enrolled_x):
        leave = ask(world, term, kind=LeaveKind.PERIODS, periods=LeavePeriods.NOON)
        assert leave.covered_periods == (Period.NOON,)

    def test_noon_and_after_school_the_same_day_do_not_overlap(self, world, term, enrolled_x):
        ask(world, term, kind=LeaveKind.PERIODS, periods=LeavePeriods.NOON)
        ask(world, term, kind=LeaveKind.PERIODS, periods=LeavePeriods.AFTER_SCHOOL)
        assert LeaveRequest.objects.count() == 2

    def test_today_is_allowed(self, world, term, enrolled_x):
        assert ask(world, term, first_day=TODAY, last_day=TODAY).first_day == TODAY

    @pytest.mark.parametrize(
        ("kw", "message"),
        [
            (
                {"first_day": D(2024, 8, 30), "last_day": D(2024, 9, 3)},
                "不能为已经过去的日期请假（8月30日）。",
            ),
            ({"first_day": D(2024, 9, 5), "last_day": D(2024, 9, 4)}, "结束日期不能早于开始日期。"),
            (
                {"first_day": D(2025, 1, 16), "last_day": D(2025, 1, 20)},
                "请假日期须在本学期内（2024年9月2日至2025年1月17日）。",
            ),
            (
                {"first_day": D(2024, 9, 16), "last_day": D(2024, 9, 18)},
                "9月16日没有课后服务，请选择课后服务日。",
            ),
            (
                {"first_day": D(2024, 9, 13), "last_day": D(2024, 9, 15)},
                "9月15日没有课后服务，请选择课后服务日。",
            ),
            ({"reason": "  "}, "请填写请假事由。"),
            ({"kind": LeaveKind.PERIODS, "periods": ""}, "按课时请假请选择中午、下午或两个课时。"),
        ],
    )
    def test_refusals_say_why_and_write_nothing(self, world, term, enrolled_x, kw, message):
        with pytest.raises(ValidationError) as exc:
            ask(world, term, **kw)
        assert exc.value.messages == [message]
        assert LeaveRequest.objects.count() == 0

    def test_overlapping_request_is_refused(self, world, term, enrolled_x):
        ask(world, term, first_day=D(2024, 9, 3), last_day=D(2024, 9, 5))
        with pytest.raises(ValidationError) as exc:
            ask(
                world,
                term,
                kind=LeaveKind.PERIODS,
                periods=LeavePeriods.AFTER_SCHOOL,
                first_day=D(2024, 9, 5),
                last_day=D(2024, 9, 6),
            )
        assert exc.value.messages == [
            "与已有的请假（9月3日至9月5日 整天请假，待班主任审批）时间重叠，请勿重复申请。"
        ]
        assert LeaveRequest.objects.count() == 1

    def test_double_submit_leaves_one(self, world, term, enrolled_x):
        ask(world, term)
        with pytest.raises(ValidationError):
            ask(world, term)
        assert LeaveRequest.objects.count() == 1

    def test_declined_or_cancelled_leave_does_not_block_a_new_one(self, world, term, enrolled_x):
        first = ask(world, term)
        services.leave_cancel(leave=first, by=world.guardian_x.user)
        ask(world, term)
        assert LeaveRequest.objects.filter(status=LeaveStatus.REQUESTED).count() == 1

    def test_guardian_of_another_child_is_refused(self, world, term, enrolled_x):
        with pytest.raises(ValidationError) as exc:
            ask(world, term, by=world.guardian_y.user)
        assert exc.value.messages == ["只有学生的家长可以为其请假。"]
        assert LeaveRequest.objects.count() == 0

    def test_child_not_enrolled_is_refused(self, world, term):
        with pytest.raises(ValidationError) as exc:
            ask(world, term)
        assert exc.value.messages == ["张小明本学期未参加课后服务，无需请假。"]
        assert LeaveRequest.objects.count() == 0


@pytest.mark.django_db
class TestLeaveDecide:
    def test_homeroom_teacher_approves(self, world, term, enrolled_x):
        leave = services.leave_decide(leave=ask(world, term), by=world.homeroom_a, approve=True)
        leave.refresh_from_db()
        assert (leave.status, leave.decided_by) == (LeaveStatus.APPROVED, world.homeroom_a)
        assert leave.decided_at is not None

    def test_decline_needs_a_reason(self, world, term, enrolled_x):
        leave = ask(world, term)
        with pytest.raises(ValidationError) as exc:
            services.leave_decide(leave=leave, by=world.homeroom_a, approve=False)
        assert exc.value.messages == ["不批准请假时请填写理由，家长会看到。"]
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.REQUESTED and leave.decided_by is None
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=False, reason="当天有考试")
        leave.refresh_from_db()
        assert (leave.status, leave.decision_reason) == (LeaveStatus.DECLINED, "当天有考试")

    def test_homeroom_of_another_class_is_refused(self, world, term, enrolled_x):
        leave = ask(world, term)
        with pytest.raises(ValidationError) as exc:
            services.leave_decide(leave=leave, by=world.homeroom_b, approve=True)
        assert exc.value.messages == ["只有该班班主任可以审批请假。"]
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.REQUESTED

    def test_a_decided_leave_cannot_be_decided_again(self, world, term, enrolled_x):
        leave = services.leave_decide(leave=ask(world, term), by=world.homeroom_a, approve=True)
        with pytest.raises(ValidationError) as exc:
            services.leave_decide(leave=leave, by=world.homeroom_a, approve=False, reason="x")
        assert exc.value.messages == ["该请假已是“已批准”状态，不能再审批。"]
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.APPROVED

    def test_approval_turns_an_absence_already_marked_into_leave(self, world, term, enrolled_x):
        day = D(2024, 9, 3)
        leave = ask(world, term, first_day=day, last_day=day)
        noon = Session.objects.create(
            term=term, date=day, weekday=1, period=Period.NOON, school_class=world.class_a
        )
        after = Session.objects.create(
            term=term, date=day, weekday=1, period=Period.AFTER_SCHOOL, school_class=world.class_a
        )
        Attendance.objects.create(
            session=noon,
            date=day,
            period=Period.NOON,
            student=world.child_x,
            status=AttendanceStatus.ABSENT,
        )
        Attendance.objects.create(
            session=after,
            date=day,
            period=Period.AFTER_SCHOOL,
            student=world.child_x,
            status=AttendanceStatus.PRESENT,
        )
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=True)
        marks = dict(Attendance.objects.values_list("period", "status"))
        assert marks == {Period.NOON: AttendanceStatus.LEAVE, Period.AFTER_SCHOOL: "present"}
        assert Attendance.objects.get(period=Period.NOON).leave == leave


@pytest.mark.django_db
class TestLeaveCancel:
    def test_guardian_cancels_a_request(self, world, term, enrolled_x):
        leave = services.leave_cancel(leave=ask(world, term), by=world.guardian_x.user)
        assert leave.status == LeaveStatus.CANCELLED and leave.cancelled_at is not None

    def test_started_approved_leave_cannot_be_cancelled(self, world, term, enrolled_x):
        leave = ask(world, term)
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=True)
        with pytest.raises(ValidationError) as exc:
            services.leave_cancel(
                leave=leave,
                by=world.guardian_x.user,
                now=datetime.datetime(2024, 9, 3, 9, 0, tzinfo=datetime.UTC),
            )
        assert exc.value.messages == ["请假已开始，不能撤销；如孩子返校，请联系班主任。"]
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.APPROVED

    def test_another_guardian_cannot_cancel(self, world, term, enrolled_x):
        leave = ask(world, term)
        with pytest.raises(ValidationError) as exc:
            services.leave_cancel(leave=leave, by=world.guardian_y.user)
        assert exc.value.messages == ["只有学生的家长可以撤销请假。"]
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.REQUESTED


@pytest.mark.django_db
class TestApprovedLeavePeriods:
    def test_whole_day_leave_over_a_holiday_covers_only_service_days(
        self, world, term, enroll, enrolled_x
    ):
        # Fri 13 Sep – Wed 18 Sep 2024: Sat 14 is a make-up workday with
        # service, Sun 15 – Tue 17 the Mid-Autumn holiday.
        leave = ask(world, term, first_day=D(2024, 9, 13), last_day=D(2024, 9, 18))
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=True)
        enroll(world.child_y, term)
        single = ask(
            world,
            term,
            student=world.child_y,
            by=world.guardian_y.user,
            kind=LeaveKind.PERIODS,
            periods=LeavePeriods.AFTER_SCHOOL,
        )
        services.leave_decide(leave=single, by=world.homeroom_b, approve=True)
        ask(world, term, first_day=D(2024, 9, 20), last_day=D(2024, 9, 20))  # only requested

        got = selectors.approved_leave_periods(term=term)

        days = [D(2024, 9, 13), D(2024, 9, 14), D(2024, 9, 18)]
        assert got == {
            world.child_x.pk: {(d, p) for d in days for p in (Period.NOON, Period.AFTER_SCHOOL)},
            world.child_y.pk: {(D(2024, 9, 3), Period.AFTER_SCHOOL)},
        }

    def test_filters_by_students_and_dates(self, world, term, enrolled_x):
        leave = ask(world, term, first_day=D(2024, 9, 13), last_day=D(2024, 9, 18))
        services.leave_decide(leave=leave, by=world.homeroom_a, approve=True)
        got = selectors.approved_leave_periods(
            term=term, student_ids=[world.child_x.pk], start=D(2024, 9, 14), end=D(2024, 9, 14)
        )
        assert got == {world.child_x.pk: {(D(2024, 9, 14), "noon"), (D(2024, 9, 14), "after")}}
        assert selectors.approved_leave_periods(term=term, student_ids=[world.child_y.pk]) == {}

    def test_two_queries_plus_the_calendar(self, world, term, enroll, django_assert_num_queries):
        from afterschool.models import Term

        for i in range(5):
            s = f.make_student(world.class_a, f"学生{i}")
            f.make_guardian(s, "家长", f"1380000{i:04d}")
            enroll(s, term)
            leave = ask(world, term, student=s, by=s.guardians.first().user)
            services.leave_decide(leave=leave, by=world.homeroom_a, approve=True)
        fresh = Term.objects.select_related("school", "schedule").get(pk=term.pk)
        # 1 approved leave rows, 2 the school's calendar rows, 3 its service
        # changes (2024 is known to chinesecalendar: no entered-years query).
        with django_assert_num_queries(3):
            got = selectors.approved_leave_periods(term=fresh)
        assert len(got) == 5

    def test_declined_and_cancelled_leave_do_not_count(self, world, term, enrolled_x):
        a = ask(world, term)
        services.leave_decide(leave=a, by=world.homeroom_a, approve=False, reason="不行")
        b = ask(world, term)
        services.leave_cancel(leave=b, by=world.guardian_x.user)
        assert selectors.approved_leave_periods(term=term) == {}


@pytest.mark.django_db
class TestAttendanceAbsences:
    def test_only_absences_without_leave_in_range(self, world, term, enrolled_x):
        rows = []
        for day, status in [
            (D(2024, 9, 3), "absent"),
            (D(2024, 9, 4), "leave"),
            (D(2024, 9, 5), "late"),
            (D(2024, 9, 6), "absent"),
        ]:
            s = Session.objects.create(
                term=term,
                date=day,
                weekday=day.weekday(),
                period=Period.NOON,
                school_class=world.class_a,
            )
            rows.append(
                Attendance(
                    session=s, date=day, period=Period.NOON, student=world.child_x, status=status
                )
            )
        Attendance.objects.bulk_create(rows)
        assert selectors.attendance_absences(term=term) == {
            world.child_x.pk: {(D(2024, 9, 3), "noon"), (D(2024, 9, 6), "noon")}
        }
        assert selectors.attendance_absences(term=term, end=D(2024, 9, 5)) == {
            world.child_x.pk: {(D(2024, 9, 3), "noon")}
        }
        assert selectors.attendance_absences(term=term, student_ids=[world.child_y.pk]) == {}


class TestTermSpanInMessages:
    def test_years_only_when_the_term_crosses_a_year_or_is_not_this_year(self):
        from scheduling.attendance.leave import _span

        spring = (D(2025, 2, 17), D(2025, 7, 4))
        assert _span(*spring, D(2025, 3, 1)) == ("2月17日", "7月4日")
        assert _span(*spring, D(2024, 12, 1)) == ("2025年2月17日", "2025年7月4日")
        assert _span(D(2024, 9, 2), D(2025, 1, 17), D(2024, 10, 1)) == (
            "2024年9月2日",
            "2025年1月17日",
        )
