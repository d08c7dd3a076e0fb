"""Billing pages through HTTP: who sees what (every URL, every persona),
forms that show service errors, query counts at two sizes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from billing.models import FeePolicy, FeeStatement, Payment, Waiver
from billing.payments.services import payment_record
from billing.statements.services import statements_generate
from billing.waivers.services import waiver_create
from overview.todo.selectors import admin_todos
from tests import factories as f
from tests.billing.conftest import SEPT, enrol


@pytest.fixture
def billed(world, term, other_term):
    enrol(world.child_x, term, by=world.admin)
    enrol(world.child_y, term, by=world.admin, noon=False)
    enrol(world.other_child, other_term, by=world.other_admin)
    statements_generate(term=term, month=SEPT)
    statements_generate(term=other_term, month=SEPT)
    return term


def st(student):
    return FeeStatement.objects.get(student=student, month=SEPT)


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


ADMIN_ONLY = ["billing:policy", "billing:waivers", "billing:workload"]


@pytest.mark.django_db
class TestPermissions:
    @pytest.mark.parametrize("name", ADMIN_ONLY)
    def test_admin_pages_refuse_everyone_else(self, client, world, billed, name):
        url = reverse(name)
        for user in (world.homeroom_a, world.teacher, world.volunteer, world.guardian_x.user):
            assert get(client, user, url).status_code == 403, user
        assert get(client, world.admin, url).status_code == 200

    def test_anonymous_sent_to_login(self, client, world, billed):
        for name in [*ADMIN_ONLY, "billing:statements", "billing:family", "billing:fee-sheet"]:
            r = client.get(reverse(name))
            assert r.status_code == 302 and "/login" in r["Location"]
        r = client.get(reverse("billing:statement-detail", args=[st(world.child_x).pk]))
        assert r.status_code == 302

    def test_statement_detail_names_the_arrears_once(self, client, world, billed):
        body = get(
            client,
            world.guardian_x.user,
            reverse("billing:statement-detail", args=[st(world.child_x).pk]),
        ).content.decode()
        assert 'data-balance="owed">96.60 元<' in body
        assert body.count("欠费") == 1 and "欠费 96.60" not in body

    def test_statement_detail_by_persona(self, client, world, billed):
        x = reverse("billing:statement-detail", args=[st(world.child_x).pk])
        allowed = (world.admin, world.homeroom_a, world.guardian_x.user)
        refused = (
            world.homeroom_b,
            world.guardian_y.user,
            world.teacher,
            world.volunteer,
            world.other_admin,
            world.other_guardian.user,
        )
        for user in allowed:
            r = get(client, user, x)
            assert r.status_code == 200, user
            assert "96.60" in r.content.decode()
        for user in refused:
            assert get(client, user, x).status_code == 404, user

    def test_guardian_sees_only_own_statements(self, client, world, billed):
        body = get(client, world.guardian_x.user, reverse("billing:family")).content.decode()
        assert "张小明" in body and "96.60" in body
        assert "刘小红" not in body and "陈小军" not in body

    def test_family_page_only_for_guardians(self, client, world, billed):
        assert get(client, world.admin, reverse("billing:family")).status_code == 403

    def test_homeroom_sees_only_own_class(self, client, world, billed):
        body = get(client, world.homeroom_a, reverse("billing:statements")).content.decode()
        assert "张小明" in body and "刘小红" not in body
        r = get(
            client, world.homeroom_a, reverse("billing:statements") + f"?class={world.class_b.pk}"
        )
        assert r.status_code == 404
        sheet = get(client, world.homeroom_a, reverse("billing:fee-sheet")).content.decode()
        assert "张小明" in sheet and "刘小红" not in sheet
        r = get(
            client, world.homeroom_a, reverse("billing:fee-sheet") + f"?class={world.class_b.pk}"
        )
        assert r.status_code == 404

    def test_teachers_and_guardians_refused_statement_lists(self, client, world, billed):
        for name in ("billing:statements", "billing:fee-sheet"):
            for user in (world.teacher, world.volunteer, world.guardian_x.user):
                assert get(client, user, reverse(name)).status_code == 403

    def test_other_school_admin_gets_404_for_this_school(self, client, world, billed, term):
        client.force_login(world.other_admin)
        assert client.get(reverse("billing:statements") + f"?term={term.pk}").status_code == 404
        assert client.get(reverse("billing:fee-sheet") + f"?term={term.pk}").status_code == 404
        assert client.get(reverse("billing:policy") + f"?term={term.pk}").status_code == 404
        body = client.get(reverse("billing:statements")).content.decode()
        assert "陈小军" in body and "张小明" not in body
        r = client.get(reverse("billing:fee-sheet") + f"?class={world.class_a.pk}")
        assert r.status_code == 404

    def test_only_admin_records_payments(self, client, world, billed):
        url = reverse("billing:statement-detail", args=[st(world.child_x).pk])
        data = {"kind": "payment", "amount": "10.00", "method": "cash", "receipt_number": "Z1"}
        for user in (world.homeroom_a, world.guardian_x.user):
            client.force_login(user)
            assert client.post(url, data).status_code == 403
        assert not Payment.objects.exists()

    @pytest.mark.parametrize("name", ["billing:statements-generate", "billing:settlement-generate"])
    def test_runs_are_admin_only_and_post_only(self, client, world, billed, term, name):
        url = reverse(name)
        for user in (world.homeroom_a, world.teacher, world.guardian_x.user):
            client.force_login(user)
            assert client.post(url, {"term": term.pk, "month": "2024-10"}).status_code == 403
        client.force_login(world.other_admin)
        assert client.post(url, {"term": term.pk, "month": "2024-10"}).status_code == 404
        client.force_login(world.admin)
        assert client.get(url).status_code == 405
        assert not FeeStatement.objects.filter(month__month__gte=10).exists()


@pytest.mark.django_db
class TestForms:
    def test_policy_above_cap_shows_cap_and_document_and_saves_nothing(self, client, world, term):
        world.school.fee_document = "X教发【2024】X号"
        world.school.save()
        client.force_login(world.admin)
        data = {
            "rate_per_period": "2.31",
            "periods_per_day": "2",
            "mode": "per_period",
            "charge_unexcused_absence": "on",
            "prepay_days": "100",
            "settlement_mode": "refund",
            "monthly_amount": "150.00",
            "monthly_reduced_amount": "75.00",
            "monthly_threshold_days": "10",
            "workload_rate_per_period": "0",
        }
        r = client.post(reverse("billing:policy"), data)
        body = r.content.decode()
        assert r.status_code == 200
        assert "每课时收费不得超过 2.30 元（X教发【2024】X号）" in body
        assert 'value="2.31"' in body  # what the user typed is shown again
        assert not FeePolicy.objects.exists()
        data["rate_per_period"] = "2.00"
        r = client.post(reverse("billing:policy"), data)
        assert r.status_code == 302
        assert FeePolicy.objects.get().rate_per_period == Decimal("2.00")

    def test_admin_enters_the_fee_document_on_the_policy_page(self, client, world, term):
        world.school.fee_document = "X教发【2024】X号"
        world.school.save()
        url = reverse("billing:fee-document")
        for user in (world.homeroom_a, world.guardian_x.user):
            client.force_login(user)
            assert client.post(url, {"term": term.pk, "fee_document": "某"}).status_code == 403
        client.force_login(world.other_admin)
        assert client.post(url, {"term": term.pk, "fee_document": "某"}).status_code == 404
        client.force_login(world.admin)
        page = client.get(reverse("billing:policy")).content.decode()
        assert 'id="fee-document"' in page and 'value="X教发【2024】X号"' in page
        r = client.post(url, {"term": term.pk, "fee_document": "   "})
        assert r.status_code == 200 and "请填写县里收费文件的文号。" in r.content.decode()
        r = client.post(url, {"term": term.pk, "fee_document": " 某县教发【2026】12号 "})
        assert r.status_code == 302
        world.school.refresh_from_db()
        assert world.school.fee_document == "某县教发【2026】12号"
        world.admin.refresh_from_db()
        assert "fee_document" not in {t.key for t in admin_todos(user=world.admin)}

    def test_flat_amount_above_a_typical_month_under_the_cap_warns(self, client, world, term):
        client.force_login(world.admin)
        data = {
            "rate_per_period": "2.30",
            "periods_per_day": "2",
            "mode": "monthly",
            "prepay_days": "100",
            "settlement_mode": "refund",
            "monthly_amount": "96.61",
            "monthly_reduced_amount": "41.40",
            "monthly_threshold_days": "10",
            "workload_rate_per_period": "0",
        }
        body = client.post(reverse("billing:policy"), data, follow=True).content.decode()
        # 21 days × 4.60 = 96.60; 9 days × 4.60 = 41.40 is exactly allowed.
        assert (
            "每月固定收费 96.61 元，高于按收费上限一个月（按 21 个服务日计）最多可收的 96.60 元。"
            "账单将按实际服务天数封顶。"
        ) in body
        assert "下一个月" not in body and "服务天数不足时每月收费 " not in body
        data.update(monthly_amount="96.60", monthly_reduced_amount="41.41")
        body = client.post(reverse("billing:policy"), data, follow=True).content.decode()
        assert "每月固定收费 " not in body
        assert (
            "服务天数不足时每月收费 41.41 元，高于按收费上限服务 9 天最多可收的 41.40 元。"
        ) in body
        data.update(mode="per_period")
        body = client.post(reverse("billing:policy"), data, follow=True).content.decode()
        assert "封顶" not in body

    def test_policy_fields_grouped_under_each_mode_with_an_explanation(self, client, world, term):
        import re

        client.force_login(world.admin)
        body = client.get(reverse("billing:policy")).content.decode()
        legends = re.findall(r"<legend[^>]*>\s*(.*?)\s*</legend>", body, re.S)
        assert legends == [
            "收费标准（各种方式通用）",
            "方式一：按实际服务课时收费",
            "方式二：学期预收，期末结算",
            "方式三：按月定额收费（分档）",
            "请假、缺勤与减免（各种方式通用）",
            "期末结余（各种方式通用）",
            "教师补助",
        ]
        fieldsets = body.split("<legend")
        assert 'name="prepay_days"' in fieldsets[3] and 'name="settlement_mode"' not in fieldsets[3]
        # What happens to money left at term end is every mode's question.
        assert 'name="settlement_mode"' in fieldsets[6] and "不跨学期收费" in fieldsets[6]
        assert 'name="monthly_amount"' in fieldsets[4]
        assert 'name="monthly_threshold_days"' in fieldsets[4]
        assert 'name="monthly_amount"' not in fieldsets[3]
        assert "当月服务天数少于设定天数时按减档金额收费" in fieldsets[4]
        assert body.count("<form") == body.count("</form>")
        assert body.count('name="csrfmiddlewaretoken"') == body.count("<form")

    def test_payment_recorded_once_with_double_submit(self, client, world, billed):
        client.force_login(world.admin)
        url = reverse("billing:statement-detail", args=[st(world.child_x).pk])
        data = {"kind": "payment", "amount": "96.60", "method": "wechat", "receipt_number": "W-1"}
        assert client.post(url, data).status_code == 302
        r = client.post(url, data)
        assert r.status_code == 200
        assert "收据号 W-1 已登记过" in r.content.decode()
        assert Payment.objects.count() == 1
        body = client.get(url).content.decode()
        assert "W-1" in body and "已缴" in body

    def test_overpayment_shows_a_positive_credit_and_too_big_a_refund_is_refused(
        self, client, world, billed
    ):
        client.force_login(world.admin)
        url = reverse("billing:statement-detail", args=[st(world.child_x).pk])
        data = {"kind": "payment", "amount": "550.00", "method": "cash", "receipt_number": "P-1"}
        r = client.post(url, data, follow=True)
        body = r.content.decode()
        assert "已缴超过应缴 453.40 元，多缴部分转为结余" in body
        assert 'data-balance="credit">453.40 元<' in body and "-453.40" not in body
        assert "结余 453.40" not in body  # the label above says 结余 once
        data = {"kind": "refund", "amount": "903.40", "method": "cash", "receipt_number": "R-1"}
        r = client.post(url, data)
        body = r.content.decode()
        assert r.status_code == 200
        assert "最多可退 550.00 元" in body
        assert 'value="903.40"' in body
        assert Payment.objects.count() == 1
        client.force_login(world.guardian_x.user)
        body = client.get(reverse("billing:family")).content.decode()
        assert "结余 453.40 元" in body and "-453.40" not in body

    def test_statement_list_shows_owed_and_credit_without_sign(self, client, world, billed):
        payment_record(
            statement=st(world.child_x),
            amount=Decimal("100.00"),
            method="cash",
            receipt_number="P-2",
            by=world.admin,
        )
        client.force_login(world.admin)
        body = client.get(reverse("billing:statements") + "?month=2024-09").content.decode()
        assert "结余 3.40" in body and "-3.40" not in body
        assert "欠费 48.30" in body

    def test_generate_button(self, client, world, billed, term):
        client.force_login(world.admin)
        r = client.post(
            reverse("billing:statements-generate"),
            {"term": term.pk, "month": "2024-10"},
            follow=True,
        )
        assert "已核算 2024年10月" in r.content.decode()
        assert FeeStatement.objects.filter(month__month=10, school=world.school).count() == 2

    def test_waiver_form_partial_refused_then_full_saved(self, client, world, billed, term):
        client.force_login(world.admin)
        data = {
            "student": world.child_x.pk,
            "kind": "percent",
            "percent": "50",
            "effective_from": "2024-09-02",
            "reason": "单亲",
        }
        r = client.post(reverse("billing:waivers"), data)
        assert "不允许部分减免" in r.content.decode()
        assert not Waiver.objects.exists()
        data.update(kind="full", percent="")
        assert client.post(reverse("billing:waivers"), data).status_code == 302
        assert Waiver.objects.get().kind == "full"

    def test_waiver_form_refuses_other_schools_student(self, client, world, billed):
        client.force_login(world.admin)
        data = {"student": world.other_child.pk, "kind": "full", "effective_from": "2024-09-02"}
        r = client.post(reverse("billing:waivers"), data)
        assert r.status_code == 200 and not Waiver.objects.exists()

    def test_fee_sheet_downloads(self, client, world, billed):
        client.force_login(world.admin)
        base = reverse("billing:fee-sheet") + "?month=2024-09&format="
        # The whole school's PDF is a background job (tests/billing/test_sheet_jobs.py).
        assert client.get(base + "pdf").url.startswith("/billing/fee-sheet/jobs/")
        assert client.get(base + "xlsx").content[:2] == b"PK"
        assert "144.90" in client.get(base + "csv").content.decode("utf-8-sig")

    def test_fee_sheet_file_names_are_chinese_with_an_ascii_fallback(
        self, client, world, billed, term
    ):
        from urllib.parse import unquote

        client.force_login(world.admin)
        base = reverse("billing:fee-sheet")
        cases = [
            (
                f"?month=2024-09&class={world.class_b.pk}&format=pdf",
                "收费明细表-2024年9月-三年级（2）班.pdf",
                "fee-sheet-2024-09-3-2.pdf",
            ),
            ("?month=2024-09&format=xlsx", "收费明细表-2024年9月.xlsx", "fee-sheet-2024-09.xlsx"),
            ("?month=term&format=csv", f"收费明细表-{term.name}.csv", "fee-sheet-term.csv"),
        ]
        for query, chinese, ascii_name in cases:
            header = client.get(base + query)["Content-Disposition"]
            assert header.startswith(f'attachment; filename="{ascii_name}"; ')
            assert unquote(header.split("filename*=utf-8''")[1]) == chinese
            header.encode("ascii")  # a header must stay ASCII
        r = client.get(reverse("billing:workload") + "?month=2024-09&format=pdf")
        assert unquote(r["Content-Disposition"].split("''")[1]) == "教师工作量统计表-2024年9月.pdf"

    def test_settlement_button_refused_outside_prepay(self, client, world, billed, term):
        client.force_login(world.admin)
        r = client.post(reverse("billing:settlement-generate"), {"term": term.pk}, follow=True)
        assert "只有“学期预收，期末结算”方式需要期末结算" in r.content.decode()


OCT = datetime.date(2024, 10, 1)
# A Wednesday in November 2024: this month has no statements yet.
IN_NOVEMBER = datetime.datetime(2024, 11, 20, 9, tzinfo=datetime.UTC)


def active_month(html: str) -> str:
    """The month the page's month pills mark as shown (``2024-10``)."""
    return html.split('nav-link py-1 px-2 active" href="?term=', 1)[1].split("month=", 1)[1][:7]


