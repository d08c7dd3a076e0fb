"""Chinese resident ID numbers (GB 11643-1999) and mainland mobile numbers.

Pure functions, no database: used by the roster import, forms and templates.
"""

from __future__ import annotations

import datetime
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(raw: str) -> str:
    """Strip spaces and upper-case a trailing x; does not validate."""
    return re.sub(r"\s+", "", raw or "").upper()


def id_number_problem(id_number: str) -> str | None:
    """Return why an already-normalised 18-character ID number is invalid, or None.

    Checks the shape, the embedded birth date and the GB 11643 check digit.
    Messages are Chinese, for the user.
    """
    if not _ID_RE.match(id_number):
        return "身份证号应为18位（最后一位可为X）"
    if id_number_birth_date(id_number) is None:
        return "身份证号中的出生日期无效"
    if id_check_char(id_number[:17]) != id_number[17]:
        return "身份证号校验位不正确"
    return None


def id_number_birth_date(id_number: str) -> datetime.date | None:
    """The birth date encoded in positions 7–14 (YYYYMMDD), or None if invalid."""
    try:
        return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def mask_id_number(id_number: str) -> str:
    """Show the first 6 and the last 4 characters: 130925********5018."""
    if not id_number:
        return ""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_embedded_id_number(number: str, id_number: str) -> str:
    """A 学籍号 with the student's ID number, when embedded in it ("G" + ID
    number), masked: G130925********5018. Other numbers are shown as they are."""
    if id_number and id_number in number:
        return number.replace(id_number, mask_id_number(id_number))
    return number


def normalize_mobile(raw: str) -> str | None:
    """A mainland mobile as 11 digits, or None if it is not one.

    Strips spaces, dashes and a +86 / 86 / 0086 prefix; the number must match
    1[3-9] followed by 9 digits.
    """
    digits = re.sub(r"[\s\-()（）]", "", str(raw or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if _MOBILE_RE.match(digits) else None
