"""The fee sheet on screen (收费明细表) as a django-tables2 table (sortable),
rendered in one pass (``afterschool.tables.FastTable``): a school's sheet
is a few thousand rows on one page."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import escape
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from afterschool.tables import FastTable, cell_text, per_language, safe
from billing.sheets.selectors import SheetRow

END = {"th": {"class": "text-end"}, "td": {"class": "text-end"}}


@per_language
def _words() -> dict:
    return {
        "owed": escape(_g("欠费")),
        "credit": escape(_g("结余")),
        "total": escape(_g("合计")),
    }


def _balance(row: SheetRow, words: dict) -> str:
    # 欠费 / 结余 / 0.00, as the sheet's files write it.
    if row.owed:
        return f"{words['owed']} {row.owed:f}"
    if row.credit:
        return f"{words['credit']} {row.credit:f}"
    return "0.00"


class FeeSheetTable(FastTable):
    """One row per student (``billing.sheets.selectors.SheetRow``), the
    sheet's totals in the footer."""

    class_name = tables.Column(verbose_name=_("班级"))
    name = tables.Column(verbose_name=_("姓名"))
    days = tables.Column(verbose_name=_("天数"), attrs=END)
    periods = tables.Column(verbose_name=_("课时"), attrs=END)
    charged = tables.Column(verbose_name=_("应收"), attrs=END)
    deductions = tables.Column(verbose_name=_("减免及调整"), attrs=END)
    total = tables.Column(verbose_name=_("应缴"), attrs=END)
    paid = tables.Column(verbose_name=_("已缴"), attrs=END)
    balance = tables.Column(verbose_name=_("欠费/结余"), orderable=False, attrs=END)

    class Meta:
        attrs = {"class": "table table-sm table-bordered small"}
        empty_text = _("没有账单。")

    empty_css = "text-muted"

    def __init__(self, sheet, **kwargs):
        super().__init__(sheet.rows, **kwargs)
        self.sheet = sheet
        self.words = _words()

    def render_class_name(self, record):
        return record.class_name

    def render_name(self, record):
        return record.name

    def render_days(self, record):
        return record.days

    def render_periods(self, record):
        return record.periods

    def render_charged(self, record):
        return f"{record.charged:f}"

    def render_deductions(self, record):
        return f"{record.deductions:f}"

    def render_total(self, record):
        return f"{record.total:f}"

    def render_paid(self, record):
        return f"{record.paid:f}"

    def render_balance(self, record):
        words = self.words
        if record.owed:
            return safe(f'<span class="text-danger">{words["owed"]} {record.owed:f}</span>')
        if record.credit:
            return safe(f'<span class="text-success">{words["credit"]} {record.credit:f}</span>')
        return "0.00"

    def fast_tfoot(self) -> str:
        t = self.sheet.totals
        end = '<td class="text-end">'
        cells = "".join(
            f"{end}{cell_text(v)}</td>"
            for v in (
                t.days,
                t.periods,
                f"{t.charged:f}",
                f"{t.deductions:f}",
                f"{t.total:f}",
                f"{t.paid:f}",
            )
        )
        return (
            f'<tfoot><tr class="fw-bold"><td colspan="2">{self.words["total"]}</td>{cells}'
            f"{end}{_balance(t, self.words)}</td></tr></tfoot>"
        )