@pytest.mark.django_db
class TestOpeningMonth:
    """Without a month asked, the statements list and the fee sheet open on
    the latest month billed, not on this month while it has none."""

    @pytest.fixture(autouse=True)
    def in_november(self):
        with time_machine.travel(IN_NOVEMBER, tick=False):
            yield

    def test_admin_opens_on_the_latest_billed_month(self, client, world, billed, term):
        statements_generate(term=term, month=OCT)
        client.force_login(world.admin)
        html = client.get(reverse("billing:statements")).content.decode()
        assert active_month(html) == "2024-10"
        assert "张小明" in html and "刘小红" in html and "本月还没有账单" not in html
        assert "核算 2024年10月 账单" in html
        sheet = client.get(reverse("billing:fee-sheet")).content.decode()
        assert active_month(sheet) == "2024-10"
        # A month asked for is shown even when empty (to run its statements).
        html = client.get(reverse("billing:statements") + "?month=2024-11").content.decode()
        assert active_month(html) == "2024-11" and "本月还没有账单" in html

    def test_homeroom_teacher_opens_on_the_latest_month_of_own_class(
        self, client, world, billed, term
    ):
        # Only class B is billed for October: class A's teacher still sees September.
        statements_generate(term=term, month=OCT)
        FeeStatement.objects.filter(month=OCT, school_class=world.class_a).delete()
        client.force_login(world.homeroom_a)
        html = client.get(reverse("billing:statements")).content.decode()
        assert active_month(html) == "2024-09" and "张小明" in html
        client.force_login(world.homeroom_b)
        html = client.get(reverse("billing:statements")).content.decode()
        assert active_month(html) == "2024-10" and "刘小红" in html

    def test_a_term_without_statements_opens_on_this_month(self, client, world, term):
        client.force_login(world.admin)
        html = client.get(reverse("billing:statements")).content.decode()
        assert active_month(html) == "2024-11" and "本月还没有账单" in html


