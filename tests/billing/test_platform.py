"""The payment platform bridge: the 缴费清单 export (xlsx, GB18030 CSV), the
results import (all or nothing, row-numbered errors, idempotent), the
reconciliation per class, and who may reach each page.

September: child X both periods 21 days = 96.60 yuan; child Y the
after-school period only = 48.30 yuan (class B)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from billing.models import FeeStatement, Payment, PaymentMethod
from billing.payments.platform import (
    IMPORT_MAX_ROWS,
    export_cell,
    payment_reference,
    read_results,
    statement_pk_of,
)
from billing.payments.selectors import reconciliation
from billing.payments.services import payment_import, payment_record
from billing.statements.services import statements_generate
from tests.billing.conftest import SEPT, enrol

HEADER = ["缴费编号", "学籍号", "金额", "缴费时间", "票据号"]


@pytest.fixture
def billed(world, term):
    enrol(world.child_x, term, by=world.admin)
    enrol(world.child_y, term, by=world.admin, noon=False)
    statements_generate(term=term, month=SEPT)
    return term


def st(student):
    return FeeStatement.objects.get(student=student, month=SEPT)


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="gb18030") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def exported(client, term, **query):
    r = client.get(reverse("billing:payment-list"), {"term": term.pk, **query})
    assert r.status_code == 200
    return r


@pytest.mark.django_db
class TestExport:
    def test_xlsx_lists_what_is_owed_with_a_reference(self, client, world, billed):
        world.admin.groups.clear()  # no ID-number permission
        client.force_login(world.admin)
        r = exported(client, billed, month="2024-09")
        assert "payment-list-2024-09.xlsx" in r["Content-Disposition"]
        ws = load_workbook(io.BytesIO(r.content)).active
        rows = list(ws.iter_rows(values_only=True))
        assert rows[1] == (
            "序号",
            "缴费编号",
            "学生姓名",
            "学籍号",
            "班级",
            "家长",
            "应缴金额（元）",
            "缴费期间",
        )
        x = next(row for row in rows if row[2] == world.child_x.name)
        assert x[1] == payment_reference(st(world.child_x))
        assert x[5] == world.guardian_x.name
        assert Decimal(str(x[6])) == Decimal("96.60")
        assert x[7] == "2024年9月月度账单"
        # Without the ID-number permission the embedded ID number is masked.
        assert x[3] != world.child_x.student_number and "*" in x[3]
        assert world.child_x.id_number not in r.content.decode("latin-1")

    def test_full_number_with_the_id_permission_and_paid_statements_left_out(
        self, client, world, billed
    ):
        payment_record(
            statement=st(world.child_y),
            amount=Decimal("48.30"),
            method=PaymentMethod.CASH,
            receipt_number="S1",
            by=world.admin,
        )
        client.force_login(world.admin)  # the admins' group holds the ID-number permission
        ws = load_workbook(io.BytesIO(exported(client, billed, month="term").content)).active
        rows = list(ws.iter_rows(values_only=True))[2:]
        assert [(r[2], r[3]) for r in rows] == [(world.child_x.name, world.child_x.student_number)]

    def test_gb18030_csv(self, client, world, billed):
        client.force_login(world.admin)
        r = exported(client, billed, month="2024-09", format="csv")
        assert r["Content-Type"] == "text/csv; charset=gb18030"
        rows = list(csv.reader(io.StringIO(r.content.decode("gb18030"))))
        assert rows[0][1] == "缴费编号"
        assert {(row[2], row[6]) for row in rows[1:]} == {
            (world.child_x.name, "96.60"),
            (world.child_y.name, "48.30"),
        }

    def test_cells_are_text_never_formulas(self, client, world, billed):
        world.guardian_x.name = "=HYPERLINK(1)"
        world.guardian_x.save(update_fields=["name"])
        client.force_login(world.admin)
        ws = load_workbook(io.BytesIO(exported(client, billed, month="2024-09").content)).active
        assert "'=HYPERLINK(1)" in [row[5] for row in ws.iter_rows(values_only=True)]
        body = exported(client, billed, month="2024-09", format="csv").content.decode("gb18030")
        assert "'=HYPERLINK(1)" in body
        assert export_cell("-1") == "'-1" and export_cell(Decimal("1.00")) == Decimal("1.00")


def results(term, world, *rows):
    return [HEADER, *rows]


@pytest.mark.django_db
class TestImport:
    def test_round_trip_a_faulty_file_writes_nothing_then_a_clean_one(self, world, billed):
        x, y = payment_reference(st(world.child_x)), payment_reference(st(world.child_y))
        faulty = [
            HEADER,
            [x, "", "96.60", "2024-09-05 10:30", "P001"],
            [y, "", "48.31", "2024-09-05 10:31", "P002"],  # amount differs
            ["KF9999999999", "", "10.00", "2024-09-05", "P003"],  # unknown
            [x, "", "abc", "yesterday", ""],  # unreadable
        ]
        result = payment_import(
            term=billed, filename="bank.xlsx", content=xlsx(faulty), by=world.admin
        )
        assert not result.ok and result.created == 0
        assert result.errors == [
            "第5行：金额应为大于 0 的数，最多两位小数；"
            "缴费时间无法识别（例如 2024-09-05 10:30）；票据号为空。"
        ]
        assert not Payment.objects.exists()
        result = payment_import(
            term=billed, filename="bank.xlsx", content=xlsx(faulty[:4]), by=world.admin
        )
        assert result.mismatches == [
            "第3行：金额 48.31 元与应缴 48.30 元不符。",
            "第4行：缴费编号 KF9999999999 不存在。",
        ]
        assert not Payment.objects.exists()
        clean = [HEADER, faulty[1], [y, "", "48.30", "2024/09/05 10:31", "P002"]]
        result = payment_import(
            term=billed, filename="bank.xlsx", content=xlsx(clean), by=world.admin
        )
        assert (result.ok, result.created, result.already) == (True, 2, 0)
        p = Payment.objects.get(receipt_number="P001")
        assert (p.statement, p.amount, p.method) == (
            st(world.child_x),
            Decimal("96.60"),
            PaymentMethod.PLATFORM,
        )
        assert f"{timezone.localtime(p.at):%Y-%m-%d %H:%M}" == "2024-09-05 10:30"
        again = payment_import(
            term=billed, filename="bank.xlsx", content=xlsx(clean), by=world.admin
        )
        assert (again.ok, again.created, again.already) == (True, 0, 2)
        assert Payment.objects.count() == 2

    def test_matched_by_student_number_in_a_gb18030_csv(self, world, billed):
        number = world.child_y.student_number
        rows = [
            ["学籍号", "实缴金额", "支付时间", "电子票据号"],
            [number, "48.30", "2024-09-06", "Q1"],
        ]
        result = payment_import(
            term=billed, filename="bank.csv", content=csv_bytes(rows), by=world.admin
        )
        assert (result.ok, result.created) == (True, 1)
        assert Payment.objects.get().statement == st(world.child_y)
        wrong = [
            rows[0],
            [number, "1.00", "2024-09-06", "Q2"],
            ["G000", "1.00", "2024-09-06", "Q3"],
        ]
        result = payment_import(
            term=billed, filename="bank.csv", content=csv_bytes(wrong), by=world.admin
        )
        assert result.mismatches == [
            f"第2行：学籍号 {number} 没有唯一一份应缴 1.00 元的账单，请按缴费编号导入。",
            "第3行：学籍号 G000 本学期没有账单。",
        ]

    def test_already_paid_and_receipt_used_elsewhere_and_twice(self, world, billed):
        x, y = payment_reference(st(world.child_x)), payment_reference(st(world.child_y))
        payment_record(
            statement=st(world.child_x),
            amount=Decimal("96.60"),
            method=PaymentMethod.CASH,
            receipt_number="S1",
            by=world.admin,
        )
        rows = [
            HEADER,
            [x, "", "96.60", "2024-09-05", "P1"],
            [y, "", "48.30", "2024-09-05", "S1"],
            [y, "", "48.30", "2024-09-05", "P1"],
        ]
        result = payment_import(term=billed, filename="b.xlsx", content=xlsx(rows), by=world.admin)
        assert result.mismatches == [
            f"第2行：账单 {x} 已缴清。",
            "第3行：票据号 S1 已用于其他缴费。",
            "第4行：票据号 P1 在文件中重复。",
        ]
        assert Payment.objects.count() == 1

    def test_file_faults(self, world, billed):
        def errors(content, name="b.xlsx"):
            return read_results(filename=name, content=content).errors

        assert errors(xlsx([["姓名"], ["张"]])) == [
            "找不到表头：需要“金额”“缴费时间”“票据号”以及“缴费编号”或“学籍号”列。"
        ]
        assert errors(xlsx([["金额", "票据号"]])) == ["缺少列：缴费时间、缴费编号或学籍号。"]
        assert errors(xlsx([HEADER])) == ["文件中没有缴费记录。"]
        assert errors(b"x" * (2 * 1024 * 1024 + 1)) == ["文件过大，不能超过 2 MB。"]
        many = [HEADER] + [["KF0000000001", "", "1", "2024-09-05", "R"]] * (IMPORT_MAX_ROWS + 1)
        assert errors(csv_bytes(many), "b.csv") == ["行数过多，一次最多导入 5000 行。"]
        assert errors(b"not a workbook") == ["无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏"]
        assert errors(xlsx([HEADER, ["KF1", "", "1", "2024-09-05", "R" * 51]])) == [
            "第2行：票据号过长（最多 50 个字符）。"
        ]
        assert statement_pk_of("kf0000000012") == 12 and statement_pk_of("X") is None


@pytest.mark.django_db
class TestReconciliation:
    def test_due_platform_by_hand_outstanding_per_class(self, world, billed):
        from afterschool.models import SchoolClass

        payment_import(
            term=billed,
            filename="b.xlsx",
            content=xlsx(
                [HEADER, [payment_reference(st(world.child_x)), "", "96.60", "2024-09-05", "P1"]]
            ),
            by=world.admin,
        )
        payment_record(
            statement=st(world.child_y),
            amount=Decimal("20.00"),
            method=PaymentMethod.CASH,
            receipt_number="S1",
            by=world.admin,
        )
        payment_record(
            statement=st(world.child_y),
            amount=Decimal("5.00"),
            method=PaymentMethod.CASH,
            receipt_number="S2",
            kind="refund",
            by=world.admin,
        )
        classes = SchoolClass.objects.filter(pk__in=[world.class_a.pk, world.class_b.pk])
        rows, totals = reconciliation(term=billed, classes=classes.order_by("number"))
        a, b = (
            next(r for r in rows if r.school_class == c) for c in (world.class_a, world.class_b)
        )
        assert (a.due, a.platform, a.by_hand, a.outstanding) == (
            Decimal("96.60"),
            Decimal("96.60"),
            Decimal("0.00"),
            Decimal("0.00"),
        )
        assert (b.due, b.platform, b.by_hand, b.outstanding) == (
            Decimal("48.30"),
            Decimal("0.00"),
            Decimal("15.00"),
            Decimal("33.30"),
        )
        assert (totals.due, totals.outstanding) == (Decimal("144.90"), Decimal("33.30"))

    def test_page_in_fixed_queries(self, client, world, billed, django_assert_max_num_queries):
        client.force_login(world.admin)
        url = reverse("billing:reconciliation") + f"?term={billed.pk}"
        with django_assert_max_num_queries(12):
            body = client.get(url).content.decode()
        assert "144.90" in body and "平台缴费" in body


@pytest.mark.django_db
class TestPages:
    URLS = ("billing:payment-list", "billing:payment-import", "billing:reconciliation")

    @pytest.mark.parametrize("name", URLS)
    def test_wrong_personas_are_refused(self, client, world, billed, name):
        url = reverse(name)
        for user in (world.homeroom_a, world.teacher, world.guardian_x.user):
            client.force_login(user)
            assert client.get(url, {"term": billed.pk}).status_code == 403
            assert client.post(url, {"term": billed.pk}).status_code == 403
        client.force_login(world.other_admin)
        assert client.get(url, {"term": billed.pk}).status_code == 404
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
        assert not Payment.objects.exists()

    def test_import_page_lists_the_faults_and_keeps_nothing(self, client, world, billed):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(world.admin)
        url = reverse("billing:payment-import")
        bad = xlsx([HEADER, ["KF9999999999", "", "1.00", "2024-09-05", "P1"]])
        r = client.post(url, {"term": billed.pk, "file": SimpleUploadedFile("bank.xlsx", bad)})
        body = r.content.decode()
        assert "未导入任何记录" in body and "第2行：缴费编号 KF9999999999 不存在。" in body
        good = xlsx(
            [HEADER, [payment_reference(st(world.child_x)), "", "96.60", "2024-09-05", "P1"]]
        )
        r = client.post(
            url, {"term": billed.pk, "file": SimpleUploadedFile("bank.xlsx", good)}, follow=True
        )
        assert "已导入 1 笔缴费，0 笔此前已导入" in r.content.decode()
        r = client.post(url, {"term": billed.pk, "file": SimpleUploadedFile("bank.pdf", good)})
        assert "只能上传 .xlsx 或 .csv 文件" in r.content.decode()
        assert client.get(url, {"term": billed.pk}).status_code == 200

    def test_guardian_sees_the_receipt_number(self, client, world, billed):
        statement = st(world.child_x)
        payment_import(
            term=billed,
            filename="b.xlsx",
            content=xlsx(
                [HEADER, [payment_reference(statement), "", "96.60", "2024-09-05", "E-2024-0001"]]
            ),
            by=world.admin,
        )
        client.force_login(world.guardian_x.user)
        body = client.get(reverse("billing:statement-detail", args=[statement.pk])).content.decode()
        assert "E-2024-0001" in body and "非税缴费平台" in body
