"""The payment platform bridge (DESIGN.md "National rules": public schools
collect through the province's 非税收入 payment platform or a bank, which
issues 财政电子票据): the 缴费清单 the school uploads there, and reading the
platform's or bank's results file back.

Every exported cell goes through ``export_cell`` (text, never a formula).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.exports import safe_cell
from afterschool.idnumbers import mask_embedded_id_number
from afterschool.roster.parse import RosterFileError, read_table
from billing.models import FeeStatement
from billing.money import to_fen

# A results file of a school of 3,000 students, many times over.
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 5000
REFERENCE_PREFIX = "KF"


def payment_reference(statement: FeeStatement) -> str:
    """The statement's payment reference on the 缴费清单 (缴费编号), e.g.
    ``KF0000001234``: the platform sends it back with the payment."""
    return f"{REFERENCE_PREFIX}{statement.pk:010d}"


def statement_pk_of(reference: str) -> int | None:
    """The statement id in a payment reference, or ``None`` if it is not one."""
    match = re.fullmatch(rf"{REFERENCE_PREFIX}(\d{{10}})", reference.strip().upper())
    return int(match.group(1)) if match else None


def export_cell(value):
    """One exported cell through the site's one rule (``afterschool.exports``):
    numbers stay numbers, text that a spreadsheet would run as a formula gets
    a ' in front."""
    return safe_cell(value)


def list_headers() -> list[str]:
    return [
        _("序号"),
        _("缴费编号"),
        _("学生姓名"),
        _("学籍号"),
        _("班级"),
        _("家长"),
        _("应缴金额（元）"),
        _("缴费期间"),
    ]


def list_rows(statements: list[FeeStatement], *, full_numbers: bool) -> list[list]:
    """The 缴费清单 rows: one per statement with money owed (``owed`` > 0;
    ``paid`` and ``guardian_name`` annotated). ``full_numbers``: the 学籍号
    as it is (the ID-number permission), else with the embedded ID number
    masked."""
    rows = []
    for i, s in enumerate(statements, 1):
        student = s.student
        number = student.student_number
        if not full_numbers:
            number = mask_embedded_id_number(number, student.id_number)
        rows.append(
            [
                i,
                payment_reference(s),
                student.name,
                number,
                s.school_class.display_name,
                s.guardian_name or "",
                s.owed,
                f"{s.month_label}{s.get_kind_display()}",
            ]
        )
    return rows


