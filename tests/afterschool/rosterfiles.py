"""Small roster files built in tests: xlsx (openpyxl) or CSV (GB18030 by default)."""

from __future__ import annotations

import csv
import datetime
import io

from openpyxl import Workbook

from tests.factories import make_id_number

HEADER = [
    "序号",
    "全国学籍号",
    "姓名",
    "性别",
    "出生日期",
    "班级",
    "身份证号",
    "家长姓名",
    "与学生关系",
    "联系电话",
    "是否住宿",
    "随迁子女",
    "留守儿童",
    "残疾儿童",
    "家庭经济困难",
]


def student(n: int, **overrides) -> dict[str, object]:
    """A valid row for student ``n`` (1-based): own ID, own guardian mobile."""
    birth = datetime.date(2016, 1, 1) + datetime.timedelta(days=n)
    id_number = make_id_number(birth, n, area="110105")
    row: dict[str, object] = {
        "序号": n,
        "全国学籍号": f"G{id_number}",
        "姓名": f"学生{n}",
        "性别": "男" if n % 2 else "女",
        "出生日期": birth.isoformat(),
        "班级": "三年级（1）班",
        "身份证号": id_number,
        "家长姓名": f"家长{n}",
        "与学生关系": "母亲",
        "联系电话": f"1380000{n:04d}",
        "是否住宿": "否",
        "随迁子女": "否",
        "留守儿童": "否",
        "残疾儿童": "否",
        "家庭经济困难": "否",
    }
    row.update(overrides)
    return row


def xlsx_bytes(
    rows: list[dict[str, object] | None],
    *,
    header: list[str] = HEADER,
    title: str | None = None,
) -> bytes:
    """An .xlsx with an optional title row, the header and ``rows`` (None = blank row)."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append([] if row is None else [row.get(h) for h in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(
    rows: list[dict[str, object] | None],
    *,
    header: list[str] = HEADER,
    title: str | None = None,
    encoding: str = "gb18030",
) -> bytes:
    """A CSV as Excel saves it (GB18030 on a Chinese Windows; "utf-8-sig" = with BOM)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    if title:
        writer.writerow([title] + [""] * (len(header) - 1))
    writer.writerow(header)
    for row in rows:
        writer.writerow([""] * len(header) if row is None else [row.get(h, "") for h in header])
    return out.getvalue().encode(encoding)
