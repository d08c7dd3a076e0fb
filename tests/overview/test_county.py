"""The county supervisor: figures per school and in total, the supervisor
matrix (another county: 404; any POST refused, nothing written; no named
child on any page or export), the inspection .xlsx read back, the JSON API
with and without its token; notices sent and the weekly homework check per
school and county, fixed queries on every page at two sizes."""

from __future__ import annotations

import datetime
import io
import json
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from afterschool.models import County, Notice, NoticeKind, Role, School, Student
from afterschool.rollover.services import school_year_rollover
from overview.county.selectors import county_figures, school_homework_weeks
from overview.county.services import county_token_issue
from scheduling.models import Homework
from tests import factories as f
from tests.ops.urlwalk import pdf_text
from tests.overview.builders import build_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    c = County.objects.create(name="XX县教体局")
    a = build_school(f.make_school("第一小学"))
    b = build_school(f.make_school("第二小学"), classes=((1, 1),), per_class=4)
    School.objects.filter(pk__in=[a.school.pk, b.school.pk]).update(supervising_county=c)
    other_county = County.objects.create(name="YY县教体局")
    other = build_school(f.make_school("第三小学"))
    other.school.supervising_county = other_county
    other.school.save()
    supervisor = f.make_user(None, Role.SUPERVISOR, "sup_xx", name="督导", county=c)
    other_supervisor = f.make_user(None, Role.SUPERVISOR, "sup_yy", county=other_county)
    return {
        "county": c,
        "a": a,
        "b": b,
        "other": other,
        "supervisor": supervisor,
        "other_supervisor": other_supervisor,
        "names": [s.name for s in a.students + b.students + other.students],
    }


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


class TestCountyFigures:
    def test_each_school_and_the_total(self, county):
        figures = county_figures(School.objects.filter(supervising_county=county["county"]))
        a, b = figures.rows
        assert a.name == "第一小学" and b.name == "第二小学"
        assert (a.students, a.participants, a.participation_rate) == (16, 4, 25.0)
        assert (b.students, b.participants) == (4, 1)
        assert (a.service_days, a.weekly_days, a.daily_minutes) == (2, 2, 105)
        assert a.full_attendance_rate == 50.0
        assert (a.priority_children, a.priority_placed, a.priority_coverage) == (2, 2, 100.0)
        assert (a.teachers, a.teachers_taking_part, a.teacher_rate) == (4, 3, 75.0)
        total = figures.total
        assert (total.students, total.participants, total.participation_rate) == (20, 5, 25.0)
        assert total.teachers == 7
        # Days are per school: the county row shows the least, never a sum.
        assert total.service_days == min(a.service_days, b.service_days)
        assert total.service_days < a.service_days + b.service_days

    def test_full_attendance_counts_finished_weeks_only(self, county):
        schools = School.objects.filter(supervising_county=county["county"])
        with time_machine.travel(at(datetime.date(2024, 9, 4)), tick=False):
            a, _b = county_figures(schools).rows
            assert (a.student_weeks, a.full_attendance_rate) == (0, 0.0)
        with time_machine.travel(at(datetime.date(2024, 9, 9)), tick=False):
            a, _b = county_figures(schools).rows
            assert (a.student_weeks, a.full_weeks, a.full_attendance_rate) == (4, 2, 50.0)

    def test_a_rollover_keeps_the_terms_children(self, county):
        b = county["b"]
        school_year_rollover(school=b.school, from_year=b.term.school_year, by=b.admin)
        assert {s.school_class.grade for s in Student.objects.filter(school=b.school)} == {2}

        (row,) = county_figures([b.school], today=datetime.date(2024, 9, 3)).rows

        assert row.term == b.term
        assert (row.students, row.participants, row.priority_children) == (4, 1, 1)

    def test_fixed_queries_at_two_sizes(self, county):
        def count(schools):
            with CaptureQueriesContext(connection) as ctx:
                county_figures(schools)
            return len(ctx.captured_queries)

        one = count([county["b"].school])
        both = count([county["a"].school, county["b"].school, county["other"].school])
        assert one == both == 12