def add_students(world, term, n, start=0):
    """``n`` more enrolled students in class A, each with a guardian."""
    for i in range(start, start + n):
        s = f.make_student(world.class_a, f"学生{i}")
        f.make_guardian(s, f"家长{i}", f"137{i:08d}")
        enrol(s, term, by=world.admin)


@pytest.mark.django_db
class TestQueryCounts:
    @pytest.mark.parametrize("extra", [0, 20])
    def test_statement_list(self, client, world, billed, term, extra, django_assert_num_queries):
        add_students(world, term, extra)
        statements_generate(term=term, month=SEPT)
        client.force_login(world.admin)
        url = reverse("billing:statements") + "?month=2024-09"
        client.get(url)
        # session, user+school, terms, policy, arrears (statements summed per
        # student, payments summed per student, classes), statements with paid.
        with django_assert_num_queries(8):
            r = client.get(url)
        assert r.content.decode().count("billing/statements/") >= 2 + extra

    @pytest.mark.parametrize("extra", [0, 20])
    def test_statement_list_without_a_month(
        self, client, world, billed, term, extra, django_assert_num_queries
    ):
        add_students(world, term, extra)
        statements_generate(term=term, month=SEPT)
        client.force_login(world.admin)
        url = reverse("billing:statements")
        client.get(url)
        # As with a month, plus the latest month with statements.
        with django_assert_num_queries(9):
            r = client.get(url)
        assert r.content.decode().count("billing/statements/") >= 2 + extra

    @pytest.mark.parametrize("extra", [0, 20])
    def test_fee_sheet_page(self, client, world, billed, term, extra, django_assert_num_queries):
        add_students(world, term, extra)
        statements_generate(term=term, month=SEPT)
        client.force_login(world.admin)
        url = reverse("billing:fee-sheet") + "?month=2024-09"
        # session, user+school, terms, the policy as billed (its audit
        # trail, then the saved policy: there is none, billed by the
        # defaults), rate changes, statements per student, lines per
        # student, payments per student, classes for the filter.
        with django_assert_num_queries(10):
            r = client.get(url)
        assert r.status_code == 200

    @pytest.mark.parametrize("extra", [0, 20])
    def test_statement_detail(self, client, world, billed, term, extra, django_assert_num_queries):
        # A statement's lines grow with the month, not with the school.
        add_students(world, term, extra)
        client.force_login(world.guardian_x.user)
        url = reverse("billing:statement-detail", args=[st(world.child_x).pk])
        # session, user+school, statement, paid sum, lines, payments.
        with django_assert_num_queries(6):
            client.get(url)

    @pytest.mark.parametrize("extra", [0, 20])
    def test_family(self, client, world, billed, term, extra, django_assert_num_queries):
        add_students(world, term, extra)
        client.force_login(world.guardian_x.user)
        # session, user+school, children, statements with paid.
        with django_assert_num_queries(4):
            client.get(reverse("billing:family"))


