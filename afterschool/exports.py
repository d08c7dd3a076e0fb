"""Spreadsheet exports write text as text: the one helper against formula injection.

A name, reason or note typed by a parent or teacher can start with ``=``,
``+``, ``-``, ``@`` (or a tab / carriage return, or their full-width forms);
Excel and WPS would run ``=HYPERLINK("http://…","点我")`` as a live formula
when the school opens the export (OWASP "CSV injection"). **Every** export
goes through this module:

- ``.csv``: :func:`csv_writer` (a ``csv.writer`` whose rows pass
  :func:`safe_cell`, which puts a ``'`` before such text, as OWASP advises;
  numbers, dates and Decimals are left alone so money columns stay numbers);
- ``.xlsx`` built with openpyxl: :func:`xlsx_cell` (write-only sheets) or
  :func:`xlsx_set` (normal sheets): strings are stored as string cells, never
  formulas, so the text reads exactly as typed;
- ``.xlsx`` from another library (tablib / django-tables2's export):
  :func:`xlsx_as_text` rewrites every formula cell of the file as text.

Adding an export? Use one of these and add it to the export walk in
tests/ops/test_exports.py (it finds ``?format=`` / ``?_export=`` downloads on
every page by itself).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

# What makes Excel, WPS or LibreOffice read a cell as a formula (or start
# one after a tab/CR), in ASCII and full width.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet would take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def safe_cell(value: Any) -> Any:
    """``value`` for a CSV cell: text that would be a formula gets a leading
    ``'`` (``"=1+1"`` → ``"'=1+1"``); everything else (numbers, dates,
    ``Decimal``, ``None``, ordinary text) is returned unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]):
        for row in rows:
            self.writerow(row)


def csv_writer(stream: io.TextIOBase, **kwargs) -> _SafeWriter:
    """``csv.writer(stream, **kwargs)`` whose ``writerow``/``writerows`` pass
    every cell through :func:`safe_cell`."""
    return _SafeWriter(csv.writer(stream, **kwargs))


def xlsx_set(cell, value: Any):
    """Set an openpyxl ``cell`` to ``value``; text is stored as a string cell
    even when it starts with ``=`` (openpyxl would store a formula). Returns
    the cell."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def xlsx_cell(sheet, value: Any):
    """A ``WriteOnlyCell`` of write-only ``sheet`` holding ``value``, text as
    text (see :func:`xlsx_set`)."""
    from openpyxl.cell import WriteOnlyCell

    return xlsx_set(WriteOnlyCell(sheet, value=None), value)


def xlsx_row(sheet, values: Iterable[Any]) -> list:
    """One row of :func:`xlsx_cell` cells for ``sheet.append``."""
    return [xlsx_cell(sheet, v) for v in values]


def xlsx_as_text(data: bytes) -> bytes:
    """The .xlsx file ``data`` with every formula cell turned into the same
    text (for files written by libraries that store ``=…`` as a formula)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def content_disposition(filename: str, fallback: str, *, inline: bool = False) -> str:
    """A download's Content-Disposition: the Chinese ``filename`` (what the
    browser saves it as, e.g. 三年级（1）班社团名单.pdf) as RFC 5987
    ``filename*=utf-8''…`` after an ASCII ``fallback`` for clients that
    ignore it. ``inline``: a PDF the browser shows before saving."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=utf-8''{quote(filename)}"
