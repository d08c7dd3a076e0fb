"""Roster import: read a school's student register export, check every row,
write it all or nothing; guardian activation codes and letters.

Issue 2 ("Roster import — the first real input"):

- ``roster_parse(filename=..., content=...)`` reads .xlsx or .csv (UTF-8 with
  or without BOM, or GB18030/GBK as Excel on a Chinese Windows saves it),
  finds the header row below an optional title row, maps the header names
  schools export (aliases below) and checks every row. It never touches the
  database and returns a ``ParsedRoster`` with the clean rows and one Chinese
  ``Problem`` line per fault, numbered as Excel shows the row.
- ``roster_import(*, roster, start_year, school=None, school_name=None,
  dry_run=False)`` writes a parsed roster in one transaction with a constant
  number of queries (bulk create/update), updating students in place by
  学籍号 and matching guardians by mobile within the school. ``dry_run``
  runs the very same code and rolls back, so the preview's counts are exact.
- ``activation_letters_issue`` / ``activation_letters_pdf`` issue fresh
  one-time codes for a class's guardians who have not activated yet and
  render 致家长的一封信, one A4 page per guardian.
- ``guardian_activate`` checks mobile + code and sets the password.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from afterschool.idnumbers import (
    id_number_birth_date,
    id_number_problem,
    mask_id_number,
    normalize_id_number,
    normalize_mobile,
)
from afterschool.models import (
    GRADE_NAMES,
    ActivationCode,
    Gender,
    Guardian,
    Guardianship,
    Role,
    RosterUpload,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Term,
    User,
)

# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------

#: field key -> (column label used in messages, header names schools export)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "seq": ("序号", ("序号", "编号")),
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
# Cell values
# ---------------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_JUNIOR = {"一": 7, "二": 8, "三": 9, "1": 7, "2": 8, "3": 9}
_FULLWIDTH = str.maketrans("（）０１２３４５６７８９－．", "()0123456789-.")
_CLASS_RE = re.compile(
    r"""^(?:(?P<junior>初[一二三123])|(?P<grade>[一二三四五六七八九1-9]))
        (?:年级|年)?
        (?:\((?P<n1>[0-9一二三四五六七八九十]+)\)|[-.]?(?P<n2>[0-9一二三四五六七八九十]+))
        班?$""",
    re.VERBOSE,
)


def _cn_number(text: str) -> int | None:
    """'3' -> 3, '三' -> 3, '十二' -> 12; None if not a number."""
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        tens_value = _CN_DIGITS.get(tens, 0) if tens else 1
        ones_value = _CN_DIGITS.get(ones, 0) if ones else 0
        if (tens and not tens_value) or (ones and not ones_value):
            return None
        return tens_value * 10 + ones_value
    return _CN_DIGITS.get(text) if len(text) == 1 else None


def parse_class_name(raw: str) -> tuple[int, int] | None:
    """A class name in any common form -> (grade 1–9, number), else None.

    三年级（2）班, 三年级(2)班, 三(2)班, 3年级2班, 七年级3班, 初一(3)班
    (junior middle school year 1 = grade 7), 3-2班. The number needs a
    separator (年级, brackets, - or .) so 312班 is not guessed at.
    """
    text = re.sub(r"\s+", "", str(raw or "")).translate(_FULLWIDTH)
    match = _CLASS_RE.match(text)
    if not match:
        return None
    if match["junior"]:
        grade = _JUNIOR[match["junior"][1]]
    else:
        grade = _cn_number(match["grade"])
        # Without 年级/年 a bare digit pair like "32" is ambiguous.
        if match["n2"] and not re.search(r"年|-|\.", text):
            return None
    number = _cn_number(match["n1"] or match["n2"])
    if not grade or not number or not 1 <= grade <= 9:
        return None
    return grade, number


def _text(value: Any) -> str:
    """A cell as text: numbers Excel stored as 2024001.0 lose the '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(value: Any) -> datetime.date | None:
    """2016-06-16, 2016/6/16, 2016.6.16, 2016年6月16日, 20160616, a date cell
    or an Excel serial number -> date; None if it is none of these."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if 1 <= number <= 80000 and number == value:
            return _EXCEL_EPOCH + datetime.timedelta(days=number)
    text = re.sub(r"\s+", "", _text(value))
    text = re.sub(r"(?:T|00:00:00).*$", "", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


_YES = {"是", "y", "yes", "1", "√", "✓", "✔", "true", "有"}
_NO = {"否", "n", "no", "0", "", "×", "false", "无", "不是"}


def parse_flag(value: Any) -> bool | None:
    """是/否, Y/N, 1/0, √/blank -> bool; None if unrecognised."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