@pytest.mark.django_db
class TestGenerationQueries:
    """Statement generation for a whole school reads and writes in bulk: the
    same number of queries for 5 and for 50 students."""

    def count(self, world, term, n, start=0):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        add_students(world, term, n, start)
        # A fresh term object each time: nothing cached on it.
        one, two = (type(term).objects.get(pk=term.pk) for _ in range(2))
        with CaptureQueriesContext(connection) as first:
            statements_generate(term=one, month=SEPT)
        with CaptureQueriesContext(connection) as again:
            statements_generate(term=two, month=SEPT)
        return len(first.captured_queries), len(again.captured_queries)

    def test_same_count_for_5_and_50_students(self, world, term):
        small = self.count(world, term, 5)
        FeeStatement.objects.all().delete()
        from enrollment.models import Application

        Application.objects.all().delete()
        big = self.count(world, term, 45, start=100)
        assert FeeStatement.objects.count() == 45
        # Reads: the fee's publication, policy, waiver requests to sync,
        # school, term settings, calendar rows, service changes, waivers,
        # applications, approval events, leave, absences, existing
        # statements, the term's credits, rate changes; first run: insert
        # statements, insert their audit-trail rows, insert lines; again:
        # read the stored lines, nothing changed so nothing written;
        # savepoint and release. The first run also tells the guardians
        # (afterschool.notices.services.notify): their logins, who already
        # has the notice, savepoint, insert notices, raise unread counts,
        # release. Generation also reads the fee's publication, the credits
        # and the dated rate changes (three queries).
        assert small == big == (26, 18)


