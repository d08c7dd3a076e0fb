"""Reading a roster file and checking every row; never writes.

``roster_parse(filename=..., content=...)`` reads .xlsx or .csv (UTF-8 with
or without BOM, or GB18030/GBK as Excel on a Chinese Windows saves it),
finds the header row below an optional title row, maps the header names
schools export (aliases below) and checks every row. It returns a
``ParsedRoster`` with the clean rows and one Chinese ``Problem`` line per
fault, numbered as Excel shows the row.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from afterschool.idnumbers import (
    id_number_birth_date,
    id_number_problem,
    mask_id_number,
    normalize_id_number,
    normalize_mobile,
)
from afterschool.models import GRADE_NAMES, Student
from afterschool.roster.cells import (
    GENDERS,
    cell_text,
    mask_student_number,
    parse_class_name,
    parse_date,
    parse_flag,
)

# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


#: field key -> (column label used in messages, header names schools export)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "seq": ("序号", ("序号", "编号")),
    # 班内学号 (Student.class_number), the class-list order; plain "学号" is
    # read as 学籍号 below, as most exports mean it.
    "seat": ("班内学号", ("班内学号", "班级学号", "班内序号", "座号")),
    "student_number": ("学籍号", ("全国学籍号", "学籍号", "学籍编号", "学号", "学生学籍号")),
    "name": ("姓名", ("姓名", "学生姓名")),
    "gender": ("性别", ("性别", "学生性别")),
    "birth_date": ("出生日期", ("出生日期", "出生年月日", "生日")),
    "school_class": ("班级", ("班级", "班级名称", "所在班级")),
    "id_number": ("身份证号", ("身份证号", "身份证号码", "身份证件号", "身份证件号码", "证件号码")),
    "guardian_name": (
        "家长姓名",
        ("家长姓名", "监护人姓名", "监护人", "家长", "监护人1姓名", "家庭成员姓名"),
    ),
    "relation": ("与学生关系", ("与学生关系", "关系", "监护人关系", "家长关系", "监护人1关系")),
    "mobile": (
        "联系电话",
        (
            "联系电话",
            "手机号",
            "手机号码",
            "家长电话",
            "家长手机",
            "家长手机号",
            "监护人电话",
            "监护人手机号",
            "联系方式",
        ),
    ),
    "is_boarder": ("是否住宿", ("是否住宿", "住宿", "住宿生", "是否住宿生")),
    "is_migrant_child": (
        "随迁子女",
        ("随迁子女", "是否随迁子女", "进城务工人员随迁子女", "是否进城务工人员随迁子女"),
    ),
    "is_left_behind": ("留守儿童", ("留守儿童", "是否留守儿童")),
    "is_disabled": ("残疾儿童", ("残疾儿童", "是否残疾儿童", "是否残疾")),
    "is_financial_hardship": (
        "家庭经济困难",
        ("家庭经济困难", "是否家庭经济困难", "家庭经济困难学生", "经济困难", "困难学生"),
    ),
}
REQUIRED_COLUMNS = ("student_number", "name", "gender", "school_class", "mobile")
FLAG_FIELDS = (
    "is_boarder",
    "is_migrant_child",
    "is_left_behind",
    "is_disabled",
    "is_financial_hardship",
)
STUDENT_FIELDS = ("name", "gender", "birth_date", "id_number", *FLAG_FIELDS)

_ALIAS_TO_KEY = {alias: key for key, (_label, aliases) in COLUMNS.items() for alias in aliases}
_HEADER_SCAN_ROWS = 10


def _header_key(raw: Any) -> str | None:
    """Map a header cell to a field key: ignores spaces, line breaks, a
    required-marker ``*`` and a parenthesised note such as 联系电话（手机）."""
    if raw is None:
        return None
    text = re.sub(r"[\s*＊:：]", "", str(raw))
    if text in _ALIAS_TO_KEY:
        return _ALIAS_TO_KEY[text]
    text = re.sub(r"[（(].*?[)）]", "", text)
    return _ALIAS_TO_KEY.get(text)


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


class RosterFileError(ValueError):
    """The file cannot be read at all (wrong type, corrupt, no header)."""


ALLOWED_EXTENSIONS = (".xlsx", ".csv")


def _decode_csv(content: bytes) -> str:
    """UTF-8 (BOM or not) if it decodes as such, else GB18030 (a superset of GBK)."""
    if b"\x00" in content:
        # Text files have no NUL bytes; a program or image renamed to .csv does.
        raise RosterFileError(
            "文件不是文本格式的 CSV（可能是改了扩展名的其他文件），"
            "请在 Excel 中另存为 UTF-8 或 GBK 编码的 CSV 文件"
        )
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise RosterFileError(
                "文件以 UTF-8 标记开头，但内容不是 UTF-8 文本，请重新另存为 CSV 文件"
            ) from None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise RosterFileError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件") from None


def _limits() -> dict[str, int]:
    from django.conf import settings

    return {
        "rows": settings.ROSTER_MAX_ROWS,
        "columns": settings.ROSTER_MAX_COLUMNS,
        "cell": settings.ROSTER_MAX_CELL_CHARS,
        "unpacked": settings.ROSTER_MAX_UNPACKED_BYTES,
        "ratio": settings.ROSTER_MAX_COMPRESSION_RATIO,
    }


# Members this small are never refused for their compression ratio: an empty
# styles.xml compresses 50-fold and holds nothing.
_RATIO_FLOOR_BYTES = 1024 * 1024


def _check_zip(content: bytes, limits: dict[str, int]) -> None:
    """Refuse a .xlsx whose members would unpack too large (a zip bomb)
    before openpyxl opens it: each member's and the total uncompressed size
    (``ROSTER_MAX_UNPACKED_BYTES``) and each member's compression ratio
    (``ROSTER_MAX_COMPRESSION_RATIO``), as the zip directory declares them;
    the reader below never reads more than declared."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise RosterFileError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏") from exc
    total = 0
    limit_mb = limits["unpacked"] / 1024 / 1024
    for member in archive.infolist():
        total += member.file_size
        if member.file_size > limits["unpacked"] or total > limits["unpacked"]:
            raise RosterFileError(
                f"该 Excel 文件解压后超过 {limit_mb:.0f} MB 的上限，"
                "不像是学生名册；请删除多余的工作表和内容后另存再上传"
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR_BYTES and ratio > limits["ratio"]:
            raise RosterFileError(
                f"该 Excel 文件的压缩比超过 {limits['ratio']} 倍的上限（可能是恶意文件），"
                "请在 Excel 中重新另存为 .xlsx 后再上传"
            )


def _too_many_rows(limits: dict[str, int]) -> RosterFileError:
    return RosterFileError(f"名册超过 {limits['rows']} 行的上限，请按年级拆分成几个文件分别导入")


def _too_many_columns(limits: dict[str, int]) -> RosterFileError:
    return RosterFileError(f"名册超过 {limits['columns']} 列的上限，请只保留名册模板中的列后再上传")


def _bounded_rows(rows, limits: dict[str, int]) -> list[list[Any]]:
    """``rows`` (an iterator of cell sequences, read as it goes) as lists,
    refused at the first row past ``ROSTER_MAX_ROWS`` (title and header rows
    included, blank rows not counted), the first cell past
    ``ROSTER_MAX_COLUMNS`` or longer than ``ROSTER_MAX_CELL_CHARS``.
    Trailing blank cells are dropped, so a sheet padded to 16,384 columns
    costs nothing."""
    out: list[list[Any]] = []
    filled = 0
    for number, row in enumerate(rows, 1):
        cells = list(row)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if not cells:
            out.append(cells)
            continue
        filled += 1
        if filled > limits["rows"]:
            raise _too_many_rows(limits)
        if len(cells) > limits["columns"]:
            raise _too_many_columns(limits)
        for value in cells:
            if isinstance(value, str) and len(value) > limits["cell"]:
                raise RosterFileError(
                    f"第{number}行有超过 {limits['cell']} 个字的单元格，超过上限；"
                    "名册的单元格只应填写姓名、班级、号码等短内容"
                )
        out.append(cells)
    # Blank rows at the end (a sheet "used" down to row 1,048,576) are dropped.
    while out and not out[-1]:
        out.pop()
    return out


def read_table(*, filename: str, content: bytes) -> list[list[Any]]:
    """All rows of the first worksheet (xlsx) or the CSV file, as lists of
    cell values without trailing blank cells; list index + 1 is the row
    number Excel shows.

    Bounded before and while reading (settings ``ROSTER_MAX_ROWS``,
    ``ROSTER_MAX_COLUMNS``, ``ROSTER_MAX_CELL_CHARS``,
    ``ROSTER_MAX_UNPACKED_BYTES``, ``ROSTER_MAX_COMPRESSION_RATIO``, values a
    real school's roster never reaches): the .xlsx's zip members, its declared
    sheet dimension, then every row as openpyxl streams it (read-only mode)
    or the csv module reads it. Raises ``RosterFileError`` naming the limit.
    """
    limits = _limits()
    ext = PurePath(filename).suffix.lower()
    if ext == ".csv":
        text = _decode_csv(content)
        try:
            return _bounded_rows(csv.reader(io.StringIO(text, newline="")), limits)
        except csv.Error as exc:  # a cell over the csv module's size limit, a bad quote
            raise RosterFileError(
                "无法读取该 CSV 文件，请在 Excel 中重新另存为 CSV 后再上传"
            ) from exc
    if ext == ".xlsx":
        from openpyxl import load_workbook

        _check_zip(content, limits)
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for corrupt files
            raise RosterFileError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏") from exc
        try:
            sheet = workbook.worksheets[0]
            _check_declared_dimension(sheet, limits)
            # Do not trust the declared size for padding: read what is there.
            sheet.reset_dimensions()
            return _bounded_rows(sheet.iter_rows(values_only=True), limits)
        except RosterFileError:
            raise
        except Exception as exc:  # a sheet that opens but cannot be read through
            raise RosterFileError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏") from exc
        finally:
            workbook.close()
    raise RosterFileError("只能导入 .xlsx 或 .csv 文件")


def _check_declared_dimension(sheet, limits: dict[str, int]) -> None:
    """Refuse a sheet whose ``<dimension ref=...>`` claims more rows or
    columns than a roster has (``A1:XFD1048576`` from a 5 KB file)."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > limits["rows"] + _HEADER_SCAN_ROWS:
        raise _too_many_rows(limits)
    if columns > limits["columns"]:
        raise _too_many_columns(limits)


# ---------------------------------------------------------------------------
# Parsing and checking rows
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One fault in the file; ``row`` as Excel shows it (0 = the file as a whole)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        if not self.column:
            return f"第{self.row}行：{self.message}"
        return f"第{self.row}行「{self.column}」：{self.message}"


@dataclass
class RosterRow:
    """One student row, values cleaned; ``raw`` keeps the cells as typed."""

    row: int
    raw: dict[str, str]
    student_number: str = ""
    name: str = ""
    gender: str = ""
    birth_date: datetime.date | None = None
    id_number: str = ""
    grade: int | None = None
    class_number: int | None = None
    seat: int | None = None  # 班内学号 → Student.class_number
    guardian_name: str = ""
    relation: str = ""
    mobile: str = ""
    is_boarder: bool = False
    is_migrant_child: bool = False
    is_left_behind: bool = False
    is_disabled: bool = False
    is_financial_hardship: bool = False
    problems: list[Problem] = field(default_factory=list)

    def add_problem(self, key: str, message: str) -> None:
        """Note a fault in column ``key`` (a ``COLUMNS`` key) of this row."""
        self.problems.append(Problem(self.row, COLUMNS[key][0], message))

    @property
    def guardian_display_name(self) -> str:
        """The guardian's name, or "<student>家长" when the file gives none."""
        return self.guardian_name or f"{self.name}家长"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_student_number(self) -> str:
        """全国学籍号 is often "G" + the ID number: mask that part the same way."""
        return mask_student_number(self.student_number or self.raw.get("student_number", ""))

    @property
    def priority_labels(self) -> list[str]:
        return [COLUMNS[key][0] for key in Student.PRIORITY_FIELDS if getattr(self, key)]

    @property
    def class_name(self) -> str:
        if self.grade and self.class_number:
            return f"{GRADE_NAMES[self.grade]}（{self.class_number}）班"
        return self.raw.get("school_class", "")


@dataclass
class ParsedRoster:
    """The result of ``roster_parse``: header found, rows, all problems."""

    columns: list[str]
    rows: list[RosterRow]
    problems: list[Problem]

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def column_labels(self) -> list[str]:
        return [COLUMNS[key][0] for key in self.columns]


def _find_header(table: Sequence[Sequence[Any]]) -> tuple[int, dict[int, str]]:
    """(index of the header row, {cell index: field key}). The header is the
    first of the top rows that names at least three known columns."""
    for index, cells in enumerate(table[:_HEADER_SCAN_ROWS]):
        mapping: dict[int, str] = {}
        for position, cell in enumerate(cells):
            key = _header_key(cell)
            if key and key not in mapping.values():
                mapping[position] = key
        if len(mapping) >= 3:
            return index, mapping
    raise RosterFileError(
        f"未找到表头：前{_HEADER_SCAN_ROWS}行中没有「学籍号」「姓名」「班级」等列名"
    )


def _check_row(row: RosterRow, values: dict[str, Any]) -> None:
    """Clean ``row.raw`` (cells as text; ``values`` as read, for date and
    number cells) into the typed fields, appending a Problem per fault."""
    for key in REQUIRED_COLUMNS:
        if not row.raw.get(key):
            row.add_problem(key, "不能为空")
    _check_student(row)
    _check_birth_and_id(row, values)
    _check_class_and_guardian(row)
    for key in FLAG_FIELDS:
        value = parse_flag(values.get(key))
        if value is None:
            row.add_problem(key, f"「{row.raw[key]}」无法识别，应填“是”或“否”")
        else:
            setattr(row, key, value)


def _check_student(row: RosterRow) -> None:
    """学籍号, 姓名 and 性别."""
    raw = row.raw
    row.student_number = re.sub(r"\s+", "", raw.get("student_number", "")).upper()
    if len(row.student_number) > 30:
        row.add_problem("student_number", "学籍号过长（最多30个字符）")

    row.name = re.sub(r"\s+", "", raw.get("name", ""))
    if len(row.name) > 50:
        row.add_problem("name", "姓名过长（最多50个字）")

    seat = raw.get("seat", "")
    if seat:
        if seat.isdigit() and 1 <= int(seat) <= 999:
            row.seat = int(seat)
        else:
            row.add_problem("seat", f"班内学号「{seat}」应为 1–999 的数字")

    gender = raw.get("gender", "").lower()
    if gender:
        if gender in GENDERS:
            row.gender = GENDERS[gender]
        else:
            row.add_problem("gender", f"性别「{raw['gender']}」无法识别，应填“男”或“女”")


def _check_birth_and_id(row: RosterRow, values: dict[str, Any]) -> None:
    """出生日期 and 身份证号, which must agree on the birth date (a blank
    出生日期 is taken from the ID number)."""
    raw = row.raw
    birth_raw = raw.get("birth_date", "")
    if birth_raw:
        row.birth_date = parse_date(values.get("birth_date"))
        if row.birth_date is None:
            row.add_problem("birth_date", f"日期「{birth_raw}」无法识别，应如 2016-06-16")

    id_value = values.get("id_number")
    if isinstance(id_value, float | int) and not isinstance(id_value, bool) and raw["id_number"]:
        row.add_problem(
            "id_number", "身份证号被存成了数字，末几位可能已丢失；请把该列设为文本后重新填写"
        )
    elif raw.get("id_number"):
        row.id_number = normalize_id_number(raw["id_number"])
        why = id_number_problem(row.id_number)
        if why:
            row.add_problem("id_number", why)
        else:
            embedded = id_number_birth_date(row.id_number)
            if row.birth_date is None and not birth_raw:
                row.birth_date = embedded
            elif row.birth_date is not None and row.birth_date != embedded:
                row.add_problem(
                    "id_number",
                    f"身份证号中的出生日期（{embedded:%Y-%m-%d}）与「出生日期」"
                    f"（{row.birth_date:%Y-%m-%d}）不一致",
                )


def _check_class_and_guardian(row: RosterRow) -> None:
    """班级, 联系电话, 家长姓名 and 与学生关系."""
    raw = row.raw
    if raw.get("school_class"):
        parsed = parse_class_name(raw["school_class"])
        if parsed is None:
            row.add_problem(
                "school_class", f"班级「{raw['school_class']}」无法识别，应如 三年级（2）班"
            )
        else:
            row.grade, row.class_number = parsed

    if raw.get("mobile"):
        mobile = normalize_mobile(raw["mobile"])
        if mobile is None:
            row.add_problem("mobile", f"手机号「{raw['mobile']}」不正确，应为1开头的11位手机号")
        else:
            row.mobile = mobile

    row.guardian_name = re.sub(r"\s+", "", raw.get("guardian_name", ""))
    if len(row.guardian_name) > 50:
        row.add_problem("guardian_name", "家长姓名过长（最多50个字）")
    row.relation = raw.get("relation", "")
    if len(row.relation) > 20:
        row.add_problem("relation", "关系过长（最多20个字）")


def roster_parse(*, filename: str, content: bytes) -> ParsedRoster:
    """Read and check a roster file; never writes.

    ``filename`` decides the format (.xlsx or .csv); ``content`` is the file's
    bytes. Returns a ParsedRoster whose ``problems`` hold one line per fault
    (missing required column, bad cell, duplicate 学籍号 or 身份证号), the
    row numbered as Excel shows it (title and header rows counted).
    Raises ``RosterFileError`` if the file cannot be read at all.
    """
    table = read_table(filename=filename, content=content)
    header_index, mapping = _find_header(table)
    columns = list(mapping.values())
    problems: list[Problem] = []
    missing = [COLUMNS[key][0] for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        problems.append(
            Problem(header_index + 1, "", "缺少必需的列：" + "、".join(f"「{m}」" for m in missing))
        )
        return ParsedRoster(columns=columns, rows=[], problems=problems)

    rows: list[RosterRow] = []
    first_row_of_number: dict[str, int] = {}
    first_row_of_id: dict[str, int] = {}
    for index in range(header_index + 1, len(table)):
        cells = table[index]
        values = {key: cells[pos] if pos < len(cells) else None for pos, key in mapping.items()}
        raw = {key: cell_text(value) for key, value in values.items()}
        if not any(raw.values()):
            continue  # blank rows are skipped
        row = RosterRow(row=index + 1, raw=raw)
        _check_row(row, values)
        if row.student_number:
            first = first_row_of_number.setdefault(row.student_number, row.row)
            if first != row.row:
                row.problems.append(Problem(row.row, "学籍号", f"学籍号与第{first}行重复"))
        if row.id_number and not any(p.column == "身份证号" for p in row.problems):
            first = first_row_of_id.setdefault(row.id_number, row.row)
            if first != row.row:
                row.problems.append(Problem(row.row, "身份证号", f"身份证号与第{first}行重复"))
        rows.append(row)
        problems.extend(row.problems)
    if not rows:
        problems.append(Problem(0, "", "文件中没有学生数据"))
    return ParsedRoster(columns=columns, rows=rows, problems=problems)