_GENDERS = {"男": Gender.MALE, "男性": Gender.MALE, "m": Gender.MALE}
_GENDERS |= {"女": Gender.FEMALE, "女性": Gender.FEMALE, "f": Gender.FEMALE}


def mask_student_number(number: str) -> str:
    """Mask an ID number embedded at the end of a 学籍号 (G130925********5018);
    other student numbers are shown as they are."""
    tail = normalize_id_number(number[-18:]) if len(number) >= 18 else ""
    if tail and id_number_problem(tail) is None:
        return number[:-18] + mask_id_number(tail)
    return number


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


def read_table(*, filename: str, content: bytes) -> list[list[Any]]:
    """All rows of the first worksheet (xlsx) or the CSV file, as lists of
    cell values; list index + 1 is the row number Excel shows."""
    ext = PurePath(filename).suffix.lower()
    if ext == ".csv":
        text = _decode_csv(content)
        try:
            return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as exc:  # a cell over the csv module's size limit, a bad quote
            raise RosterFileError(
                "无法读取该 CSV 文件，请在 Excel 中重新另存为 CSV 后再上传"
            ) from exc
    if ext == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for corrupt files
            raise RosterFileError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏") from exc
        try:
            sheet = workbook.worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # a sheet that opens but cannot be read through
            raise RosterFileError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏") from exc
        finally:
            workbook.close()
    raise RosterFileError("只能导入 .xlsx 或 .csv 文件")


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
    guardian_name: str = ""
    relation: str = ""
    mobile: str = ""
    is_boarder: bool = False
    is_migrant_child: bool = False
    is_left_behind: bool = False
    is_disabled: bool = False
    is_financial_hardship: bool = False
    problems: list[Problem] = field(default_factory=list)

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
    raw = row.raw

    def problem(key: str, message: str) -> None:
        row.problems.append(Problem(row.row, COLUMNS[key][0], message))

    for key in REQUIRED_COLUMNS:
        if not raw.get(key):
            problem(key, "不能为空")

    row.student_number = re.sub(r"\s+", "", raw.get("student_number", "")).upper()
    if len(row.student_number) > 30:
        problem("student_number", "学籍号过长（最多30个字符）")

    row.name = re.sub(r"\s+", "", raw.get("name", ""))
    if len(row.name) > 50:
        problem("name", "姓名过长（最多50个字）")

    gender = raw.get("gender", "").lower()
    if gender:
        if gender in _GENDERS:
            row.gender = _GENDERS[gender]
        else:
            problem("gender", f"性别「{raw['gender']}」无法识别，应填“男”或“女”")

    birth_raw = raw.get("birth_date", "")
    if birth_raw:
        row.birth_date = parse_date(values.get("birth_date"))
        if row.birth_date is None:
            problem("birth_date", f"日期「{birth_raw}」无法识别，应如 2016-06-16")

    id_value = values.get("id_number")
    if isinstance(id_value, float | int) and not isinstance(id_value, bool) and raw["id_number"]:
        problem("id_number", "身份证号被存成了数字，末几位可能已丢失；请把该列设为文本后重新填写")
    elif raw.get("id_number"):
        row.id_number = normalize_id_number(raw["id_number"])
        why = id_number_problem(row.id_number)
        if why:
            problem("id_number", why)
        else:
            embedded = id_number_birth_date(row.id_number)
            if row.birth_date is None and not birth_raw:
                row.birth_date = embedded
            elif row.birth_date is not None and row.birth_date != embedded:
                problem(
                    "id_number",
                    f"身份证号中的出生日期（{embedded:%Y-%m-%d}）与「出生日期」"
                    f"（{row.birth_date:%Y-%m-%d}）不一致",
                )

    if raw.get("school_class"):
        parsed = parse_class_name(raw["school_class"])
        if parsed is None:
            problem("school_class", f"班级「{raw['school_class']}」无法识别，应如 三年级（2）班")
        else:
            row.grade, row.class_number = parsed

    if raw.get("mobile"):
        mobile = normalize_mobile(raw["mobile"])
        if mobile is None:
            problem("mobile", f"手机号「{raw['mobile']}」不正确，应为1开头的11位手机号")
        else:
            row.mobile = mobile

    row.guardian_name = re.sub(r"\s+", "", raw.get("guardian_name", ""))
    if len(row.guardian_name) > 50:
        problem("guardian_name", "家长姓名过长（最多50个字）")
    row.relation = raw.get("relation", "")
    if len(row.relation) > 20:
        problem("relation", "关系过长（最多20个字）")

    for key in FLAG_FIELDS:
        value = parse_flag(values.get(key))
        if value is None:
            problem(key, f"「{raw[key]}」无法识别，应填“是”或“否”")
        else:
            setattr(row, key, value)


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
        raw = {key: _text(value) for key, value in values.items()}
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


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