class TestSupervisorPages:
    def test_county_page_lists_own_schools_only(self, county):
        r = client_for(county["supervisor"]).get(reverse("overview:county"))
        body = r.content.decode()
        assert r.status_code == 200
        assert "第一小学" in body and "第二小学" in body and "第三小学" not in body

    def test_another_countys_school_is_404(self, county):
        c = client_for(county["supervisor"])
        url = reverse("overview:county-school", args=[county["other"].school.pk])
        assert c.get(url).status_code == 404
        own = reverse("overview:county-school", args=[county["a"].school.pk])
        assert c.get(own).status_code == 200
        assert client_for(county["other_supervisor"]).get(own).status_code == 404

    def test_school_page_drills_down_to_grades(self, county):
        url = reverse("overview:county-school", args=[county["a"].school.pk])
        body = client_for(county["supervisor"]).get(url).content.decode()
        assert "三年级" in body and "25.0" in body
        # Billing waivers only: granted on an approved application.
        assert "减免人数（已生效）" in body and "5天全勤率（已结束的周）" in body

    def test_post_is_refused_and_writes_nothing(self, county):
        c = client_for(county["supervisor"])
        before = (School.objects.count(), County.objects.count(), School.objects.first().name)
        for url in (
            reverse("overview:county"),
            reverse("overview:county-school", args=[county["a"].school.pk]),
            reverse("overview:county-inspection-xlsx"),
        ):
            assert c.post(url, {"name": "改名"}).status_code == 405
        after = (School.objects.count(), County.objects.count(), School.objects.first().name)
        assert before == after

    def test_school_staff_cannot_open_county_pages(self, county):
        c = client_for(county["a"].admin)
        assert c.get(reverse("overview:county")).status_code == 403
        assert c.get(reverse("overview:county-inspection-xlsx")).status_code == 403

    def test_supervisor_cannot_open_a_school_dashboard(self, county):
        c = client_for(county["supervisor"])
        assert c.get(reverse("overview:dashboard")).status_code == 403

    def test_no_named_child_on_any_page_or_export(self, county):
        c = client_for(county["supervisor"])
        texts = [
            c.get(reverse("overview:county")).content.decode(),
            c.get(reverse("overview:county-school", args=[county["a"].school.pk])).content.decode(),
            c.get(reverse("overview:county-school", args=[county["b"].school.pk])).content.decode(),
        ]
        wb = load_workbook(io.BytesIO(c.get(reverse("overview:county-inspection-xlsx")).content))
        texts.append(repr([list(r) for r in wb.active.iter_rows(values_only=True)]))
        token = county_token_issue(county=county["county"])
        api = Client().get(reverse("county-api:figures"), HTTP_AUTHORIZATION=f"Bearer {token}")
        texts.append(api.content.decode())
        leaked = [n for n in county["names"] for t in texts if n in t]
        assert leaked == []


class TestInspectionXlsx:
    def test_read_back(self, county):
        School.objects.filter(pk=county["a"].school.pk).update(fee_document="=HYPERLINK(1)")
        r = client_for(county["supervisor"]).get(reverse("overview:county-inspection-xlsx"))
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        assert quote("课后服务专项督查统计表") in r["Content-Disposition"]
        ws = load_workbook(io.BytesIO(r.content)).active
        rows = list(ws.iter_rows(values_only=True))
        assert rows[1][:4] == ("学校", "学生数", "参与人数", "参与率（%）")
        assert rows[2][:4] == ("第一小学", 16, 4, 25.0)
        assert rows[3][:4] == ("第二小学", 4, 1, 25.0)
        assert rows[4][:3] == ("全县合计", 20, 5)
        # A formula-like value is written as text, not a formula.
        assert ws.cell(row=3, column=16).data_type == "s"
        assert ws.cell(row=3, column=16).value == "=HYPERLINK(1)"


