"""The demo in the present (demo/load.py, demo.base.demo_terms): ``load_demo``
builds the school around the date it runs.

Built once per pinned date for the module (time-machine), inside a
transaction rolled back at the end: during a term whose end the holiday
calendar does not know (2026-12-02: autumn 2026 runs into January 2027), in
the summer holiday (2026-08-01: the coming term prepared) and in a year the
calendar does not know at all (2027-10-15). Each build runs twice; the second
run must write nothing. The "today" pages are fetched for the demo logins.
"""

from __future__ import annotations

import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from afterschool.models import (
    ClassMembership,
    Notice,
    NoticeKind,
    School,
    SchoolClass,
    Student,
    Term,
)
from billing.models import FeeStatement, Payment
from demo.base import DEMO_PASSWORD, demo_terms, demo_today
from demo.families import SIBLINGS_GUARDIAN_MOBILE, SINGLE_CHILD_GUARDIAN_MOBILE
from demo.school import SCHOOL_NAME
from enrollment.models import Agreement, Application, ApplicationEvent, Status, Survey
from scheduling.models import (
    AllocationRun,
    Attendance,
    CalendarDay,
    CalendarYear,
    ChoiceWindow,
    LeaveRequest,
    LeaveStatus,
    Session,
)

TZ = ZoneInfo("Asia/Shanghai")
IN_TERM = datetime.date(2026, 12, 2)  # a Wednesday of autumn 2026
SUMMER = datetime.date(2026, 8, 1)  # summer holiday before autumn 2026
UNKNOWN_YEAR = datetime.date(2027, 10, 15)  # a Friday; 2027 unknown to chinesecalendar


def _text(response) -> str:
    html = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module", params=[IN_TERM, SUMMER, UNKNOWN_YEAR], ids=str)