class RosterInvalid(ValidationError):
    """The roster has problems; nothing was written. ``problems`` lists them."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__([str(p) for p in self.problems])


@dataclass
class ImportSummary:
    """Counts of what an import created or changed (or would, on a dry run)."""

    school: str = ""
    start_year: int = 0
    dry_run: bool = False
    schools_created: int = 0
    school_years_created: int = 0
    classes_created: int = 0
    students_created: int = 0
    students_updated: int = 0
    students_moved: int = 0
    students_unchanged: int = 0
    guardians_created: int = 0
    guardians_updated: int = 0
    users_created: int = 0
    guardianships_created: int = 0
    guardianships_updated: int = 0
    class_ids: list[int] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return any(
            getattr(self, name)
            for name in (
                "schools_created",
                "school_years_created",
                "classes_created",
                "students_created",
                "students_updated",
                "guardians_created",
                "guardians_updated",
                "users_created",
                "guardianships_created",
                "guardianships_updated",
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def lines(self) -> list[str]:
        """The summary in Chinese, one line per kind."""
        verb = "将" if self.dry_run else ""
        return [
            f"学校：{self.school}（{self.start_year}—{self.start_year + 1}学年）"
            + ("，新建学校" if self.schools_created else "")
            + ("，新建学年" if self.school_years_created else ""),
            f"班级：{verb}新建 {self.classes_created} 个",
            f"学生：{verb}新建 {self.students_created} 名，{verb}更新 {self.students_updated} 名"
            f"（其中调班 {self.students_moved} 名），未变 {self.students_unchanged} 名",
            f"家长：{verb}新建 {self.guardians_created} 名，{verb}更新 {self.guardians_updated} 名",
            f"家长登录账号：{verb}新建 {self.users_created} 个（待激活）",
            f"监护关系：{verb}新建 {self.guardianships_created} 条，"
            f"{verb}更新 {self.guardianships_updated} 条",
        ]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportSummary:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class _DryRunRollback(Exception):
    pass


def roster_import(
    *,
    roster: ParsedRoster,
    start_year: int,
    school: School | None = None,
    school_name: str = "",
    dry_run: bool = False,
) -> ImportSummary:
    """Write a checked roster, all or nothing, in one transaction.

    ``school`` or ``school_name`` (created if missing); ``start_year`` is the
    September the school year starts (2024 = 2024—2025学年, created if
    missing). Classes are created as needed; students are created or updated
    in place by 学籍号 (a changed class moves them); guardians are matched by
    mobile within the school, so siblings share one Guardian and one login
    User (username = mobile, role guardian, unusable password until the
    activation code is used). Existing guardian links are kept; the file adds
    or updates them. Students of the school missing from the file are left
    alone (a file may hold one grade only).

    ``dry_run`` runs the same writes and rolls them back, returning the
    counts an import would produce. Raises ``RosterInvalid`` (nothing
    written) if ``roster`` has problems or a mobile belongs to a staff login.
    Queries are constant in the number of rows (about 20).
    """
    if roster.problems:
        raise RosterInvalid(roster.problems)
    summary = ImportSummary(start_year=start_year, dry_run=dry_run)
    try:
        with transaction.atomic():
            _import(
                roster=roster,
                start_year=start_year,
                school=school,
                name=school_name,
                summary=summary,
            )
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return summary


def _import(
    *,
    roster: ParsedRoster,
    start_year: int,
    school: School | None,
    name: str,
    summary: ImportSummary,
) -> None:
    if school is None:
        school, created = School.objects.get_or_create(name=name.strip())
        summary.schools_created = int(created)
    summary.school = school.name
    year, created = SchoolYear.objects.get_or_create(school=school, start_year=start_year)
    summary.school_years_created = int(created)

    # Classes: one query to read, one bulk insert for the new ones.
    classes = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school_year=year)}
    wanted = {(r.grade, r.class_number) for r in roster.rows}
    new_classes = [
        SchoolClass(school=school, school_year=year, grade=g, number=n)
        for (g, n) in sorted(wanted - classes.keys())
    ]
    if new_classes:
        SchoolClass.objects.bulk_create(new_classes)
        classes = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school_year=year)}
    summary.classes_created = len(new_classes)
    summary.class_ids = sorted(classes[key].pk for key in wanted)

    # Guardian logins: username = mobile. A staff login with that username
    # cannot double as a guardian's.
    first_row_of_mobile: dict[str, RosterRow] = {}
    for row in roster.rows:
        first_row_of_mobile.setdefault(row.mobile, row)
    users = {u.username: u for u in User.objects.filter(username__in=first_row_of_mobile)}
    clashes = [
        Problem(row.row, "联系电话", "该手机号已是教职工的登录账号，不能作为家长手机号")
        for mobile, row in first_row_of_mobile.items()
        if mobile in users and users[mobile].role != Role.GUARDIAN
    ]
    if clashes:
        raise RosterInvalid(sorted(clashes, key=lambda p: p.row))
    new_users = [
        User(
            username=mobile,
            mobile=mobile,
            name=row.guardian_display_name,
            role=Role.GUARDIAN,
            password=make_password(None),
        )
        for mobile, row in first_row_of_mobile.items()
        if mobile not in users
    ]
    if new_users:
        User.objects.bulk_create(new_users)
        users = {u.username: u for u in User.objects.filter(username__in=first_row_of_mobile)}
        group, _created = Group.objects.get_or_create(name=str(Role.GUARDIAN.label))
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=users[u.username].pk, group_id=group.pk) for u in new_users],
            ignore_conflicts=True,
        )
    summary.users_created = len(new_users)
    # Keep the login's display name in step with the guardian's name.
    renamed_users = []
    for mobile, row in first_row_of_mobile.items():
        user = users[mobile]
        guardian_name = row.guardian_display_name
        if user.name != guardian_name:
            user.name = guardian_name
            renamed_users.append(user)
    if renamed_users:
        User.objects.bulk_update(renamed_users, ["name"])

    # Guardians of this school, matched by mobile.
    guardians = {
        g.mobile: g for g in Guardian.objects.filter(school=school, mobile__in=first_row_of_mobile)
    }
    new_guardians = []
    changed_guardians = []
    for mobile, row in first_row_of_mobile.items():
        guardian_name = row.guardian_display_name
        guardian = guardians.get(mobile)
        if guardian is None:
            new_guardians.append(
                Guardian(school=school, name=guardian_name, mobile=mobile, user=users[mobile])
            )
        elif guardian.name != guardian_name or guardian.user_id is None:
            guardian.name = guardian_name
            guardian.user = guardian.user or users[mobile]
            changed_guardians.append(guardian)
    if new_guardians:
        Guardian.objects.bulk_create(new_guardians)
    if changed_guardians:
        Guardian.objects.bulk_update(changed_guardians, ["name", "user"])
    if new_guardians:
        guardians = {
            g.mobile: g
            for g in Guardian.objects.filter(school=school, mobile__in=first_row_of_mobile)
        }
    summary.guardians_created = len(new_guardians)
    summary.guardians_updated = len(changed_guardians)

    # Students, updated in place by 学籍号.
    numbers = [r.student_number for r in roster.rows]
    students = {
        s.student_number: s
        for s in Student.objects.filter(school=school, student_number__in=numbers)
    }
    new_students = []
    changed_students = []
    for row in roster.rows:
        school_class = classes[(row.grade, row.class_number)]
        values = {field_name: getattr(row, field_name) for field_name in STUDENT_FIELDS}
        student = students.get(row.student_number)
        if student is None:
            new_students.append(
                Student(
                    school=school,
                    student_number=row.student_number,
                    school_class=school_class,
                    **values,
                )
            )
            continue
        changed = [k for k, v in values.items() if getattr(student, k) != v]
        if student.school_class_id != school_class.pk:
            student.school_class = school_class
            summary.students_moved += 1
            changed.append("school_class")
        if changed:
            for key in changed:
                if key != "school_class":
                    setattr(student, key, values[key])
            changed_students.append(student)
    if new_students:
        Student.objects.bulk_create(new_students)
    if changed_students:
        Student.objects.bulk_update(changed_students, ["school_class", *STUDENT_FIELDS])
    summary.students_created = len(new_students)
    summary.students_updated = len(changed_students)
    summary.students_unchanged = len(roster.rows) - len(new_students) - len(changed_students)
    if new_students:
        students = {
            s.student_number: s
            for s in Student.objects.filter(school=school, student_number__in=numbers)
        }

    # Guardianships: (student, guardian) with the relation.
    links = {
        (g.student_id, g.guardian_id): g
        for g in Guardianship.objects.filter(
            student__school=school, student__student_number__in=numbers
        )
    }
    new_links = []
    changed_links = []
    seen: set[tuple[int, int]] = set()
    for row in roster.rows:
        key = (students[row.student_number].pk, guardians[row.mobile].pk)
        if key in seen:
            continue
        seen.add(key)
        link = links.get(key)
        if link is None:
            new_links.append(
                Guardianship(student_id=key[0], guardian_id=key[1], relation=row.relation)
            )
        elif row.relation and link.relation != row.relation:
            link.relation = row.relation
            changed_links.append(link)
    if new_links:
        Guardianship.objects.bulk_create(new_links)
    if changed_links:
        Guardianship.objects.bulk_update(changed_links, ["relation"])
    summary.guardianships_created = len(new_links)
    summary.guardianships_updated = len(changed_links)


# ---------------------------------------------------------------------------
# Uploads kept between preview and confirm (admin page)
# ---------------------------------------------------------------------------


def roster_uploads_for_user(user: User) -> QuerySet[RosterUpload]:
    """Uploads of the admin's own school; nothing for anyone else."""
    if not user.is_authenticated or not user.is_school_admin:
        return RosterUpload.objects.none()
    return RosterUpload.objects.filter(school_id=user.school_id)