class TestCountyApi:
    def test_without_token_401(self, county):
        r = Client().get(reverse("county-api:figures"))
        assert r.status_code == 401
        assert r["WWW-Authenticate"].startswith("Bearer")

    def test_wrong_token_401(self, county):
        county_token_issue(county=county["county"])
        r = Client().get(reverse("county-api:figures"), HTTP_AUTHORIZATION="Bearer nope")
        assert r.status_code == 401

    def test_with_token_gives_own_county(self, county):
        token = county_token_issue(county=county["county"])
        county["county"].refresh_from_db()
        assert token not in county["county"].api_token_hash
        r = Client().get(reverse("county-api:figures"), HTTP_AUTHORIZATION=f"Bearer {token}")
        data = json.loads(r.content)
        assert r.status_code == 200 and data["version"] == 1
        assert data["county"] == "XX县教体局"
        assert [s["school"] for s in data["schools"]] == ["第一小学", "第二小学"]
        assert data["total"]["participation_rate"] == 25.0

    def test_api_refuses_post(self, county):
        token = county_token_issue(county=county["county"])
        r = Client().post(reverse("county-api:figures"), HTTP_AUTHORIZATION=f"Bearer {token}")
        assert r.status_code == 405


class TestDashboardViews:
    def test_admin_dashboard_and_pdf(self, county):
        a = county["a"]
        c = client_for(a.admin)
        body = c.get(reverse("overview:dashboard")).content.decode()
        assert 'data-chart="chart-data-survey"' in body
        assert 'id="chart-data-survey"' in body
        assert "<script>" not in body and "style=" not in body
        pdf = c.get(reverse("overview:dashboard-pdf"))
        assert pdf["Content-Type"] == "application/pdf"
        assert quote("课后服务数据看板（") in pdf["Content-Disposition"]
        assert "报名流程" in pdf_text(pdf.content)

    def test_teacher_and_guardian_refused(self, county):
        a = county["a"]
        teacher = f.make_user(a.school, Role.TEACHER)
        assert client_for(teacher).get(reverse("overview:dashboard")).status_code == 403
        guardian = f.make_guardian(a.students[0]).user
        assert client_for(guardian).get(reverse("overview:dashboard")).status_code == 403

    def test_homeroom_sees_own_class(self, county):
        a = county["a"]
        hr = f.make_user(a.school, Role.HOMEROOM)
        a.classes[0].homeroom_teacher = hr
        a.classes[0].save()
        body = client_for(hr).get(reverse("overview:dashboard")).content.decode()
        assert "三年级（1）班" in body and "三年级（2）班" not in body


class TestDashboardHomeworkFlag:
    def test_todays_over_cap_class_is_flagged_on_the_dashboard(self, county):
        a = county["a"]
        Homework.objects.create(
            school=a.school,
            school_class=a.classes[0],
            date=timezone.localdate(),
            subject="数学",
            content="练习",
            minutes=75,
        )
        body = client_for(a.admin).get(reverse("overview:dashboard")).content.decode()
        assert "data-over-cap" in body and "75分钟（上限60分钟）" in body


# A Friday inside the builders' term (2024-09-02 … 2025-01-17).
TODAY = datetime.date(2024, 9, 20)
NOW = timezone.make_aware(datetime.datetime(2024, 9, 20, 18, 0))