@pytest.mark.django_db
class TestWaiverPage:
    def test_approved_request_listed_as_pending_until_the_next_run(self, client, world, term):
        enrol(world.child_x, term, by=world.admin, waiver=True)
        client.force_login(world.admin)
        body = client.get(reverse("billing:waivers")).content.decode()
        assert "张小明" in body and "下次核算账单时生效" in body
        assert not Waiver.objects.exists()  # a GET writes nothing
        statements_generate(term=term, month=SEPT)
        body = client.get(reverse("billing:waivers")).content.decode()
        assert "减免申请（已批准）" in body and "下次核算账单时生效" not in body
        assert Waiver.objects.get().kind == "full"


@pytest.mark.django_db
class TestMoreQueryCounts:
    @pytest.mark.parametrize("extra", [0, 15])
    def test_waiver_page(self, client, world, term, extra, django_assert_num_queries):
        enrol(world.child_x, term, by=world.admin, waiver=True)
        for i in range(extra):
            s = f.make_student(world.class_b, f"学生{i}")
            f.make_guardian(s, f"家长{i}", f"136{i:08d}")
            waiver_create(
                student=s, term=term, kind="full", effective_from=term.first_day, by=world.admin
            )
        client.force_login(world.admin)
        # session, user+school, terms, waivers with students and classes,
        # approved requests not yet waivers, policy, students for the form.
        with django_assert_num_queries(7):
            r = client.get(reverse("billing:waivers"))
        assert r.content.decode().count("全额免收") >= 1 + extra

    @pytest.mark.parametrize("teachers", [1, 6])
    def test_workload_page(self, client, world, term, teachers, django_assert_num_queries):
        from afterschool.models import Role
        from scheduling.models import Period, Session

        enrol(world.child_x, term, by=world.admin)  # only sessions with children count
        people = [f.make_user(world.school, Role.TEACHER, f"t{i}") for i in range(teachers)]
        for i, p in enumerate(people):
            Session.objects.create(
                term=term,
                date=SEPT.replace(day=2 + i),
                weekday=(i % 5),
                period=Period.NOON,
                school_class=world.class_a,
                supervisor=p,
            )
        client.force_login(world.admin)
        # session, user+school, terms, policy, sessions per person, rolls per
        # person, clubs, people.
        with django_assert_num_queries(8):
            r = client.get(reverse("billing:workload") + "?month=2024-09")
        assert r.status_code == 200
        assert all(p.name in r.content.decode() for p in people)


