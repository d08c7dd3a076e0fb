"""Fee sheets as PDF, .xlsx and .csv, read back; the fee_sheet command."""

from __future__ import annotations

import csv
import io
import subprocess
from decimal import Decimal

import pdfplumber
import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from afterschool.pdf import render_pdf
from billing.payments.services import payment_record
from billing.sheets.export import sheet_csv, sheet_pdf, sheet_xlsx
from billing.sheets.selectors import fee_sheet
from billing.statements.services import statements_generate
from tests.billing.conftest import SEPT, D, enrol


@pytest.fixture
def billed(world, term):
    world.school.fee_document = "X教发【2024】X号"
    world.school.save()
    enrol(world.child_x, term, by=world.admin)
    enrol(world.child_y, term, by=world.admin, noon=False)
    statements_generate(term=term, month=SEPT)
    from billing.models import FeeStatement

    payment_record(
        statement=FeeStatement.objects.get(student=world.child_x),
        amount=Decimal("96.60"),
        method="cash",
        receipt_number="R1",
        by=world.admin,
    )
    return term


@pytest.mark.django_db
class TestFeeSheet:
    def test_rows_and_totals(self, world, billed):
        sheet = fee_sheet(term=billed, month=SEPT)
        assert [(r.name, r.total, r.paid) for r in sheet.rows] == [
            ("张小明", Decimal("96.60"), Decimal("96.60")),
            ("刘小红", Decimal("48.30"), Decimal("0.00")),
        ]
        t = sheet.totals
        assert (t.total, t.paid, t.balance, t.days) == (
            Decimal("144.90"),
            Decimal("96.60"),
            Decimal("48.30"),
            42,
        )
        assert "X教发【2024】X号" in sheet.standard

    def test_class_sheet_has_only_the_class(self, world, billed):
        sheet = fee_sheet(term=billed, month=SEPT, school_class=world.class_b)
        assert [r.name for r in sheet.rows] == ["刘小红"]
        assert "三年级（2）班" in sheet.title

    def test_term_sheet_sums_months(self, world, billed):
        statements_generate(term=billed, month=SEPT.replace(month=10))
        sheet = fee_sheet(term=billed, month=None)
        x = next(r for r in sheet.rows if r.name == "张小明")
        # October 2024: 19 service days (8–11, Sat 12, 14–18, 21–25, 28–31).
        assert (x.total, x.days) == (Decimal("184.00"), 40)
        assert str(x.total) == "184.00" and str(x.paid) == "96.60"

    def test_xlsx_reads_back_with_totals_equal_to_sum_of_rows(self, world, billed):
        wb = load_workbook(io.BytesIO(sheet_xlsx(fee_sheet(term=billed, month=SEPT))))
        ws = wb.active
        rows = list(ws.iter_rows(values_only=True))
        assert "收费明细表" in rows[0][0]
        assert "X教发【2024】X号" in rows[1][0]
        body = [r for r in rows[3:] if r and isinstance(r[0], int)]
        total_row = next(r for r in rows if r and r[3] == "合计")
        assert len(body) == 2
        # Column 8 = 应缴: exact two-place values, sum of rows = total row.
        assert (
            sum(Decimal(str(r[8])) for r in body) == Decimal(str(total_row[8])) == Decimal("144.90")
        )
        assert any(r and r[0] and "班主任（签字）" in str(r[0]) for r in rows)

    def test_csv_reads_back(self, world, billed):
        text = sheet_csv(fee_sheet(term=billed, month=SEPT)).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        body = [r for r in rows[2:] if r[0].isdigit()]
        total = next(r for r in rows if len(r) > 3 and r[3] == "合计")
        assert sum(Decimal(r[8]) for r in body) == Decimal(total[8]) == Decimal("144.90")

    def test_pdf_text_totals_and_cjk_font_embedded(self, world, billed, tmp_path):
        data = sheet_pdf(fee_sheet(term=billed, month=SEPT))
        path = tmp_path / "sheet.pdf"
        path.write_bytes(data)
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            assert page.width > page.height  # A4 landscape
            text = "\n".join(p.extract_text() for p in pdf.pages)
        assert "课后服务收费明细表" in text
        assert "X教发【2024】X号" in text
        assert "班主任（签字）" in text and "财务人员（签字）" in text
        # Class by class, each with its subtotal, then the school's summary:
        # the school total = the sum of the class subtotals = the sum of rows.
        subtotals = [ln.split() for ln in text.splitlines() if ln.startswith("合计")]
        assert [row[5] for row in subtotals] == ["96.60", "48.30"]  # 应缴 per class
        school = next(ln.split() for ln in text.splitlines() if ln.startswith("全校合计"))
        assert school[1:] == ["2", "42", "63", "144.90", "0.00", "144.90", "96.60", "48.30"]
        assert sum(Decimal(row[5]) for row in subtotals) == Decimal(school[6])
        assert "三年级（1）班课后服务收费明细表" in text and "（汇总）" in text
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert "CJK" in fonts
        cjk = [ln for ln in fonts.splitlines() if "CJK" in ln]
        assert all(" yes " in ln for ln in cjk)  # embedded

    def test_page_numbers_and_summary_note_in_one_style(self, world, billed):
        data = sheet_pdf(fee_sheet(term=billed, month=SEPT))
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [p.extract_text() for p in pdf.pages]
        assert len(pages) == 3  # two classes, then the summary
        for number, text in enumerate(pages, 1):
            assert f"第{number}页/共3页" in text
        assert "各班明细见前页" in pages[-1] and "附前" not in pages[-1]

    # 15–18 and 38–41 summary rows used to push the signature lines alone
    # onto the next page of the (landscape) summary.
    @pytest.mark.parametrize("classes", [15, 18, 38, 41])
    def test_summary_signature_stays_with_the_school_total(self, classes):
        class Sheet:
            title = "课后服务收费明细表"
            term, period_label, standard = "2024年秋季学期", "2024年9月", "每课时2.30元"

        summary = [
            [i, f"三年级（{i}）班", 40, 21, 42, "96.60", "0.00", "96.60", "96.60", "0.00"]
            for i in range(1, classes + 1)
        ]
        total = ["", "全校合计", 40 * classes, 21, 42, "1", "0.00", "1", "1", "0.00"]
        data = render_pdf(
            "billing/pdf/fee_sheet_school.html",
            {
                "sheet": Sheet,
                "headers": [],
                "sections": [],
                "summary": summary,
                "total": total,
                "rounding_rule": "金额按分四舍五入",
            },
            landscape=True,
        )
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [p.extract_text() for p in pdf.pages]
        (signed,) = [text for text in pages if "校长（签字）" in text]
        assert "全校合计" in signed and f"三年级（{classes}）班" in signed

    def test_class_pdf_is_one_table_with_its_total(self, world, billed):
        sheet = fee_sheet(term=billed, month=SEPT, school_class=world.class_a)
        with pdfplumber.open(io.BytesIO(sheet_pdf(sheet))) as pdf:
            text = "\n".join(p.extract_text() for p in pdf.pages)
        total = next(ln.split() for ln in text.splitlines() if ln.startswith("合计"))
        assert total[1:] == ["21", "42", "96.60", "0.00", "96.60", "96.60", "0.00"]
        assert "汇总" not in text and "刘小红" not in text


