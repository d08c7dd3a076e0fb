"""Scheduling pages through HTTP: permissions by persona, forms, query counts,
and timetable PDFs read back."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from urllib.parse import quote

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from afterschool.models import Role, RoomKind
from enrollment.models import Status
from scheduling.clubs.services import club_save
from scheduling.models import (
    Allocation,
    AllocationRun,
    AllocationState,
    CalendarYear,
    Club,
    Period,
    ServiceChange,
    Session,
    StaffUnavailability,
    TermSchedule,
)
from scheduling.rota.services import rota_generate, sessions_generate
from scheduling.timetable.selectors import week_timetable
from tests import factories as f
from tests.scheduling.club_helpers import enroll_every_class

WEEK = "?week=2024-09-09"


def pdf_text(content: bytes) -> str:
    """All text of a PDF with whitespace removed (table cells wrap lines)."""
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s", "", text)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def built(world, term, rooms):
    """The autumn term with sessions, a rota and one club (合唱团, 钱老师, 音乐室)."""
    sessions_generate(term=enroll_every_class(term))
    rota_generate(term=term)
    club_save(
        term=term,
        name="合唱团",
        category="music",
        min_grade=3,
        max_grade=6,
        capacity=30,
        teacher=world.teacher,
        room=rooms["music"],
    )
    return term


ADMIN_PAGES = [
    "scheduling:calendar",
    "scheduling:term-settings",
    "scheduling:rota",
    "scheduling:unavailability",
    "scheduling:club-list",
    "scheduling:club-create",
]


class TestPermissions:
    @pytest.mark.parametrize("name", ADMIN_PAGES)
    def test_admin_pages_only_for_the_school_admin(self, client, world, built, name):
        url = reverse(name)
        assert login(client, world.admin).get(url).status_code == 200
        for persona in (world.homeroom_a, world.teacher, world.volunteer, world.guardian_x.user):
            assert login(client, persona).get(url).status_code == 403, persona
        client.logout()
        assert client.get(url).status_code == 302

    @pytest.mark.parametrize("name", [n for n in ADMIN_PAGES if n != "scheduling:unavailability"])
    def test_other_schools_admin_cannot_reach_this_terms_pages(self, client, world, built, name):
        url = reverse(name) + f"?term={built.pk}"
        assert login(client, world.other_admin).get(url).status_code == 404

    def test_other_schools_admin_cannot_touch_rows_by_id(self, client, world, built, rooms):
        from scheduling.rota.services import unavailability_add

        row = unavailability_add(person=world.teacher, weekday=0, reason="带孩子")
        login(client, world.other_admin)
        page = client.get(reverse("scheduling:unavailability")).content.decode()
        assert "钱老师" not in page and "带孩子" not in page
        assert (
            client.post(reverse("scheduling:unavailability-delete", args=[row.pk])).status_code
            == 404
        )
        club = Club.objects.get()
        session = Session.objects.filter(term=built).first()
        change = ServiceChange.objects.create(
            school=world.school, date=datetime.date(2024, 9, 10), kind="suspended", notice="x"
        )
        assert client.get(reverse("scheduling:club-edit", args=[club.pk])).status_code == 404
        assert client.post(reverse("scheduling:club-delete", args=[club.pk])).status_code == 404
        assert (
            client.post(
                reverse("scheduling:session-assign", args=[session.pk]), {"supervisor": ""}
            ).status_code
            == 404
        )
        assert (
            client.post(reverse("scheduling:service-change-withdraw", args=[change.pk])).status_code
            == 404
        )
        assert Club.objects.exists() and ServiceChange.objects.exists()

    def test_class_timetable(self, client, world, built):
        url = reverse("scheduling:timetable-class", args=[world.class_a.pk]) + WEEK
        for persona in (world.admin, world.homeroom_a):
            assert login(client, persona).get(url).status_code == 200
        for persona in (world.homeroom_b, world.teacher, world.guardian_x.user, world.other_admin):
            assert login(client, persona).get(url).status_code == 404, persona

    def test_student_timetable_for_the_childs_guardian(self, client, world, built):
        url = reverse("scheduling:timetable-student", args=[world.child_x.pk]) + WEEK
        for persona in (world.guardian_x.user, world.admin, world.homeroom_a):
            response = login(client, persona).get(url)
            assert response.status_code == 200
            assert "三年级（1）班" in response.content.decode()
        for persona in (world.guardian_y.user, world.homeroom_b, world.teacher, world.other_admin):
            assert login(client, persona).get(url).status_code == 404, persona

    def test_person_timetable_for_self_and_admin(self, client, world, built):
        url = reverse("scheduling:timetable-person", args=[world.teacher.pk]) + WEEK
        for persona in (world.teacher, world.admin):
            response = login(client, persona).get(url)
            assert response.status_code == 200
            assert "合唱团" in response.content.decode()
        for persona in (world.volunteer, world.homeroom_a, world.other_admin):
            assert login(client, persona).get(url).status_code == 404, persona
        assert login(client, world.guardian_x.user).get(url).status_code == 403

    def test_room_and_school_timetables_for_staff_only(self, client, world, built, rooms):
        room_url = reverse("scheduling:timetable-room", args=[rooms["music"].pk]) + WEEK
        school_url = reverse("scheduling:timetable-school") + WEEK
        for persona in (world.admin, world.teacher, world.homeroom_b):
            assert login(client, persona).get(room_url).status_code == 200
            assert login(client, persona).get(school_url).status_code == 200
        assert login(client, world.other_admin).get(room_url).status_code == 404
        assert login(client, world.guardian_x.user).get(room_url).status_code == 403
        assert login(client, world.guardian_x.user).get(school_url).status_code == 403

    def test_guardian_sees_upcoming_suspension_notice(self, client, world, built):
        from django.utils import timezone

        # The row is written directly: the page shows notices from today on,
        # whatever the machine's date (the service's rules are tested in
        # test_calendar).
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        ServiceChange.objects.create(
            school=world.school, date=tomorrow, kind="suspended", notice="校园维修"
        )
        url = reverse("scheduling:timetable-student", args=[world.child_x.pk]) + WEEK
        page = login(client, world.guardian_x.user).get(url).content.decode()
        assert "暂停课后服务：校园维修" in page
        other = login(client, world.other_guardian.user).get(
            reverse("scheduling:timetable-student", args=[world.other_child.pk])
        )
        assert "校园维修" not in other.content.decode()

    def test_timetable_index_sends_a_guardian_to_the_child(self, client, world, built):
        response = login(client, world.guardian_x.user).get(reverse("scheduling:timetable-me"))
        assert response.status_code == 302
        assert response.url == reverse("scheduling:timetable-student", args=[world.child_x.pk])


class TestStudentTimetableClub:
    """A student's week shows the club they were placed in, not every club."""

    @pytest.fixture
    def two_clubs(self, world, built, rooms):
        football = club_save(
            term=built,
            name="足球社",
            category="sports",
            min_grade=3,
            max_grade=6,
            capacity=30,
            teacher=f.make_user(world.school, Role.TEACHER, "football_coach", name="赵教练"),
            room=rooms["playground"],
        )
        return Club.objects.get(name="合唱团"), football

    def test_shows_only_the_published_placement(self, client, world, built, two_clubs, enroll):
        choir, _football = two_clubs
        enroll(world.child_x, built, featured=True)
        run = AllocationRun.objects.create(
            term=built, seed=1, objective="-", tie_range=1, published_at=timezone.now()
        )
        Allocation.objects.create(
            run=run, student=world.child_x, club=choir, rank=1, state=AllocationState.PLACED
        )
        url = reverse("scheduling:timetable-student", args=[world.child_x.pk]) + WEEK
        page = login(client, world.guardian_x.user).get(url).content.decode()
        assert "合唱团" in page and "足球社" not in page
        pdf = login(client, world.guardian_x.user).get(
            reverse("scheduling:timetable-student-pdf", args=[world.child_x.pk]) + WEEK
        )
        text = pdf_text(pdf.content)
        assert "合唱团" in text and "足球社" not in text
        # Saved under the page's Chinese title (an ASCII name for old clients).
        disposition = pdf["Content-Disposition"]
        assert disposition.startswith('inline; filename="timetable-20240909.pdf"')
        assert quote("张小明（三年级（1）班）课后服务课表（2024年9月9日起）.pdf") in disposition

    def test_unpublished_run_shows_pending(self, client, world, built, two_clubs, enroll):
        choir, _football = two_clubs
        enroll(world.child_x, built, featured=True)
        run = AllocationRun.objects.create(term=built, seed=1, objective="-", tie_range=1)
        Allocation.objects.create(
            run=run, student=world.child_x, club=choir, rank=1, state=AllocationState.PLACED
        )
        url = reverse("scheduling:timetable-student", args=[world.child_x.pk]) + WEEK
        page = login(client, world.guardian_x.user).get(url).content.decode()
        assert "社团（待分配）" in page
        assert "合唱团" not in page and "足球社" not in page

    def test_class_timetable_still_lists_the_clubs(self, client, world, built, two_clubs):
        url = reverse("scheduling:timetable-class", args=[world.class_a.pk]) + WEEK
        page = login(client, world.admin).get(url).content.decode()
        assert "合唱团" in page and "足球社" in page