def get_roster_upload_for_user(user: User, pk: int) -> RosterUpload:
    """The upload ``pk`` if it belongs to ``user``'s school (admin), else Http404."""
    try:
        return roster_uploads_for_user(user).get(pk=pk)
    except RosterUpload.DoesNotExist:
        raise Http404 from None


def roster_upload_create(
    *, school: School, by: User, filename: str, content: bytes, start_year: int
) -> RosterUpload:
    """Keep an uploaded file for preview; checks the extension, the size
    limit ``settings.ROSTER_UPLOAD_MAX_BYTES`` and that the content can be
    read as such a file (raises ValidationError with the reason; nothing is
    written then)."""
    if PurePath(filename).suffix.lower() not in ALLOWED_EXTENSIONS:
        raise ValidationError("只能上传 .xlsx 或 .csv 文件", code="extension")
    limit = settings.ROSTER_UPLOAD_MAX_BYTES
    if len(content) > limit:
        size_mb, limit_mb = len(content) / 1024 / 1024, limit / 1024 / 1024
        raise ValidationError(
            f"文件过大（{size_mb:.1f} MB），不能超过 {limit_mb:.0f} MB",
            code="size",
        )
    try:
        # A file renamed from .exe or .txt, a damaged one, or one without the
        # roster's header row is refused here with the reason, instead of
        # being kept for a preview that cannot work. Faults in rows are for
        # the preview to show.
        roster_parse(filename=filename, content=content)
    except RosterFileError as exc:
        raise ValidationError(str(exc), code="unreadable") from None
    return RosterUpload.objects.create(
        school=school,
        uploaded_by=by,
        filename=PurePath(filename).name[:200],
        content=content,
        start_year=start_year,
    )


