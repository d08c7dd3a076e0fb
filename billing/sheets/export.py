"""Fee sheets (收费明细表) as files: PDF, .xlsx, .csv.

The same ``FeeSheet`` (``billing.sheets.selectors.fee_sheet``) feeds every
format, so the screen, the printout, the spreadsheet and the command agree.
The totals row is the sum of the rows (Decimal, never float: the .xlsx cells
hold the exact two-place values).
"""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext as _

from afterschool.exports import csv_writer, xlsx_cell, xlsx_row
from afterschool.pdf import render_pdf
from billing.money import ROUNDING_RULE
from billing.sheets.selectors import FeeSheet, SheetRow

FORMATS = ("pdf", "xlsx", "csv")


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def sheet_headers() -> list[str]:
    return [
        _("序号"),
        _("班级"),
        _("学籍号"),
        _("姓名"),
        _("服务天数"),
        _("收费课时"),
        _("应收（元）"),
        _("减免及调整（元）"),
        _("应缴（元）"),
        _("已缴（元）"),
        _("欠费(+)/结余(-)（元）"),
    ]


def _values(i: int | str, r: SheetRow) -> list:
    return [
        i,
        r.class_name,
        r.student_number,
        r.name,
        r.days,
        r.periods,
        r.charged,
        r.deductions,
        r.total,
        r.paid,
        r.balance,
    ]


def sheet_table(sheet: FeeSheet) -> list[list]:
    """Rows of values (numbers as Decimal), the totals row last."""
    out = [_values(i, r) for i, r in enumerate(sheet.rows, 1)]
    out.append(_values("", sheet.totals))
    return out


def sheet_csv(sheet: FeeSheet) -> bytes:
    """UTF-8 with BOM so Excel opens the Chinese correctly; text cells that
    would be formulas are written as text (``afterschool.exports``)."""
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow([sheet.title, sheet.period_label, sheet.standard])
    w.writerow(sheet_headers())
    for row in sheet_table(sheet):
        w.writerow([f"{v:.2f}" if isinstance(v, Decimal) else v for v in row])
    return buf.getvalue().encode("utf-8-sig")


def sheet_xlsx(sheet: FeeSheet) -> bytes:
    """One worksheet: title, standard and document, headers, rows, totals,
    signature lines. Money cells are numbers formatted 0.00; text cells are
    text, never formulas (``afterschool.exports``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet.period_label[:31])
    ws.append(xlsx_row(ws, [f"{sheet.title}（{sheet.period_label}）"]))
    ws.append(xlsx_row(ws, [sheet.standard]))
    ws.append(xlsx_row(ws, sheet_headers()))
    for row in sheet_table(sheet):
        cells = []
        for v in row:
            cell = xlsx_cell(ws, v)
            if isinstance(v, Decimal):
                cell.number_format = "0.00"
            if row[3] == "合计":
                cell.font = Font(bold=True)
            cells.append(cell)
        ws.append(cells)
    ws.append([])
    ws.append(xlsx_row(ws, [ROUNDING_RULE]))
    ws.append(
        xlsx_row(ws, [_("班主任（签字）："), "", "", _("财务人员（签字）："), "", "", _("日期：")])
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _class_pdf(sheet: FeeSheet) -> bytes:
    return render_pdf(
        "billing/pdf/fee_sheet.html",
        {
            "sheet": sheet,
            "headers": sheet_headers(),
            "rows": sheet_table(sheet),
            "rounding_rule": ROUNDING_RULE,
        },
        landscape=True,
    )


def class_sheets(sheet: FeeSheet) -> list[FeeSheet]:
    """The school's sheet split by class (rows are ordered by class), each
    with its own title; totals are sums of their rows."""
    parts: dict[str, list[SheetRow]] = {}
    for r in sheet.rows:
        parts.setdefault(r.class_name, []).append(r)
    return [
        replace(sheet, title=f"{sheet.school.name}{name}课后服务收费明细表", rows=rows)
        for name, rows in parts.items()
    ]


def sheet_pdf(sheet: FeeSheet, *, on_progress=None) -> bytes:
    """A4 landscape with Noto CJK fonts, the fee standard and its document in
    the header, totals, signature lines for the homeroom teacher and the
    finance officer.

    A school's sheet prints class by class — each class from a new page
    with its subtotal and the homeroom teacher's signature line — then a
    summary page (one line per class; the school's total = the sum of the
    classes = the sum of every student row) signed by the finance officer.
    One document, so the CJK font subset is embedded once.
    ``on_progress(done, total)`` (optional) is told each class read, the
    rendering being the last step.
    """
    if sheet.school_class is not None:
        return _class_pdf(sheet)
    parts = class_sheets(sheet)
    sections = []
    for part in parts:
        sections.append((part, sheet_table(part)))
        if on_progress:
            on_progress(len(sections), len(parts) + 1)
    summary = [
        [i, part.rows[0].class_name, len(part.rows), *_values("", part.totals)[4:]]
        for i, part in enumerate(parts, 1)
    ]
    data = render_pdf(
        "billing/pdf/fee_sheet_school.html",
        {
            "sheet": sheet,
            "headers": sheet_headers(),
            "sections": sections,
            "summary": summary,
            "total": ["", _("全校合计"), len(sheet.rows), *_values("", sheet.totals)[4:]],
            "rounding_rule": ROUNDING_RULE,
        },
        landscape=True,
    )
    if on_progress:
        on_progress(len(parts) + 1, len(parts) + 1)
    return data


def render_sheet(sheet: FeeSheet, fmt: str) -> bytes:
    return {"pdf": sheet_pdf, "xlsx": sheet_xlsx, "csv": sheet_csv}[fmt](sheet)