@pytest.mark.django_db
class TestSortableTables:
    """The statements list and the fee sheet screen sort by their headers
    (django-tables2) and keep the sheet's totals row."""

    def test_statements_sort_by_student_and_amount(self, client, world, billed, term):
        client.force_login(world.admin)
        url = reverse("billing:statements") + "?month=2024-09"
        default = client.get(url).text
        assert default.index("张小明") < default.index("刘小红")  # class order
        assert 'href="?month=2024-09&amp;sort=-student"' in default
        by_total = client.get(url + "&sort=total").text
        low, high = sorted([st(world.child_x), st(world.child_y)], key=lambda s: s.total)
        assert by_total.index(low.student.name) < by_total.index(high.student.name)
        desc = client.get(url + "&sort=-total").text
        assert desc.index(high.student.name) < desc.index(low.student.name)

    def test_fee_sheet_sorts_and_keeps_its_totals(self, client, world, billed, term):
        client.force_login(world.admin)
        url = reverse("billing:fee-sheet") + "?month=2024-09"
        page = client.get(url + "&sort=-name").text
        body = page[page.index("<tbody") :]
        names = sorted(["张小明", "刘小红"], reverse=True)
        assert body.index(names[0]) < body.index(names[1])
        total = st(world.child_x).total + st(world.child_y).total
        assert '<tfoot><tr class="fw-bold"><td colspan="2">合计</td>' in page
        assert f'<td class="text-end">{total}</td>' in page[page.index("<tfoot>") :]