def built(request, django_db_setup, django_db_blocker):
    """(today, what the first run printed, the second run's writes)."""
    today = request.param
    at = datetime.datetime.combine(today, datetime.time(10, 0), tzinfo=TZ)
    with (
        time_machine.travel(at, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        with CaptureQueriesContext(connection) as queries:
            call_command("load_demo", stdout=io.StringIO())
        writes = [
            q["sql"][:120]
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]
        yield today, out.getvalue(), writes
        transaction.set_rollback(True)


@pytest.fixture
def school(built, db) -> School:
    return School.objects.get(name=SCHOOL_NAME)


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD), username
    return client


def _terms(school: School) -> tuple[Term, Term]:
    """(shown, previous) by the demo's rule for the pinned date."""
    terms = demo_terms(datetime.date.today())
    return (
        Term.objects.get(school=school, name=terms.shown.name),
        Term.objects.get(school=school, name=terms.previous.name),
    )


def _demo_child(grade: int) -> Student:
    return Student.objects.get(
        guardians__mobile=SIBLINGS_GUARDIAN_MOBILE, school_class__grade=grade
    )


@pytest.mark.django_db
class TestEveryDate:
    def test_second_run_writes_nothing(self, built):
        _today, _out, writes = built
        assert writes == []

    def test_today_is_the_pinned_date_and_the_report_names_it(self, built):
        today, out, _ = built
        assert demo_today() == today
        assert f"演示日期 {today:%Y-%m-%d}" in out

    def test_previous_term_is_complete_with_every_month_billed_some_paid(self, school, built):
        today, _, _ = built
        _shown, previous = _terms(school)
        assert previous.last_day < today
        months = set(FeeStatement.objects.filter(term=previous).values_list("month", flat=True))
        first = previous.first_day.replace(day=1)
        assert min(months) == first and max(months) == previous.last_day.replace(day=1)
        assert len(months) == 5
        statements = FeeStatement.objects.filter(term=previous, total__gt=0).count()
        paid = Payment.objects.filter(statement__term=previous).count()
        assert 0.5 * statements < paid < statements  # the recent months less paid
        assert not Payment.objects.filter(at__date__gte=today).exists()
        # Its 账单已生成 notices came after each month, and were read.
        notices = Notice.objects.filter(
            kind=NoticeKind.STATEMENT_READY, dedupe_key__startswith=f"statement:{previous.pk}:"
        )
        assert notices.exists() and not notices.filter(read_at__isnull=True).exists()
        for key, sent in notices.values_list("dedupe_key", "created_at"):
            month = datetime.datetime.strptime(key.rsplit(":", 1)[1], "%Y%m").date()
            assert sent.astimezone(TZ).date() == (month + datetime.timedelta(days=32)).replace(
                day=1
            )
        # Nothing waits for review in a finished term.
        waiting = Application.objects.filter(
            term=previous,
            status__in=[Status.SUBMITTED, Status.APPROVED_BY_HOMEROOM, Status.SUBMITTED_TO_SCHOOL],
        )
        assert not waiting.exists()

    def test_nothing_has_happened_after_now(self, school, built):
        today, _, _ = built
        assert not ApplicationEvent.objects.filter(at__date__gte=today).exists()
        assert not Attendance.objects.filter(date__gte=today).exists()
        assert not Agreement.objects.filter(signed_at__date__gte=today).exists()

    def test_survey_for_the_shown_term(self, school, built):
        shown, _ = _terms(school)
        survey = Survey.objects.get(term=shown)
        assert survey.opened_at.date() < built[0]
        assert survey.responses.exists()

    def test_every_login_sees_its_home(self, school, built):
        shown, _ = _terms(school)
        admin = _client("admin")
        home = _text(admin.get(reverse("home")))
        assert "阳光实验小学" in home and "学校管理员" in home
        surveys = _text(admin.get(reverse("enrollment:surveys")))
        assert shown.name in surveys
        assert "三年级（2）班" in _text(_client("hr_3_2").get(reverse("home")))
        guardian = _text(_client(SIBLINGS_GUARDIAN_MOBILE).get(reverse("home")))
        assert _demo_child(3).name in guardian and _demo_child(1).name in guardian
        assert _client("root").get("/admin/").status_code == 200

    def test_the_previous_terms_pages_show_its_children_in_last_years_classes(self, school, built):
        shown, previous = _terms(school)
        # Every pinned date shows an autumn term: spring is the year before's.
        assert previous.school_year.start_year == shown.school_year.start_year - 1
        child = _demo_child(3)  # in 三年级（2）班 now, in 二年级（2）班 last year
        last_class = SchoolClass.objects.get(school_year=previous.school_year, grade=2, number=2)
        assert ClassMembership.objects.filter(student=child, school_class=last_class).exists()
        admin = _client("admin")
        sheet = _text(
            admin.get(
                reverse("billing:fee-sheet"),
                {"term": previous.pk, "month": "term", "class": last_class.pk},
            )
        )
        assert child.name in sheet and "二年级（2）班" in sheet
        assert set(
            FeeStatement.objects.filter(term=previous).values_list(
                "school_class__school_year", flat=True
            )
        ) == {previous.school_year_id}
        # The students list of that year names the class of that year.
        table = admin.get(
            reverse("people:student-list"),
            {"school_year": previous.school_year_id, "q": child.student_number},
        ).context["table"]
        assert [row.get_cell("school_class") for row in table.page.object_list] == ["二年级（2）班"]
        # Last year's 六年级 took part in the spring and has graduated since.
        sixth = ClassMembership.objects.filter(
            school_class__school_year=previous.school_year, school_class__grade=6
        )
        assert sixth.count() > 150 and not sixth.filter(end_date__isnull=True).exists()
        assert Application.objects.filter(
            term=previous, student__memberships__in=sixth, status=Status.APPROVED
        ).exists()

    def test_unknown_years_are_entered_as_the_admin_would(self, school, built):
        shown, previous = _terms(school)
        years = set(range(previous.first_day.year, shown.last_day.year + 1))
        unknown = {y for y in years if y > 2026}
        assert set(CalendarYear.objects.filter(school=school).values_list("year", flat=True)) == (
            unknown
        )
        holidays = set(
            CalendarDay.objects.filter(school=school, date__year__in=unknown).values_list(
                "date", flat=True
            )
        )
        for year in unknown:  # 元旦 (on a weekday), 劳动节 and 国庆节 at least
            assert {d.month for d in holidays if d.year == year} >= {5, 10}
        # The shown term has sessions in the unknown years, none on their holidays.
        in_unknown = Session.objects.filter(term=shown, date__year__in=unknown)
        if shown.last_day.year in unknown:
            assert in_unknown.exists()
        assert not in_unknown.filter(date__in=holidays).exists()


def _next_service_day(term: Term, today: datetime.date) -> datetime.date:
    return Session.objects.filter(term=term, date__gt=today).order_by("date").first().date


def _md(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日"


@pytest.mark.django_db
class TestDuringTerm:
    """2026-12-02 and 2027-10-15: a term running today."""

    @pytest.fixture(autouse=True)
    def _running_only(self, built):
        if built[0] == SUMMER:
            pytest.skip("no term running in the summer holiday")

    def test_the_running_term_and_the_one_before(self, school, built):
        today = built[0]
        shown, previous = _terms(school)
        assert shown.contains(today)
        expected = {IN_TERM: ("2026年秋季学期", "2026年春季学期", 2026)}
        expected[UNKNOWN_YEAR] = ("2027年秋季学期", "2027年春季学期", 2027)
        name, previous_name, start_year = expected[today]
        assert (shown.name, previous.name, shown.school_year.start_year) == (
            name,
            previous_name,
            start_year,
        )

    def test_rolls_up_to_yesterday_and_todays_sessions_waiting(self, school, built):
        today = built[0]
        shown, _ = _terms(school)
        last = Attendance.objects.filter(session__term=shown).latest("date").date
        assert last == Session.objects.filter(term=shown, date__lt=today).latest("date").date
        assert Session.objects.filter(term=shown, date=today).exists()
        page = _text(_client("hr_3_2").get(reverse("scheduling:roll-index")))
        assert f"{today.year}年{_md(today)}" in page
        assert "三年级（2）班" in page and "未点名" in page
        dismissal = _text(_client("hr_3_2").get(reverse("scheduling:dismissal-index")))
        assert f"{today.year}年{_md(today)}" in dismissal and "三年级（2）班" in dismissal

    def test_leave_for_tomorrow_awaits_the_homeroom_teacher(self, school, built):
        today = built[0]
        shown, _ = _terms(school)
        tomorrow = _next_service_day(shown, today)
        waiting = LeaveRequest.objects.filter(
            term=shown, status=LeaveStatus.REQUESTED, first_day=tomorrow
        )
        assert waiting.count() == 2
        assert LeaveRequest.objects.filter(
            term=shown, status=LeaveStatus.APPROVED, first_day=tomorrow
        ).exists()
        page = _text(_client("hr_3_2").get(reverse("scheduling:leave-list")))
        pending = page.split("待我审批", 1)[1].split("请假记录", 1)[0]
        assert pending.count(_md(tomorrow)) == 2 and "外出比赛" in pending
        assert "条待审批" in _text(_client("hr_3_2").get(reverse("home")))
        guardian = _text(_client(SIBLINGS_GUARDIAN_MOBILE).get(reverse("scheduling:leave-list")))
        assert "外出比赛" in guardian and _md(tomorrow) in guardian

    def test_past_months_billed_this_month_not_yet(self, school, built):
        today = built[0]
        shown, _ = _terms(school)
        months = set(FeeStatement.objects.filter(term=shown).values_list("month", flat=True))
        assert max(months) == (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        assert min(months) == shown.first_day.replace(day=1)
        assert Payment.objects.filter(statement__term=shown).exists()
        unpaid = FeeStatement.objects.filter(term=shown, total__gt=0, payments__isnull=True)
        assert unpaid.exists()

    def test_allocation_published_and_a_window_open_now(self, school, built):
        today = built[0]
        shown, _ = _terms(school)
        assert AllocationRun.objects.filter(term=shown, published_at__isnull=False).exists()
        now = datetime.datetime.combine(today, datetime.time(10), tzinfo=TZ)
        assert ChoiceWindow.objects.filter(
            term=shown, school_class__grade=3, opens_at__lte=now, closes_at__gt=now
        ).exists()
        child = _demo_child(3)
        page = _text(
            _client(SIBLINGS_GUARDIAN_MOBILE).get(
                reverse("scheduling:club-choose", args=[child.pk])
            )
        )
        assert "社团选课开放中" in page and "可选社团" in page

    def test_an_agreement_awaits_signature_and_an_application_is_returned(self, school, built):
        shown, _ = _terms(school)
        approved = Application.objects.get(term=shown, student=_demo_child(3))
        assert approved.status == Status.APPROVED
        assert not Agreement.objects.filter(application=approved, signed_at__isnull=False).exists()
        returned = Application.objects.get(
            term=shown, student__guardians__mobile=SINGLE_CHILD_GUARDIAN_MOBILE
        )
        assert returned.status == Status.RETURNED and returned.last_reason


@pytest.mark.django_db
class TestSummerHoliday:
    """2026-08-01: no term running; autumn 2026 prepared, spring 2026 complete."""

    @pytest.fixture(autouse=True)
    def _summer_only(self, built):
        if built[0] != SUMMER:
            pytest.skip("summer holiday only")

    def test_the_coming_term_is_shown_and_the_previous_is_complete(self, school):
        shown, previous = _terms(school)
        assert (shown.name, previous.name) == ("2026年秋季学期", "2026年春季学期")
        assert shown.first_day == datetime.date(2026, 9, 7)

    def test_survey_and_applications_open_nothing_run_yet(self, school):
        shown, _ = _terms(school)
        statuses = set(Application.objects.filter(term=shown).values_list("status", flat=True))
        assert {Status.SUBMITTED, Status.RETURNED} <= statuses
        assert not Attendance.objects.filter(session__term=shown).exists()
        assert not LeaveRequest.objects.filter(term=shown).exists()
        assert not FeeStatement.objects.filter(term=shown).exists()
        assert not AllocationRun.objects.filter(term=shown).exists()
        now = datetime.datetime.combine(SUMMER, datetime.time(10), tzinfo=TZ)
        assert ChoiceWindow.objects.filter(
            term=shown, opens_at__lte=now, closes_at__gt=now
        ).exists()

    def test_guardian_sees_the_coming_terms_application(self, school):
        page = _text(_client(SINGLE_CHILD_GUARDIAN_MOBILE).get(reverse("enrollment:family")))
        assert "2026年秋季学期" in page

    def test_roll_call_today_has_no_sessions(self, school):
        page = _text(_client("hr_3_2").get(reverse("scheduling:roll-index")))
        assert "2026年8月1日" in page and "未点名" not in page
