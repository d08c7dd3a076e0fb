"""The county supervisor: figures per school and in total, the supervisor
matrix (another county: 404; any POST refused, nothing written; no named
child on any page or export), the inspection .xlsx read back, the JSON API
with and without its token."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from afterschool.models import County, Role, School
from overview.county.selectors import county_figures
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

    def test_fixed_queries_at_two_sizes(self, county):
        def count(schools):
            with CaptureQueriesContext(connection) as ctx:
                county_figures(schools)
            return len(ctx.captured_queries)

        one = count([county["b"].school])
        both = count([county["a"].school, county["b"].school, county["other"].school])
        assert one == both == 10


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