def roster_upload_confirm(*, upload: RosterUpload) -> tuple[ImportSummary, bool]:
    """Import a previewed upload into its school. Returns (summary, imported):
    ``imported`` is False when the upload had already been confirmed (a
    double submit), in which case nothing is written and the first import's
    summary is returned. Raises RosterInvalid / RosterFileError as the parse
    and import do; then nothing is written and the upload stays unconfirmed.
    """
    with transaction.atomic():
        # The first confirm wins: the conditional update locks the row, so a
        # second request waits and then finds confirmed_at set.
        claimed = RosterUpload.objects.filter(pk=upload.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
        if not claimed:
            upload.refresh_from_db()
            return ImportSummary.from_dict(upload.summary or {}), False
        roster = roster_parse(filename=upload.filename, content=bytes(upload.content))
        summary = roster_import(roster=roster, start_year=upload.start_year, school=upload.school)
        upload.summary = summary.as_dict()
        upload.save(update_fields=["summary"])
        upload.refresh_from_db(fields=["confirmed_at"])
    return summary, True


# ---------------------------------------------------------------------------
# Activation codes and letters
# ---------------------------------------------------------------------------

ACTIVATION_CODE_DAYS = 30
# No 0/O, 1/I/L: the code is read off paper and typed on a phone.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 8


def _code_hash(code: str) -> str:
    # A keyed HMAC, not a password hash: codes are random (about 40 bits),
    # short-lived and single-use, and a class of 45 letters must print fast.
    return salted_hmac("afterschool.activation-code", code.upper(), algorithm="sha256").hexdigest()


def normalize_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw or "").upper()