def at(day: datetime.date, hour: int = 9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def notice(school, recipient, when, title="通知"):
    return Notice.objects.create(
        school=school,
        recipient=recipient,
        kind=NoticeKind.ANNOUNCEMENT,
        title=title,
        body=title,
        created_at=when,
    )


def homework(school_class, day, minutes, content="练习", subject="数学"):
    return Homework.objects.create(
        school=school_class.school,
        school_class=school_class,
        date=day,
        subject=subject,
        content=content,
        minutes=minutes,
    )


@pytest.fixture
def activity(county):
    """Notices and homework of a known count in the county's schools.

    第一小学: 3 notices in its term so far (the first day at midnight, a
    day in September, today), 1 before the term, 1 after today; 三年级（1）班
    70 minutes of written homework Mon–Thu of the week of 2 September
    (280 / 5 days = 56, within the cap) and Wed–Fri of the week of 16
    September (Mid-autumn: three school days, 210 / 3 = 70, over 60).
    第二小学 (一年级): 10 written minutes on 3 September (any is over).
    第三小学 (another county): notices and homework that must not count."""
    a, b, other = county["a"], county["b"], county["other"]
    first_child, second_child = a.students[0], a.students[1]
    for when in (at(a.term.first_day, 0), at(datetime.date(2024, 9, 10)), at(TODAY, 17)):
        notice(a.school, a.admin, when, title=f"{first_child.name}未到且未请假")
    notice(a.school, a.admin, at(datetime.date(2024, 8, 30)))
    notice(a.school, a.admin, at(TODAY + datetime.timedelta(days=1)))
    notice(b.school, b.admin, at(datetime.date(2024, 9, 4)))
    notice(other.school, other.admin, at(datetime.date(2024, 9, 4)))
    c31 = a.classes[0]
    for i in range(4):
        homework(c31, datetime.date(2024, 9, 2) + datetime.timedelta(days=i), 70)
    for d in (18, 19, 20):
        homework(c31, datetime.date(2024, 9, d), 70, content=f"表扬{second_child.name}的作文")
    homework(b.classes[0], datetime.date(2024, 9, 3), 10)
    homework(other.classes[0], datetime.date(2024, 9, 18), 200)
    return county


def county_schools(county):
    return School.objects.filter(supervising_county=county["county"]).order_by("name")


class TestNoticesAndHomeworkWeeks:
    def test_notices_sent_in_the_term_so_far(self, activity):
        a, b = county_figures(county_schools(activity), today=TODAY).rows
        assert (a.notices_sent, b.notices_sent) == (3, 1)
        total = county_figures(county_schools(activity), today=TODAY).total
        assert total.notices_sent == 4
        # After the term, the notices of the whole term (the "tomorrow" one too).
        later = county_figures(county_schools(activity), today=datetime.date(2025, 3, 1))
        assert later.rows[0].notices_sent == 4

    def test_class_weeks_over_the_cap_per_school_and_county(self, activity):
        figures = county_figures(county_schools(activity), today=TODAY)
        a, b = figures.rows
        assert (a.homework_weeks_over, b.homework_weeks_over) == (1, 1)
        assert figures.total.homework_weeks_over == 2
        # The term average stays what it was: minutes over days with homework.
        assert (a.homework_days, a.homework_minutes) == (7, 490)
        # Before the week of 16 September ends nothing of it is counted yet.
        early = county_figures(county_schools(activity), today=datetime.date(2024, 9, 13))
        assert early.rows[0].homework_weeks_over == 0

    def test_school_weekly_table_by_grade(self, activity):
        a = activity["a"]
        table = school_homework_weeks(a.term, today=TODAY)
        assert table.grade_names == ["三年级"]
        weeks = {monday: cells[0] for monday, cells in table.rows}
        assert list(weeks) == [
            datetime.date(2024, 9, 2),
            datetime.date(2024, 9, 9),
            datetime.date(2024, 9, 16),
        ]
        first, second, third = weeks.values()
        # Two classes of 三年级: 280 minutes over 2 × 5 class-days.
        assert (first.average, first.classes_over) == (28.0, 0)
        assert (second.average, second.days) == (0.0, 12)  # Sat 14 is a make-up day
        assert (third.average, third.classes_over, third.over_cap) == (35.0, 1, False)
        assert table.class_weeks_over == 1

    def test_page_xlsx_and_api_show_both_figures(self, activity):
        with time_machine.travel(NOW, tick=False):
            c = client_for(activity["supervisor"])
            page = c.get(reverse("overview:county")).content.decode()
            school = c.get(
                reverse("overview:county-school", args=[activity["a"].school.pk])
            ).content.decode()
            xlsx = c.get(reverse("overview:county-inspection-xlsx")).content
            token = county_token_issue(county=activity["county"])
            api = Client().get(reverse("county-api:figures"), HTTP_AUTHORIZATION=f"Bearer {token}")
        assert "通知发送数" in page and "书面作业超上限（班·周）" in page
        assert page.count("data-homework-over") == 2
        assert "9月16日当周" in school and "1个班超上限" in school
        # The term average (over the class-days with homework) and the weekly
        # check (over school days) are named apart, so 70.0 beside 28.0 reads right.
        assert "书面作业日均（分钟，按布置日）" in school and "data-homework-average-note" in school
        rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
        head = rows[1]
        notices_col, over_col = head.index("通知发送数"), head.index("书面作业超上限（班·周）")
        assert [(r[0], r[notices_col], r[over_col]) for r in rows[2:]] == [
            ("第一小学", 3, 1),
            ("第二小学", 1, 1),
            ("全县合计", 4, 2),
        ]
        data = api.json()
        assert [(s["notices_sent"], s["homework_weeks_over_cap"]) for s in data["schools"]] == [
            (3, 1),
            (1, 1),
        ]
        assert (data["total"]["notices_sent"], data["total"]["homework_weeks_over_cap"]) == (4, 2)
        assert "通知发送数" in data["columns"]

    def test_no_named_child_in_notices_or_homework_figures(self, activity):
        """A notice's title and a homework's text name children; the
        supervisor's pages, export and API carry only counts."""
        with time_machine.travel(NOW, tick=False):
            c = client_for(activity["supervisor"])
            texts = [
                c.get(reverse("overview:county")).content.decode(),
                *(
                    c.get(
                        reverse("overview:county-school", args=[activity[k].school.pk])
                    ).content.decode()
                    for k in ("a", "b")
                ),
            ]
            wb = load_workbook(
                io.BytesIO(c.get(reverse("overview:county-inspection-xlsx")).content)
            )
            texts.append(repr([list(r) for r in wb.active.iter_rows(values_only=True)]))
            token = county_token_issue(county=activity["county"])
            api = Client().get(reverse("county-api:figures"), HTTP_AUTHORIZATION=f"Bearer {token}")
            texts.append(api.content.decode())
        # The traps are there to be found: the names are in the database.
        assert Notice.objects.filter(title__contains=activity["a"].students[0].name).exists()
        assert Homework.objects.filter(content__contains=activity["a"].students[1].name).exists()
        leaked = [n for n in activity["names"] for t in texts if n in t]
        assert leaked == []
        assert not any("表扬" in t or "未到且未请假" in t for t in texts)


class TestPageQueries:
    """Every supervisor page in a fixed number of queries: the county with
    two schools, then with a third, bigger one with notices and homework."""

    def _counts(self, county) -> tuple[int, ...]:
        c = client_for(county["supervisor"])
        token = county_token_issue(county=county["county"])
        out = []
        for get in (
            lambda: c.get(reverse("overview:county")),
            lambda: c.get(reverse("overview:county-school", args=[county["a"].school.pk])),
            lambda: c.get(reverse("overview:county-inspection-xlsx")),
            lambda: Client().get(
                reverse("county-api:figures"), HTTP_AUTHORIZATION=f"Bearer {token}"
            ),
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert get().status_code == 200
            out.append(len(ctx.captured_queries))
        return tuple(out)

    def test_same_queries_at_two_sizes(self, county):
        with time_machine.travel(NOW, tick=False):
            small = self._counts(county)
            big = build_school(
                f.make_school("第四小学"), classes=((3, 1), (4, 1), (5, 1)), per_class=12
            )
            School.objects.filter(pk=big.school.pk).update(supervising_county=county["county"])
            for c in big.classes:
                homework(c, datetime.date(2024, 9, 18), 95)
                notice(big.school, big.admin, at(datetime.date(2024, 9, 18)))
            # The drill-down school grows too: more classes, homework, notices.
            a = county["a"]
            extra = f.make_class(a.school, 6, 1)
            for i in range(5):
                f.make_student(extra, f"新生{i}")
            homework(extra, datetime.date(2024, 9, 18), 61)
            notice(a.school, a.admin, at(datetime.date(2024, 9, 18)))
            assert self._counts(county) == small
        # County page and xlsx: session, user, the county's schools, the 12 of
        # county_figures, the county's name. School page: session, user, school,
        # 12 figures, its term, grades 3, homework weeks 3, priority 2, the
        # policy check 6. API: the token's county, its schools, 12.
        assert small == (16, 30, 16, 14)


class TestDashboardHomeworkWeeks:
    def test_week_over_cap_is_flagged_on_the_page_and_in_the_pdf(self, activity):
        a = activity["a"]
        with time_machine.travel(NOW, tick=False):
            c = client_for(a.admin)
            body = c.get(reverse("overview:dashboard")).content.decode()
            pdf = pdf_text(c.get(reverse("overview:dashboard-pdf")).content)
        assert 'data-chart-flags="homework"' in body
        flag = "三年级（1）班 9月16日当周：书面作业日均70.0分钟，超过上限每天60分钟"
        assert flag in body
        assert "9月16日当周" in pdf and "超过上限" in pdf
        assert "style=" not in body and "<script>" not in body