class TestStudentTimetableEnrolment:
    """A child's week shows only the parts of the service they take."""

    def test_without_an_approved_application_nothing_is_theirs(self, client, world, built, enroll):
        app = enroll(world.child_x, built, featured=True)
        app.status = Status.RETURNED
        app.save(update_fields=["status"])
        url = reverse("scheduling:timetable-student", args=[world.child_x.pk]) + WEEK
        page = login(client, world.guardian_x.user).get(url).content.decode()
        assert "本学期还没有批准的课后服务申请" in page
        assert 'class="entry"' not in page and "社团（待分配）" not in page
        # The class's own week still has its sessions.
        class_url = reverse("scheduling:timetable-class", args=[world.class_a.pk]) + WEEK
        assert 'class="entry"' in login(client, world.admin).get(class_url).content.decode()

    def test_only_the_periods_and_club_applied_for(self, world, built, enroll):
        enroll(world.child_x, built, noon=False, after=True, featured=False)
        week = week_timetable(term=built, monday=datetime.date(2024, 9, 9), student=world.child_x)
        periods = {period for (_day, period), entries in week.cells.items() if entries}
        kinds = {e.kind for entries in week.cells.values() for e in entries}
        assert week.enrolled and periods == {Period.AFTER_SCHOOL} and kinds == {"basic"}


