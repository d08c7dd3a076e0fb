"""The month's statements as a django-tables2 table (sortable), rendered in
one pass (``afterschool.tables.FastTable``): a school's month is a few
thousand rows on one page."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import escape
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from afterschool.tables import FastTable, cell_text, per_language, safe, url_maker
from billing.models import FeeStatement, StatementKind
from billing.money import ZERO, to_fen

END = {"th": {"class": "text-end"}, "td": {"class": "text-end"}}


@per_language
def _words() -> dict:
    return {
        "kind": {value: str(label) for value, label in StatementKind.choices},
        "owed": escape(_g("欠费")),
        "credit": escape(_g("结余")),
        "settled": escape(_g("已结清")),
    }


def _yuan(value) -> str:
    # As the template wrote it ({{ value|floatformat:2 }}): to the fen, no "-0.00".
    value = to_fen(value or ZERO)
    return f"{value if value else ZERO:.2f}"


class StatementTable(FastTable):
    """收费账单: one row per statement (``paid`` annotated by
    ``billing.statements.selectors.with_paid``; student and class joined)."""

    school_class = tables.Column(
        verbose_name=_("班级"), order_by=("school_class__grade", "school_class__number")
    )
    student = tables.Column(verbose_name=_("学生"), order_by=("student__student_number",))
    kind = tables.Column(verbose_name=_("类型"), attrs={"td": {"class": "small"}})
    days = tables.Column(verbose_name=_("天数"), attrs=END)
    total = tables.Column(verbose_name=_("应缴（元）"), attrs=END)
    paid = tables.Column(verbose_name=_("已缴（元）"), attrs=END)
    balance = tables.Column(verbose_name=_("欠费/结余"), accessor="pk", orderable=False, attrs=END)

    class Meta:
        model = FeeStatement
        fields = ()
        sequence = ("school_class", "student", "kind", "days", "total", "paid", "balance")
        attrs = {"class": "table table-sm align-middle"}
        empty_text = _("本月还没有账单。")

    empty_css = "text-muted"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.detail_url = url_maker("billing:statement-detail")
        self.words = _words()

    def render_school_class(self, record):
        return record.school_class.display_name

    def render_student(self, record):
        return safe(f'<a href="{self.detail_url(record.pk)}">{cell_text(record.student.name)}</a>')

    def render_kind(self, record):
        return self.words["kind"].get(record.kind, record.kind)

    def render_days(self, record):
        return record.days

    def render_total(self, record):
        return _yuan(record.total)

    def render_paid(self, record):
        return _yuan(record.paid)

    def render_balance(self, record):
        words = self.words
        if record.owed:
            return safe(f'<span class="text-danger">{words["owed"]} {_yuan(record.owed)}</span>')
        if record.credit:
            return safe(
                f'<span class="text-success">{words["credit"]} {_yuan(record.credit)}</span>'
            )
        return safe(f'<span class="text-muted">{words["settled"]}</span>')