def list_xlsx(title: str, rows: list[list]) -> bytes:
    """The 缴费清单 as one worksheet; money cells are numbers formatted 0.00,
    every other cell text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("缴费清单"))
    ws.append([export_cell(title)])
    ws.append([export_cell(h) for h in list_headers()])
    for row in rows:
        cells = []
        for v in row:
            cell = WriteOnlyCell(ws, value=export_cell(v))
            if isinstance(v, Decimal):
                cell.number_format = "0.00"
            elif isinstance(v, str):
                cell.number_format = "@"
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def list_csv(rows: list[list]) -> bytes:
    """The 缴费清单 as GB18030 CSV (what the platforms' upload pages read)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(list_headers())
    for row in rows:
        w.writerow([f"{v:.2f}" if isinstance(v, Decimal) else export_cell(v) for v in row])
    return buf.getvalue().encode("gb18030")


# ------------------------------------------------------------- results file

COLUMNS = {
    "reference": ("缴费编号", "缴费单号", "业务编号", "订单号"),
    "student_number": ("学籍号", "全国学籍号"),
    "amount": ("金额", "缴费金额", "实缴金额", "交易金额"),
    "paid_at": ("缴费时间", "支付时间", "交易时间"),
    "receipt": ("票据号", "票据号码", "电子票据号"),
}


@dataclass
class ResultRow:
    """One payment in the results file; ``row`` as Excel shows it."""

    row: int
    reference: str
    student_number: str
    amount: Decimal
    paid_at: datetime.datetime
    receipt: str


@dataclass
class ResultsFile:
    rows: list[ResultRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _header_map(header: list) -> dict[str, int]:
    names = [re.sub(r"[\s*＊（(].*$|\s", "", str(c or "")) for c in header]
    found = {}
    for key, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
    return found


def _amount(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if raw not in (None, "") else None
    except InvalidOperation:
        return None
    if value is None or value <= 0 or to_fen(value) != value:
        return None
    return to_fen(value)


def _paid_at(raw) -> datetime.datetime | None:
    if isinstance(raw, datetime.datetime):
        moment = raw
    elif isinstance(raw, datetime.date):
        moment = datetime.datetime(raw.year, raw.month, raw.day)
    else:
        text = str(raw or "").strip().replace("/", "-")
        moment = None
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                moment = datetime.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _text(cells: list, index: int | None) -> str:
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    return str(cells[index]).strip()


def read_results(*, filename: str, content: bytes) -> ResultsFile:
    """Parse a results file (.xlsx, or .csv in UTF-8 or GB18030): the header
    row names the columns (缴费编号 or 学籍号, 金额, 缴费时间, 票据号; the
    platforms' other spellings in ``COLUMNS``). Returns the rows and every
    fault as a row-numbered Chinese message; never raises for bad input."""
    out = ResultsFile()
    if len(content) > IMPORT_MAX_BYTES:
        out.errors.append(
            _("文件过大，不能超过 %(mb)s MB。") % {"mb": IMPORT_MAX_BYTES // 1024 // 1024}
        )
        return out
    try:
        table = read_table(filename=filename, content=content)
    except RosterFileError as exc:
        out.errors.append(str(exc))
        return out
    header_at = next(
        (i for i, cells in enumerate(table[:10]) if "amount" in _header_map(cells)), None
    )
    if header_at is None:
        out.errors.append(_("找不到表头：需要“金额”“缴费时间”“票据号”以及“缴费编号”或“学籍号”列。"))
        return out
    cols = _header_map(table[header_at])
    missing = [COLUMNS[k][0] for k in ("paid_at", "receipt") if k not in cols]
    if "reference" not in cols and "student_number" not in cols:
        missing.append(_("缴费编号或学籍号"))
    if missing:
        out.errors.append(_("缺少列：%(cols)s。") % {"cols": "、".join(missing)})
        return out
    body = [(i + 1, cells) for i, cells in enumerate(table) if i > header_at]
    body = [(n, cells) for n, cells in body if any(c not in (None, "") for c in cells)]
    if len(body) > IMPORT_MAX_ROWS:
        out.errors.append(_("行数过多，一次最多导入 %(n)s 行。") % {"n": IMPORT_MAX_ROWS})
        return out
    for n, cells in body:
        _parse_row(out, n, cells, cols)
    if not out.rows and not out.errors:
        out.errors.append(_("文件中没有缴费记录。"))
    return out


def _parse_row(out: ResultsFile, n: int, cells: list, cols: dict[str, int]) -> None:
    reference = _text(cells, cols.get("reference"))
    number = _text(cells, cols.get("student_number"))
    amount = _amount(cells[cols["amount"]] if cols["amount"] < len(cells) else None)
    paid_at = _paid_at(cells[cols["paid_at"]] if cols["paid_at"] < len(cells) else None)
    receipt = _text(cells, cols["receipt"])
    problems = []
    if not reference and not number:
        problems.append(_("缴费编号和学籍号都为空"))
    if amount is None:
        problems.append(_("金额应为大于 0 的数，最多两位小数"))
    if paid_at is None:
        problems.append(_("缴费时间无法识别（例如 2024-09-05 10:30）"))
    if not receipt:
        problems.append(_("票据号为空"))
    elif len(receipt) > 50:
        problems.append(_("票据号过长（最多 50 个字符）"))
    if problems:
        out.errors.append(_("第%(n)s行：%(p)s。") % {"n": n, "p": "；".join(problems)})
        return
    out.rows.append(
        ResultRow(
            row=n,
            reference=reference,
            student_number=number,
            amount=amount,
            paid_at=paid_at,
            receipt=receipt,
        )
    )