def test_school_grid_marks_club_only_in_the_featured_slot(world, built):
    empty = f.make_class(world.school, 3, 9)  # nobody enrolled: no sessions
    week = week_timetable(term=built, monday=datetime.date(2024, 9, 9), whole_school=True)
    rows = dict(week.class_rows)
    schedule = week.schedule
    featured = [
        d.timetable_weekday == schedule.featured_weekday and p[0] == schedule.featured_period
        for d, p in week.columns
    ]
    assert any(featured) and not all(featured)
    assert rows[empty] == [(None, f) for f in featured]
    # An enrolled class has a session in every column but the featured one.
    assert all((entry is not None) != f for entry, f in rows[world.class_a])


class TestCalendarPage:
    def test_month_view_shows_make_up_days_and_counts(self, client, world, term):
        response = login(client, world.admin).get(
            reverse("scheduling:calendar") + f"?term={term.pk}&month=2024-09"
        )
        page = response.content.decode()
        assert "2024年9月：上学日 21 天，课后服务日 21 天。" in page
        assert "全学期：上学日 95 天，课后服务日 95 天。" in page
        assert "调休补班（中秋节）" in page and "按周一课表" in page

    def test_unknown_year_is_said_plainly_and_admin_entry_makes_it_work(self, client, world):
        term = f.make_term(world.school, 2026)
        login(client, world.admin)
        url = reverse("scheduling:calendar") + f"?term={term.pk}&month=2027-01"
        page = client.get(url).content.decode()
        assert 'id="unknown-years"' in page
        assert "2027年" in page and "内置日历只到2026年" in page
        assert "2027年1月：日历未知，暂不统计上学日。" in page
        assert "全学期：上学日" not in page
        # Timetables refuse plainly too.
        tt = client.get(
            reverse("scheduling:timetable-school") + f"?term={term.pk}&week=2027-01-04"
        ).content.decode()
        assert "系统尚不知道2027年的法定节假日" in tt
        client.post(
            reverse("scheduling:calendar-day-set"),
            {"term": term.pk, "date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        )
        client.post(reverse("scheduling:calendar-year-mark"), {"term": term.pk, "year": 2027})
        assert CalendarYear.objects.filter(school=world.school, year=2027).exists()
        page = client.get(url).content.decode()
        assert 'id="unknown-years"' not in page
        # Jan 1–17 2027: 11 weekdays minus New Year's Day.
        assert "2027年1月：上学日 10 天，课后服务日 10 天。" in page
        assert "全学期：上学日" in page

    @time_machine.travel(datetime.datetime(2024, 9, 2, 8, tzinfo=datetime.UTC), tick=False)
    def test_suspension_by_form_and_refusal_shown(self, client, world, term):
        login(client, world.admin)
        ok = client.post(
            reverse("scheduling:service-suspend"),
            {"term": term.pk, "date": "2024-09-10", "notice": "全校体检"},
            follow=True,
        )
        assert "已暂停该日的课后服务" in ok.content.decode()
        bad = client.post(
            reverse("scheduling:service-suspend"),
            {"term": term.pk, "date": "2024-10-02", "notice": "x"},
            follow=True,
        )
        assert "2024-10-02 不是课后服务日，无需暂停。" in bad.content.decode()
        assert list(ServiceChange.objects.values_list("date", flat=True)) == [
            datetime.date(2024, 9, 10)
        ]

    @time_machine.travel(datetime.datetime(2024, 9, 11, 8, tzinfo=datetime.UTC), tick=False)
    def test_a_past_day_is_refused_on_the_page(self, client, world, term):
        login(client, world.admin)
        page = client.post(
            reverse("scheduling:service-suspend"),
            {"term": term.pk, "date": "2024-09-10", "notice": "停电"},
            follow=True,
        ).content.decode()
        assert "2024年9月10日 已经过去，不能再暂停服务" in page
        assert "已暂停该日的课后服务" not in page
        assert not ServiceChange.objects.exists()
        # The form's date picker starts at today.
        calendar = client.get(reverse("scheduling:calendar") + f"?term={term.pk}").content.decode()
        assert 'min="2024-09-11"' in calendar and "只能暂停今天及以后的服务日" in calendar

    def test_a_past_suspension_cannot_be_lifted_on_the_page(self, client, world, term):
        def on(day):
            return time_machine.travel(datetime.datetime(2024, 9, day, 8, tzinfo=datetime.UTC))

        # Logged in on each pinned day (a session from another day has expired).
        with on(2):
            login(client, world.admin)
            client.post(
                reverse("scheduling:service-suspend"),
                {"term": term.pk, "date": "2024-09-10", "notice": "全校体检"},
            )
        change = ServiceChange.objects.get()
        withdraw = reverse("scheduling:service-change-withdraw", args=[change.pk])
        month = reverse("scheduling:calendar") + f"?term={term.pk}&month=2024-09"
        with on(11):
            login(client, world.admin)
            listing = client.get(month)
            assert listing.status_code == 200 and withdraw not in listing.content.decode()
            page = client.post(withdraw, {"term": term.pk}, follow=True).content.decode()
        assert "2024年9月10日 已经过去，当天的调整不能再撤销" in page
        assert ServiceChange.objects.filter(pk=change.pk).exists()
        with on(9):
            login(client, world.admin)
            assert withdraw in client.get(month).content.decode()
            page = client.post(withdraw, {"term": term.pk}, follow=True).content.decode()
        assert "已撤销该日的调整" in page and not ServiceChange.objects.exists()

    @time_machine.travel(datetime.datetime(2024, 9, 2, 8, tzinfo=datetime.UTC), tick=False)
    def test_a_date_outside_the_term_is_refused_on_the_page(self, client, world, term):
        login(client, world.admin)
        for name, data in [
            ("service-suspend", {"date": "2026-12-01", "notice": "停电"}),
            ("service-add", {"date": "2026-12-01"}),
        ]:
            page = client.post(
                reverse(f"scheduling:{name}"), {"term": term.pk, **data}, follow=True
            ).content.decode()
            assert "2026年12月1日 不在" in page and "2024年9月2日至2025年1月17日" in page
            assert "已暂停" not in page and "已增加" not in page
        assert not ServiceChange.objects.exists()


class TestSettingsAndUnavailabilityPages:
    SETTINGS = {
        "featured_weekday": 2,
        "featured_period": "after",
        "noon_start": "12:40",
        "noon_end": "13:30",
        "after_start": "17:00",
        "after_end": "18:00",
    }

    def test_term_settings_saved_and_sessions_follow(self, client, world, term, rooms):
        login(client, world.admin)
        response = client.post(
            reverse("scheduling:term-settings") + f"?term={term.pk}", self.SETTINGS
        )
        assert response.status_code == 302
        schedule = TermSchedule.objects.get(term=term)
        assert schedule.featured_weekday == 2 and not schedule.service_on_makeup_days
        assert schedule.noon_start == datetime.time(12, 40)
        sessions_generate(term=enroll_every_class(term))
        assert not Session.objects.filter(term=term, weekday=2, period="after").exists()
        assert Session.objects.filter(term=term, weekday=3, period="after").exists()
        assert not Session.objects.filter(date=datetime.date(2024, 9, 14)).exists()

    def test_term_settings_error_shown_on_the_form(self, client, world, term):
        data = {**self.SETTINGS, "after_start": "13:00", "after_end": "14:00"}
        response = login(client, world.admin).post(
            reverse("scheduling:term-settings") + f"?term={term.pk}", data
        )
        assert response.status_code == 200
        assert "下午课时必须在中午课时结束之后开始。" in response.content.decode()
        assert not TermSchedule.objects.exists()

    def test_noon_period_out_of_order_is_said_at_the_field(self, client, world, term):
        saved = TermSchedule.objects.create(term=term)  # 13:00–13:55, 17:20–18:10
        data = {**self.SETTINGS, "noon_start": "13:00", "noon_end": "12:30"}
        data.update(after_start="17:20", after_end="18:10")
        response = login(client, world.admin).post(
            reverse("scheduling:term-settings") + f"?term={term.pk}", data
        )
        body = response.content.decode()
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors == {"noon_end": ["中午结束时间必须晚于开始时间。"]}
        assert "约束" not in body and "noon_period_in_order" not in body
        assert 'value="12:30"' in body  # what the admin typed stays
        # The guardrails read the saved 55 + 50 minutes, not the rejected -30 + 50.
        assert "每天服务时长为105分钟" in body and "每天服务时长为20分钟" not in body
        saved.refresh_from_db()
        assert saved.noon_end == datetime.time(13, 55)

    def test_after_period_out_of_order_is_said_at_the_field(self, client, world, term):
        data = {**self.SETTINGS, "after_start": "18:00", "after_end": "17:00"}
        response = login(client, world.admin).post(
            reverse("scheduling:term-settings") + f"?term={term.pk}", data
        )
        assert response.context["form"].errors == {"after_end": ["下午结束时间必须晚于开始时间。"]}
        assert not TermSchedule.objects.exists()

    def test_unavailability_double_submit_is_one_row(self, client, world):
        login(client, world.admin)
        data = {"person": world.teacher.pk, "weekday": 0, "period": "", "reason": "接孩子"}
        for _ in range(2):
            assert client.post(reverse("scheduling:unavailability"), data).status_code == 302
        assert StaffUnavailability.objects.count() == 1

    def test_unavailability_needs_date_or_weekday(self, client, world):
        response = login(client, world.admin).post(
            reverse("scheduling:unavailability"), {"person": world.teacher.pk, "reason": "x"}
        )
        assert "请填写日期或每周几（二选一）。" in response.content.decode()
        assert not StaffUnavailability.objects.exists()


class TestClubPages:
    def test_form_pages_have_no_english_blank_choice(self, client, world, term):
        login(client, world.admin)
        for name in ("scheduling:club-create", "scheduling:unavailability", "scheduling:calendar"):
            page = client.get(reverse(name)).content.decode()
            assert "Select an option" not in page, name
            assert "请选择" in page or name == "scheduling:calendar"

    def test_clash_is_shown_on_the_form_with_what_was_typed(self, client, world, built, rooms):
        response = login(client, world.admin).post(
            reverse("scheduling:club-create") + f"?term={built.pk}",
            {
                "name": "舞蹈队",
                "category": "dance",
                "min_grade": 3,
                "max_grade": 5,
                "capacity": 20,
                "teacher": world.volunteer.pk,
                "room": rooms["music"].pk,
                "weekday": 3,
                "period": "after",
            },
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "场地 音乐室 在 周四 下午 已被 合唱团 使用" in page
        assert 'value="舞蹈队"' in page
        assert Club.objects.count() == 1

    def test_create_then_double_submit_makes_one_club(self, client, world, built, rooms):
        data = {
            "name": "篮球队",
            "category": "sports",
            "min_grade": 4,
            "max_grade": 6,
            "capacity": 40,
            "teacher": world.volunteer.pk,
            "room": rooms["playground"].pk,
            "weekday": 3,
            "period": "after",
        }
        login(client, world.admin)
        first = client.post(reverse("scheduling:club-create") + f"?term={built.pk}", data)
        assert first.status_code == 302
        second = client.post(reverse("scheduling:club-create") + f"?term={built.pk}", data)
        assert second.status_code == 200
        assert "本学期已有名为 篮球队 的社团。" in second.content.decode()
        assert Club.objects.filter(name="篮球队").count() == 1


class TestRotaPages:
    def test_rota_page_shows_one_day_of_the_week(self, client, world, built):
        login(client, world.admin)
        page = client.get(
            reverse("scheduling:rota") + "?week=2024-09-09&day=2024-09-11"
        ).content.decode()
        assert "9月11日 周三" in page and "9月10日 周二</td>" not in page
        assert "&day=2024-09-14" in page  # the make-up Saturday has its tab

    def test_manual_assignment_by_form(self, client, world, built):
        s = Session.objects.get(
            date=datetime.date(2024, 9, 10), period=Period.NOON, school_class=world.class_a
        )
        other = Session.objects.get(
            date=datetime.date(2024, 9, 10), period=Period.NOON, school_class=world.class_b
        )
        target = world.volunteer if other.supervisor_id != world.volunteer.id else world.teacher
        if s.supervisor_id == target.id:
            target = (
                world.homeroom_a if other.supervisor_id != world.homeroom_a.id else world.homeroom_b
            )
        login(client, world.admin).post(
            reverse("scheduling:session-assign", args=[s.pk]), {"supervisor": target.pk}
        )
        s.refresh_from_db()
        assert s.supervisor == target and s.is_manual

    def test_generate_button_and_command_agree(self, client, world, term, rooms):
        enroll_every_class(term)
        login(client, world.admin).post(reverse("scheduling:rota-generate"), {"term": term.pk})
        count = Session.objects.filter(term=term).count()
        assert count > 0
        out = io.StringIO()
        call_command("build_rota", term=term.name, school=world.school.name, stdout=out)
        assert "新增课时 0" in out.getvalue()
        assert Session.objects.filter(term=term).count() == count


def grow(world, term, n: int) -> None:
    """Add ``n`` more classes with rooms and homeroom teachers, and a club each."""
    from afterschool.models import Role

    for i in range(n):
        teacher = f.make_user(world.school, Role.HOMEROOM)
        room = f.make_room(world.school, f"四（{i + 1}）教室")
        c = f.make_class(world.school, 4, i + 1, teacher)
        c.room = room
        c.save(update_fields=["room"])
        hall = f.make_room(world.school, f"功能室{i}", RoomKind.FUNCTION_ROOM, 60)
        club_save(
            term=term,
            name=f"科技{i}",
            category="science",
            min_grade=3,
            max_grade=6,
            capacity=30,
            teacher=teacher,
            room=hall,
        )
    sessions_generate(term=enroll_every_class(term))
    rota_generate(term=term)


class TestQueryCounts:
    # Every page: session + user (2), then:
    PAGES = {
        # class lookup, terms with settings, calendar rows, service changes,
        # sessions, clubs
        "class": (lambda w, r: reverse("scheduling:timetable-class", args=[w.class_a.pk]), 8),
        # terms, calendar rows, service changes, sessions, clubs, classes
        "school": (lambda w, r: reverse("scheduling:timetable-school"), 8),
        # room lookup, terms, calendar rows, service changes, sessions, clubs
        "room": (lambda w, r: reverse("scheduling:timetable-room", args=[r["music"].pk]), 8),
        # terms, sessions, rota staff, workload annotate, unassigned count,
        # the week grid's clubs and unavailability, the bulk form's staff and classes
        "rota": (lambda w, r: reverse("scheduling:rota"), 11),
        # terms, clubs with room and teacher
        "clubs": (lambda w, r: reverse("scheduling:club-list"), 4),
        # terms, calendar rows + service changes of the month grid, again for
        # the whole term's counts, term selector, entered years, the school's
        # calendar rows and service changes listed
        "calendar": (lambda w, r: reverse("scheduling:calendar") + "?month=2024-09", 11),
    }

    @pytest.mark.parametrize("page", list(PAGES))
    def test_constant_at_two_sizes(
        self, client, world, built, rooms, page, django_assert_num_queries
    ):
        make_url, expected = self.PAGES[page]
        url = make_url(world, rooms)
        url += ("&" if "?" in url else "?") + "week=2024-09-09"
        login(client, world.admin)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
        grow(world, built, 4)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


class TestTimetablePdf:
    def test_class_pdf_names_the_class_and_a_teacher(self, client, world, built):
        response = login(client, world.admin).get(
            reverse("scheduling:timetable-class-pdf", args=[world.class_a.pk]) + WEEK
        )
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "三年级（1）班" in text
        supervisor = (
            Session.objects.filter(school_class=world.class_a, date=datetime.date(2024, 9, 9))
            .first()
            .supervisor
        )
        assert supervisor.name in text
        assert "合唱团" in text and "钱老师" in text

    def test_school_pdf_is_landscape_with_every_class(self, client, world, built, tmp_path):
        response = login(client, world.teacher).get(
            reverse("scheduling:timetable-school-pdf") + WEEK
        )
        reader = PdfReader(io.BytesIO(response.content))
        box = reader.pages[0].mediabox
        assert box.width > box.height
        text = pdf_text(response.content)
        assert "三年级（1）班" in text and "三年级（2）班" in text and "实验小学" in text
        path = tmp_path / "school.pdf"
        path.write_bytes(response.content)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert "CJK" in fonts and " yes " in fonts

    def test_guardian_gets_the_childs_pdf(self, client, world, built):
        response = login(client, world.guardian_x.user).get(
            reverse("scheduling:timetable-student-pdf", args=[world.child_x.pk]) + WEEK
        )
        text = pdf_text(response.content)
        assert "张小明" in text and "三年级（1）班" in text
        assert (
            login(client, world.guardian_y.user)
            .get(reverse("scheduling:timetable-student-pdf", args=[world.child_x.pk]))
            .status_code
            == 404
        )
