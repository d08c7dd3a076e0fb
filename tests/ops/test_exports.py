"""Every export writes text as text: no formula from a name or a note.

The walk asks every page of the site for its downloads (``?format=xlsx``,
``?format=csv``, django-tables2's ``?_export=xlsx``/``csv``) as the persona
of school A who reaches it, after giving child X, the class and the guardian
names that are formulas; every .xlsx must have no formula cell and every .csv
no cell a spreadsheet would run. New exports are found without a change here;
they pass when they use ``afterschool.exports``.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from afterschool.exports import (
    csv_writer,
    is_formula_like,
    safe_cell,
    xlsx_as_text,
    xlsx_cell,
)
from tests.ops.test_url_matrix import OWNERS, persona_user
from tests.ops.urlwalk import private_routes, url_for

EVIL = '=HYPERLINK("http://evil.example/","点我")'
DOWNLOADS = ("format=xlsx", "format=csv", "_export=xlsx", "_export=csv")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def formula_cells(response) -> list[str]:
    kind = response.get("Content-Type", "")
    if kind.startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return [
            f"{sheet.title}!{cell.coordinate}={cell.value!r}"
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.data_type == "f"
        ]
    try:
        text = response.content.decode("utf-8-sig")
    except UnicodeDecodeError:  # the payment platform's 缴费清单 is GB18030
        text = response.content.decode("gb18030")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if is_formula_like(cell)]


def test_every_export_writes_formulas_as_text(world, samples):
    child = world.child_x
    child.name = EVIL
    child.save(update_fields=["name"])
    world.guardian_x.name = "+1-2"
    world.guardian_x.save(update_fields=["name"])
    client = Client()
    found, problems = [], []
    for route in private_routes():
        url = url_for(route, samples)
        joiner = "&" if "?" in url else "?"
        for persona in OWNERS:
            client.force_login(persona_user(world, persona, samples))
            if client.get(url).status_code in (403, 404, 405):
                continue
            for download in DOWNLOADS:
                response = client.get(f"{url}{joiner}{download}")
                kind = response.get("Content-Type", "")
                if response.status_code != 200 or not kind.startswith((XLSX, "text/csv")):
                    continue
                found.append(f"{route.name}?{download}")
                bad = formula_cells(response)
                if bad:
                    problems.append(f"{route.name}?{download} as {persona}: {bad[:3]}")
            break
    print("exports walked:", ", ".join(found))
    assert {"people:student-list?_export=xlsx", "billing:fee-sheet?format=xlsx"} <= set(found)
    assert "billing:fee-sheet?format=csv" in found
    assert not problems, "\n".join(problems)


class TestSafeCell:
    @pytest.mark.parametrize(
        "text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", EVIL]
    )
    def test_formula_text_is_quoted_in_csv(self, text):
        assert safe_cell(text) == "'" + text
        out = io.StringIO()
        csv_writer(out).writerow([text, -5, "张三"])
        assert out.getvalue().startswith(("'", "\"'"))

    @pytest.mark.parametrize("value", ["张三", "3年级1班", "", None, -5, 1.5, "a=b"])
    def test_other_values_unchanged(self, value):
        assert safe_cell(value) == value

    def test_xlsx_cells_keep_the_text_as_text(self):
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("x")
        sheet.append([xlsx_cell(sheet, EVIL), xlsx_cell(sheet, 3)])
        out = io.BytesIO()
        book.save(out)
        cell = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active["A1"]
        assert (cell.value, cell.data_type) == (EVIL, "s")

    def test_xlsx_as_text_rewrites_formula_cells(self):
        book = openpyxl.Workbook()
        book.active["A1"] = EVIL
        out = io.BytesIO()
        book.save(out)
        cell = openpyxl.load_workbook(io.BytesIO(xlsx_as_text(out.getvalue()))).active["A1"]
        assert (cell.value, cell.data_type) == (EVIL, "s")
