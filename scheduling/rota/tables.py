"""The rota page's day of sessions as a django-tables2 table, rendered in
one pass (``afterschool.tables.FastTable``): each row carries a form with
every rota person as an option, so the options are written once per page
and each row only marks its supervisor."""

from __future__ import annotations

from html import escape

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from afterschool.tables import FastTable, per_language, safe, url_maker
from scheduling.models import Period, Session, Weekday


@per_language
def _words() -> dict:
    return {
        "weekday": {value: str(label) for value, label in Weekday.choices},
        "period": {value: str(label) for value, label in Period.choices},
        "supervisor": escape(_g("看班教师")),
        "auto": escape(_g("（自动）")),
        "save": escape(_g("保存")),
        "manual": escape(_g("手动")),
    }


class DaySessionsTable(FastTable):
    """逐个调整: one day's sessions (``scheduling.rota.selectors.rota_sessions``,
    class, room and supervisor joined), each with its supervisor form.
    ``staff``: the people the select offers, in order."""

    date = tables.Column(verbose_name=_("日期"))
    period = tables.Column(verbose_name=_("课时"))
    school_class = tables.Column(verbose_name=_("班级"))
    room = tables.Column(verbose_name=_("场地"))
    supervisor = tables.Column(verbose_name=_("看班教师"))

    class Meta:
        model = Session
        fields = ()
        sequence = ("date", "period", "school_class", "room", "supervisor")
        orderable = False
        attrs = {"class": "table table-sm table-bordered"}
        empty_text = _("本周没有课时。请先生成课时与看班安排。")

    empty_css = "text-muted"

    def __init__(self, sessions, *, staff, request, **kwargs):
        super().__init__(sessions, **kwargs)
        self.request = request
        self.words = _words()
        self.assign_url = url_maker("scheduling:session-assign")
        self.csrf = escape(get_token(request))
        # The options once: (pk, '<option value="pk"', '>name</option>').
        self.options = [
            (p.pk, f'<option value="{int(p.pk)}"', f">{escape(str(p))}</option>") for p in staff
        ]

    def render_date(self, record):
        d = record.date
        return f"{d.month}月{d.day}日 {self.words['weekday'].get(record.weekday, '')}"

    def render_period(self, record):
        return self.words["period"].get(record.period, record.period)

    def render_school_class(self, record):
        return record.school_class.display_name

    def render_room(self, record):
        return "" if record.room is None else str(record.room)

    def render_supervisor(self, record):
        words = self.words
        chosen = record.supervisor_id
        options = "".join(
            f"{head} selected{tail}" if pk == chosen else f"{head}{tail}"
            for pk, head, tail in self.options
        )
        manual = (
            f'<span class="badge text-bg-info align-self-center">{words["manual"]}</span>'
            if record.is_manual
            else ""
        )
        return safe(
            f'<form method="post" action="{self.assign_url(record.pk)}" class="d-flex gap-1">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.csrf}">'
            f'<select name="supervisor" class="form-select form-select-sm" '
            f'aria-label="{words["supervisor"]}">'
            f'<option value="">{words["auto"]}</option>{options}</select>'
            f'<button class="btn btn-outline-primary btn-sm text-nowrap">{words["save"]}</button>'
            f"{manual}</form>"
        )


def week_grid_body(grid) -> SafeString:
    """The ``<tbody>`` rows of the week grid (``scheduling.rota.selectors.RotaGrid``):
    one row per class, one cell per (date, period), the supervisor's name,
    未安排, or the clash; written in Python (classes × ten cells a week)."""
    unassigned = escape(_g("未安排"))
    clash_word = escape(_g("冲突："))
    out = []
    for klass, cells in grid.rows:
        tds = []
        for cell in cells:
            session = cell.session
            if session is None:
                tds.append('<td class="text-muted">—</td>')
                continue
            css = "text-nowrap"
            if cell.clash:
                css += " table-danger rota-clash"
            elif not session.supervisor_id:
                css += " table-warning"
            who = escape(str(session.supervisor)) if session.supervisor else unassigned
            clash = (
                f'<small class="d-block">{clash_word}{escape(str(cell.clash))}</small>'
                if cell.clash
                else ""
            )
            tds.append(f'<td class="{css}">{who}{clash}</td>')
        out.append(
            f'<tr><th scope="row" class="col-name text-nowrap">{escape(str(klass))}</th>'
            f"{''.join(tds)}</tr>"
        )
    return SafeString("\n".join(out))