@pytest.mark.django_db
class TestFeeSheetCommand:
    def test_writes_each_format(self, world, billed, tmp_path):
        for ext in ("pdf", "xlsx", "csv"):
            out = tmp_path / f"s.{ext}"
            call_command("fee_sheet", "--month", "2024-09", "--school", "实验小学", "-o", str(out))
            assert out.stat().st_size > 0
        text = (tmp_path / "s.csv").read_bytes().decode("utf-8-sig")
        assert "144.90" in text

    def test_class_by_short_name(self, world, billed, tmp_path):
        out = tmp_path / "c.csv"
        call_command(
            "fee_sheet",
            "--month",
            "2024-09",
            "--school",
            "实验小学",
            "--class",
            "3-2",
            "-o",
            str(out),
        )
        text = out.read_bytes().decode("utf-8-sig")
        assert "刘小红" in text and "张小明" not in text

    def test_whole_term(self, world, billed, tmp_path):
        out = tmp_path / "t.csv"
        call_command(
            "fee_sheet", "--term", "2024年秋季学期", "--school", "实验小学", "-o", str(out)
        )
        assert "2024年秋季学期" in out.read_bytes().decode("utf-8-sig")

    def test_errors_in_chinese(self, world, billed, tmp_path):
        with pytest.raises(CommandError, match="多所学校"):
            call_command("fee_sheet", "--month", "2024-09", "-o", str(tmp_path / "x.csv"))
        with pytest.raises(CommandError, match="扩展名"):
            call_command("fee_sheet", "--month", "2024-09", "-o", str(tmp_path / "x.doc"))
        with pytest.raises(CommandError, match="YYYY-MM"):
            call_command(
                "fee_sheet", "--month", "9月", "--school", "实验小学", "-o", str(tmp_path / "x.csv")
            )
        with pytest.raises(CommandError, match="找不到班级"):
            call_command(
                "fee_sheet",
                "--month",
                "2024-09",
                "--school",
                "实验小学",
                "--class",
                "9-9",
                "-o",
                str(tmp_path / "x.csv"),
            )
        assert not (tmp_path / "x.csv").exists()