@dataclass
class LetterPage:
    """One page of 致家长的一封信: a guardian and their children in one class."""

    guardian: Guardian
    students: list[Student]
    relation: str
    code: str | None  # None when the account is already activated
    expires_at: datetime.datetime | None


def activation_letters_issue(
    *, school_class: SchoolClass, days: int = ACTIVATION_CODE_DAYS
) -> list[LetterPage]:
    """Issue fresh one-time codes for the guardians of ``school_class``'s
    students whose login is not activated yet (unusable password), deleting
    their older unused codes from this class's letters (a sibling's letter in
    another class keeps its code), and return one LetterPage per guardian in
    student order. Codes expire after ``days`` days; only their HMAC is
    stored. Guardians already activated get a page without a code.
    """
    now = timezone.now()
    expires_at = now + datetime.timedelta(days=days)
    links = (
        Guardianship.objects.filter(student__school_class=school_class)
        .select_related("guardian__user", "student")
        .order_by("student__student_number", "pk")
    )
    pages: dict[int, LetterPage] = {}
    for link in links:
        page = pages.get(link.guardian_id)
        if page is None:
            page = pages[link.guardian_id] = LetterPage(
                guardian=link.guardian,
                students=[],
                relation=link.relation,
                code=None,
                expires_at=None,
            )
        page.students.append(link.student)
    pending = [
        page
        for page in pages.values()
        if page.guardian.user is not None and not page.guardian.user.has_usable_password()
    ]
    with transaction.atomic():
        user_ids = [page.guardian.user_id for page in pending]
        ActivationCode.objects.filter(
            user_id__in=user_ids, used_at__isnull=True, school_class=school_class
        ).delete()
        codes = []
        for page in pending:
            page.code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
            page.expires_at = expires_at
            codes.append(
                ActivationCode(
                    user_id=page.guardian.user_id,
                    school_class=school_class,
                    code_hash=_code_hash(page.code),
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        ActivationCode.objects.bulk_create(codes)
    return list(pages.values())


def current_term(school: School, school_year: SchoolYear | None = None) -> Term | None:
    """The term running today, else the next one, else the latest one."""
    terms = Term.objects.filter(school=school)
    if school_year is not None:
        terms = terms.filter(school_year=school_year)
    today = timezone.localdate()
    return (
        terms.filter(first_day__lte=today, last_day__gte=today).first()
        or terms.filter(first_day__gt=today).order_by("first_day").first()
        or terms.order_by("-first_day").first()
    )


def _term_times(term: Term | None) -> dict[str, datetime.time]:
    names = (
        "participant_arrival",
        "participant_dismissal",
        "nonparticipant_arrival",
        "nonparticipant_dismissal",
    )
    if term is not None:
        return {n: getattr(term, n) for n in names}
    # No term set up yet: the model's defaults (the seed's times).
    return {n: Term._meta.get_field(n).get_default() for n in names}


def activation_letters_pdf(
    *, school_class: SchoolClass, site_url: str, pages: Iterable[LetterPage] | None = None
) -> bytes:
    """Issue codes (``activation_letters_issue``) and render the class's
    致家长的一封信 as one A4 PDF, one page per guardian. ``site_url`` is the
    address printed for logging in (e.g. https://kfw.example.cn)."""
    from afterschool.pdf import render_pdf

    if pages is None:
        pages = activation_letters_issue(school_class=school_class)
    school = school_class.school
    term = current_term(school, school_class.school_year)
    base = site_url.rstrip("/")
    context = {
        "school": school,
        "school_class": school_class,
        "term": term,
        "times": _term_times(term),
        "fee_cap_per_period": school.fee_cap_per_period,
        "fee_cap_periods_per_day": school.fee_cap_periods_per_day,
        "fee_cap_per_day": school.fee_cap_per_day,
        "pages": list(pages),
        "login_url": f"{base}/login/",
        "activate_url": f"{base}/activate/",
        "today": timezone.localdate(),
    }
    return render_pdf("pdf/activation_letter.html", context)


class ActivationError(ValidationError):
    pass


GENERIC_ACTIVATION_ERROR = "手机号或激活码不正确，请核对激活信上的内容"


def guardian_activate(*, mobile: str, code: str, password: str) -> User:
    """Activate a guardian's login with the code from their letter.

    ``mobile`` is normalised first; ``code`` ignores case, spaces and dashes.
    The code must belong to that mobile's guardian login, be unused and not
    expired; it is then marked used (single use) and ``password`` set (the
    caller has validated it). Raises ActivationError with one generic message
    for an unknown mobile or a wrong code (so the form does not reveal which
    mobiles exist), and a clear message for an expired code.
    """
    normalized = normalize_mobile(mobile) or ""
    code = normalize_code(code)
    wanted = _code_hash(code)
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(username=normalized, role=Role.GUARDIAN, is_active=True)
            .first()
        )
        if user is None:
            raise ActivationError(GENERIC_ACTIVATION_ERROR, code="invalid")
        match = None
        for candidate in ActivationCode.objects.filter(user=user, used_at__isnull=True):
            if constant_time_compare(candidate.code_hash, wanted):
                match = candidate
        if match is None:
            raise ActivationError(GENERIC_ACTIVATION_ERROR, code="invalid")
        now = timezone.now()
        if match.expires_at <= now:
            raise ActivationError("该激活码已过期，请联系班主任重新打印激活信", code="expired")
        # Conditional update: a double submit uses the code once only.
        if not ActivationCode.objects.filter(pk=match.pk, used_at__isnull=True).update(used_at=now):
            raise ActivationError(GENERIC_ACTIVATION_ERROR, code="invalid")
        # The account is active now: a sibling's letter must not reset it later.
        ActivationCode.objects.filter(user=user, used_at__isnull=True).delete()
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def guardian_login_reset(*, guardian: Guardian, days: int = ACTIVATION_CODE_DAYS) -> LetterPage:
    """Reset a guardian's login for staff (forgotten password, lost letter):
    the password becomes unusable, every unused code is voided, a login
    lockout (django-axes) is lifted, and a new one-time code is issued.

    Returns the LetterPage to print (the guardian's children at this school).
    Raises ValidationError when the guardian has no login. Issue 6.
    """
    from axes.utils import reset as axes_reset

    user = guardian.user
    if user is None:
        raise ValidationError(gettext("该家长还没有登录账号，请先导入名册。"))
    user.set_unusable_password()
    user.save(update_fields=["password"])
    ActivationCode.objects.filter(user=user, used_at__isnull=True).delete()
    axes_reset(username=user.username)
    now = timezone.now()
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    expires_at = now + datetime.timedelta(days=days)
    ActivationCode.objects.create(
        user=user, code_hash=_code_hash(code), created_at=now, expires_at=expires_at
    )
    links = list(
        Guardianship.objects.filter(guardian=guardian)
        .select_related("student__school_class")
        .order_by("student__student_number")
    )
    return LetterPage(
        guardian=guardian,
        students=[link.student for link in links],
        relation=links[0].relation if links else "",
        code=code,
        expires_at=expires_at,
    )
