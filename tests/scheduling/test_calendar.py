"""scheduling.calendar: the one source of school days and service days."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from scheduling.access import suspension_notices_for_user
from scheduling.calendar import days as cal
from scheduling.calendar.services import (
    calendar_day_set,
    calendar_year_mark_entered,
    service_add,
    service_change_withdraw,
    service_suspend,
    term_schedule_save,
)
from scheduling.models import (
    CalendarDay,
    CalendarDayKind,
    CalendarYear,
    ServiceChange,
    TermSchedule,
    Weekday,
)
from tests import factories as f

D = datetime.date


def per_month(days: list[datetime.date]) -> dict[tuple[int, int], int]:
    return dict(Counter((d.year, d.month) for d in days))


# A day before the 2024 autumn term: every term date may still be suspended.
BEFORE = D(2024, 9, 1)


def makeup_off(term) -> None:
    TermSchedule.objects.create(term=term, service_on_makeup_days=False)
    term.refresh_from_db()


class TestSchoolDaysAutumn2024:
    def test_september_has_21_school_days_counting_make_up_days(self, term):
        days = cal.school_days(term)
        assert per_month(days)[(2024, 9)] == 21
        assert D(2024, 9, 14) in days  # Saturday make-up workday (中秋)
        assert D(2024, 9, 29) in days  # Sunday make-up workday (国庆)
        for holiday in (D(2024, 9, 16), D(2024, 9, 17)):
            assert holiday not in days

    def test_october_has_19_school_days(self, term):
        days = cal.school_days(term)
        assert per_month(days)[(2024, 10)] == 19
        assert D(2024, 10, 12) in days
        assert not [d for d in days if D(2024, 10, 1) <= d <= D(2024, 10, 7)]

    def test_term_months_and_total(self, term):
        days = cal.school_days(term)
        # Sep 21, Oct 19, Nov 21, Dec 22, Jan 1–17 12 (1 Jan is New Year's Day).
        assert per_month(days) == {
            (2024, 9): 21,
            (2024, 10): 19,
            (2024, 11): 21,
            (2024, 12): 22,
            (2025, 1): 12,
        }
        assert len(days) == 95
        assert days == sorted(days) and days[0] == term.first_day

    def test_service_days_equal_school_days_by_default(self, term):
        assert cal.service_days(term) == cal.school_days(term)

    def test_make_up_days_setting_off_drops_weekend_workdays_from_service(self, term):
        makeup_off(term)
        service = cal.service_days(term)
        assert per_month(service)[(2024, 9)] == 19
        assert per_month(service)[(2024, 10)] == 18
        assert len(service) == 92
        assert D(2024, 9, 14) not in service
        # They stay school days: the setting is about service only.
        assert len(cal.school_days(term)) == 95

    def test_make_up_days_follow_the_weekday_they_replace(self, term):
        infos = {d.date: d for d in cal.term_calendar(term)}
        assert infos[D(2024, 9, 14)].timetable_weekday == Weekday.MONDAY  # for Mon 16 Sep
        assert infos[D(2024, 9, 29)].timetable_weekday == Weekday.FRIDAY  # for Fri 4 Oct
        assert infos[D(2024, 10, 12)].timetable_weekday == Weekday.MONDAY  # for Mon 7 Oct
        assert infos[D(2024, 9, 14)].kind == cal.DayKind.MAKEUP
        assert infos[D(2024, 10, 1)].holiday_name == "国庆节"
        assert infos[D(2024, 9, 10)].timetable_weekday == Weekday.TUESDAY

    def test_admin_changes_which_weekday_a_make_up_day_follows(self, world, term):
        calendar_day_set(
            school=world.school,
            date=D(2024, 9, 14),
            kind=CalendarDayKind.WORKDAY,
            follows_weekday=Weekday.WEDNESDAY,
        )
        infos = {d.date: d for d in cal.term_calendar(term)}
        assert infos[D(2024, 9, 14)].timetable_weekday == Weekday.WEDNESDAY
        assert infos[D(2024, 9, 14)].follows_label == "按周三课表"

    def test_school_holiday_override_removes_a_day(self, world, term):
        calendar_day_set(
            school=world.school, date=D(2024, 9, 10), kind=CalendarDayKind.HOLIDAY, name="教师节"
        )
        assert D(2024, 9, 10) not in cal.school_days(term)
        assert len(cal.school_days(term)) == 94

    def test_other_school_rows_do_not_leak(self, world, term):
        calendar_day_set(school=world.other_school, date=D(2024, 9, 10), kind="holiday")
        assert D(2024, 9, 10) in cal.school_days(term)


class TestUnknownYear:
    @pytest.fixture
    def term_2026(self, world):
        """2026年秋季学期: 2 Sep 2026 – 17 Jan 2027; 2027 is past the package."""
        return f.make_term(world.school, 2026)

    def test_school_days_raise_a_clear_chinese_error(self, term_2026):
        assert cal.last_known_year() == 2026
        with pytest.raises(cal.CalendarUnknownError) as exc:
            cal.school_days(term_2026)
        assert "2027年" in exc.value.messages[0]
        assert "法定节假日" in exc.value.messages[0]
        assert exc.value.years == [2027]
        with pytest.raises(ValidationError):
            cal.service_days(term_2026)

    def test_marking_a_year_with_no_holidays_is_refused(self, world, term_2026):
        with pytest.raises(ValidationError) as exc:
            calendar_year_mark_entered(school=world.school, year=2027, by=world.admin)
        assert "2027年还没有录入任何法定节假日" in exc.value.messages[0]
        assert not CalendarYear.objects.exists()

    def test_known_year_cannot_be_marked(self, world):
        with pytest.raises(ValidationError) as exc:
            calendar_year_mark_entered(school=world.school, year=2025, by=world.admin)
        assert "无需录入" in exc.value.messages[0]
        assert not CalendarYear.objects.exists()

    def test_entered_year_works_with_its_holidays_and_make_up_days(self, world, term_2026):
        calendar_day_set(school=world.school, date=D(2027, 1, 1), kind="holiday", name="元旦")
        # An imagined make-up Saturday in January 2027 following Friday.
        calendar_day_set(school=world.school, date=D(2027, 1, 9), kind="workday", follows_weekday=4)
        # Still refused until the admin says the year is complete.
        with pytest.raises(cal.CalendarUnknownError):
            cal.school_days(term_2026)
        calendar_year_mark_entered(school=world.school, year=2027, by=world.admin)
        days = cal.school_days(term_2026)
        january = [d for d in days if d.year == 2027]
        # Jan 1–17 2027 (1 Jan is a Friday): 11 weekdays, minus 1 Jan, plus Sat 9 Jan.
        assert len(january) == 11
        assert D(2027, 1, 1) not in days and D(2027, 1, 9) in days
        infos = {d.date: d for d in cal.term_calendar(term_2026)}
        assert infos[D(2027, 1, 9)].timetable_weekday == 4

    def test_weekend_workday_needs_a_weekday_to_follow(self, world):
        with pytest.raises(ValidationError) as exc:
            calendar_day_set(school=world.school, date=D(2027, 1, 9), kind="workday")
        assert "按周几的课表" in exc.value.messages[0]
        assert not CalendarDay.objects.exists()


class TestSuspensionAndAddedDays:
    def test_suspended_day_leaves_service_but_stays_a_school_day(self, world, term):
        service_suspend(
            school=world.school,
            date=D(2024, 9, 10),
            notice="全校体检，课后服务暂停",
            by=world.admin,
            today=BEFORE,
        )
        assert D(2024, 9, 10) not in cal.service_days(term)
        assert D(2024, 9, 10) in cal.school_days(term)
        assert len(cal.service_days(term)) == 94

    def test_a_past_suspension_stays_a_coming_one_can_be_lifted(self, world, term):
        change = service_suspend(
            school=world.school, date=D(2024, 9, 10), notice="体检", by=world.admin, today=BEFORE
        )
        with pytest.raises(ValidationError, match="2024年9月10日 已经过去，当天的调整不能再撤销"):
            service_change_withdraw(change=change, today=D(2024, 9, 11))
        assert D(2024, 9, 10) not in cal.service_days(term)
        service_change_withdraw(change=change, today=D(2024, 9, 10))  # the day itself: yes
        assert D(2024, 9, 10) in cal.service_days(term)

    def test_guardians_see_upcoming_suspension_notices(self, world, term):
        service_suspend(
            school=world.school,
            date=D(2024, 9, 10),
            notice="全校体检",
            by=world.admin,
            today=BEFORE,
        )
        notices = suspension_notices_for_user(world.guardian_x.user, D(2024, 9, 5))
        assert [n.notice for n in notices] == ["全校体检"]
        assert suspension_notices_for_user(world.other_guardian.user, D(2024, 9, 5)) == []
        assert suspension_notices_for_user(world.guardian_x.user, D(2024, 9, 11)) == []

    def test_suspending_a_holiday_is_refused_and_nothing_written(self, world, term):
        with pytest.raises(ValidationError) as exc:
            service_suspend(
                school=world.school, date=D(2024, 10, 2), notice="x", by=world.admin, today=BEFORE
            )
        assert "不是课后服务日" in exc.value.messages[0]
        assert not ServiceChange.objects.exists()

    def test_a_date_outside_the_term_is_refused_and_nothing_written(self, world, term):
        with pytest.raises(ValidationError) as exc:
            service_suspend(
                school=world.school,
                date=D(2026, 12, 1),
                notice="x",
                by=world.admin,
                term=term,
                today=BEFORE,
            )
        assert exc.value.messages == [
            f"2026年12月1日 不在{term}（2024年9月2日至2025年1月17日）内，请选择学期内的日期。"
        ]
        with pytest.raises(ValidationError) as exc:
            service_add(
                school=world.school,
                date=D(2026, 12, 5),
                follows_weekday=0,
                by=world.admin,
                term=term,
            )
        assert "2026年12月5日 不在" in exc.value.messages[0]
        # Without a term: the date must lie in some term of the school.
        with pytest.raises(ValidationError) as exc:
            service_suspend(
                school=world.school, date=D(2026, 12, 1), notice="x", by=world.admin, today=BEFORE
            )
        assert exc.value.messages == ["2026年12月1日 不在任何学期内，请选择学期内的日期。"]
        assert not ServiceChange.objects.exists()

    def test_suspension_needs_a_notice(self, world, term):
        with pytest.raises(ValidationError) as exc:
            service_suspend(
                school=world.school, date=D(2024, 9, 10), notice=" ", by=world.admin, today=BEFORE
            )
        assert "通知" in exc.value.messages[0]
        assert not ServiceChange.objects.exists()

    def test_a_past_day_is_refused_and_nothing_written_nor_told(self, world, term):
        from afterschool.models import Notice

        with pytest.raises(ValidationError) as exc:
            service_suspend(
                school=world.school,
                date=D(2024, 9, 10),
                notice="停电",
                by=world.admin,
                today=D(2024, 9, 11),
            )
        assert exc.value.messages == [
            "2024年9月10日 已经过去，不能再暂停服务（当天的服务已提供、已点名，可能已计费）。"
        ]
        assert not ServiceChange.objects.exists() and not Notice.objects.exists()
        assert D(2024, 9, 10) in cal.service_days(term)

    def test_today_may_still_be_suspended(self, world, term):
        change = service_suspend(
            school=world.school,
            date=D(2024, 9, 10),
            notice="暴雨",
            by=world.admin,
            today=D(2024, 9, 10),
        )
        assert change.date == D(2024, 9, 10)

    def test_today_defaults_to_the_local_date(self, world, term):
        import time_machine

        # 2024-09-10 16:30 UTC is already 11 September in Beijing.
        with time_machine.travel(
            datetime.datetime(2024, 9, 10, 16, 30, tzinfo=datetime.UTC), tick=False
        ):
            with pytest.raises(ValidationError, match="已经过去"):
                service_suspend(
                    school=world.school, date=D(2024, 9, 10), notice="x", by=world.admin
                )
            service_suspend(school=world.school, date=D(2024, 9, 11), notice="x", by=world.admin)
        assert list(ServiceChange.objects.values_list("date", flat=True)) == [D(2024, 9, 11)]

    def test_added_day_gives_service_on_a_make_up_day_when_setting_is_off(self, world, term):
        makeup_off(term)
        service_add(school=world.school, date=D(2024, 9, 14), follows_weekday=None, by=world.admin)
        service = cal.service_days(term)
        assert D(2024, 9, 14) in service and len(service) == 93

    def test_adding_a_day_that_already_has_service_is_refused(self, world, term):
        with pytest.raises(ValidationError) as exc:
            service_add(
                school=world.school, date=D(2024, 9, 10), follows_weekday=None, by=world.admin
            )
        assert "本来就是课后服务日" in exc.value.messages[0]
        assert not ServiceChange.objects.exists()

    def test_added_weekend_day_needs_a_weekday(self, world, term):
        with pytest.raises(ValidationError) as exc:
            service_add(
                school=world.school, date=D(2024, 9, 21), follows_weekday=None, by=world.admin
            )
        assert "按周几的课表" in exc.value.messages[0]
        assert not ServiceChange.objects.exists()


class TestTermSchedule:
    def test_defaults_are_the_seed_gaps(self, term):
        schedule = cal.term_schedule(term)
        assert schedule.period_times("noon") == (datetime.time(13, 0), datetime.time(13, 55))
        assert schedule.period_times("after") == (datetime.time(17, 20), datetime.time(18, 10))
        assert schedule.featured_weekday == Weekday.THURSDAY

    def test_period_ending_before_it_starts_is_refused(self, term):
        with pytest.raises(ValidationError) as exc:
            term_schedule_save(
                term=term,
                service_on_makeup_days=True,
                featured_weekday=3,
                featured_period="after",
                noon_start=datetime.time(13, 0),
                noon_end=datetime.time(12, 0),
                after_start=datetime.time(17, 20),
                after_end=datetime.time(18, 10),
            )
        assert "结束时间必须晚于开始时间" in exc.value.messages[0]
        assert not TermSchedule.objects.exists()

    def test_moving_the_featured_day_under_a_classroom_club_is_refused(self, world, term, rooms):
        from scheduling.clubs.services import club_save

        club_save(
            term=term,
            name="书法社",
            category="calligraphy",
            min_grade=3,
            max_grade=6,
            capacity=30,
            teacher=world.teacher,
            room=rooms["a"],
        )
        with pytest.raises(ValidationError) as exc:
            term_schedule_save(
                term=term,
                service_on_makeup_days=True,
                featured_weekday=2,
                featured_period="after",
                noon_start=datetime.time(13, 0),
                noon_end=datetime.time(13, 55),
                after_start=datetime.time(17, 20),
                after_end=datetime.time(18, 10),
            )
        assert exc.value.messages == [
            "社团 书法社 在 周四 下午 使用 三年级（1）班 的教室 三（1）教室，该时段将有基础课程"
        ]
        assert not TermSchedule.objects.exists()