@pytest.mark.django_db
class TestPrepaidTermSheet:
    def test_days_and_periods_are_those_served_and_money_as_billed(self, world, term):
        from billing.models import BillingMode
        from billing.policy.services import fee_policy_save
        from billing.statements.services import settlement_generate
        from scheduling.calendar.days import service_days

        fee_policy_save(term=term, data={"mode": BillingMode.PREPAY}, by=world.admin)
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        # Before the settlement nothing is served yet on paper: the
        # prepayment's 100-day estimate is not shown as days served.
        row = fee_sheet(term=term).rows[0]
        assert (row.days, row.periods, row.total) == (0, 0, Decimal("460.00"))
        settlement_generate(term=term)
        days = len(service_days(term))
        row = fee_sheet(term=term).rows[0]
        assert (row.days, row.periods) == (days, days * 2)
        assert row.total == Decimal("460.00") - (Decimal("460.00") - days * 2 * Decimal("2.30"))
        assert "学期预收 100 天" in fee_sheet(term=term).standard

    def test_monthly_header_shows_the_tiers(self, world, term):
        from billing.models import BillingMode
        from billing.policy.services import fee_policy_save

        fee_policy_save(
            term=term,
            data={
                "mode": BillingMode.MONTHLY,
                "monthly_amount": Decimal("90.00"),
                "monthly_reduced_amount": Decimal("30.00"),
            },
            by=world.admin,
        )
        assert "按月定额 90.00 元，服务不足 10 天 30.00 元" in fee_sheet(term=term).standard


@pytest.mark.django_db
class TestHeaderShowsThePolicyBilled:
    """The header names the policy a month was billed by and the rates in
    force in it, not today's policy."""

    def test_a_policy_changed_after_billing_leaves_the_billed_months_header(self, world, term):
        from billing.models import BillingMode
        from billing.policy.services import fee_policy_save

        fee_policy_save(
            term=term,
            data={
                "mode": BillingMode.MONTHLY,
                "monthly_amount": Decimal("90.00"),
                "monthly_reduced_amount": Decimal("30.00"),
            },
            by=world.admin,
        )
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        fee_policy_save(
            term=term,
            data={"mode": BillingMode.PER_PERIOD, "rate_per_period": Decimal("2.00")},
            by=world.admin,
        )
        september = fee_sheet(term=term, month=SEPT).standard
        assert "每课时 2.30 元" in september and "按月定额 90.00 元" in september
        # A month not billed yet shows the policy as it stands.
        october = fee_sheet(term=term, month=D(2024, 10, 1)).standard
        assert "每课时 2.00 元" in october and "；按实际服务课时收费" in october
        # Recomputing September (unpaid) bills it by today's policy (a fresh
        # term: the fixture's caches the first policy), and so says the header.
        statements_generate(term=type(term).objects.get(pk=term.pk), month=SEPT)
        assert "每课时 2.00 元" in fee_sheet(term=term, month=SEPT).standard

    def test_a_rate_change_shows_in_the_months_it_touches(self, world, term):
        from billing.policy.services import fee_rate_change

        world.school.fee_document = "X教发【2024】X号"
        world.school.save()
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        fee_rate_change(
            term=term,
            effective_from=D(2024, 11, 11),
            rate_per_period=Decimal("2.00"),
            by=world.admin,
        )
        for month in (D(2024, 11, 1), D(2024, 12, 1)):
            statements_generate(term=term, month=month)
        assert fee_sheet(term=term, month=SEPT).standard == (
            "收费标准：每课时 2.30 元，每天最多 2 课时（X教发【2024】X号）；按实际服务课时收费"
        )
        assert fee_sheet(term=term, month=D(2024, 11, 1)).standard.startswith(
            "收费标准：每课时 2.30，2024年11月11日起 2.00 元，每天最多 2 课时"
        )
        assert "每课时 2.00 元" in fee_sheet(term=term, month=D(2024, 12, 1)).standard
        whole = fee_sheet(term=term).standard
        assert "每课时 2.30，2024年11月11日起 2.00 元" in whole
        # The exports carry the same header.
        rows = list(load_workbook(io.BytesIO(sheet_xlsx(fee_sheet(term=term)))).active.values)
        assert any(
            "2024年11月11日起 2.00 元" in str(cell) for row in rows[:3] for cell in row if cell
        )
