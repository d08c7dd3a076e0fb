"""Roster cell values: class names, dates, yes/no flags and genders as
schools type them in their register exports (DESIGN.md "Roster conventions"),
and the masked 学籍号 shown on every list."""

from __future__ import annotations

import datetime
import re
from typing import Any

from afterschool.idnumbers import id_number_problem, mask_id_number, normalize_id_number
from afterschool.models import Gender

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


def cell_text(value: Any) -> str:
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
    text = re.sub(r"\s+", "", cell_text(value))
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
    text = cell_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


GENDERS = {"男": Gender.MALE, "男性": Gender.MALE, "m": Gender.MALE}
GENDERS |= {"女": Gender.FEMALE, "女性": Gender.FEMALE, "f": Gender.FEMALE}


def mask_student_number(number: str) -> str:
    """Mask an ID number embedded at the end of a 学籍号 (G130925********5018);
    other student numbers are shown as they are."""
    tail = normalize_id_number(number[-18:]) if len(number) >= 18 else ""
    if tail and id_number_problem(tail) is None:
        return number[:-18] + mask_id_number(tail)
    return number
