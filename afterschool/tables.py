"""Fast rendering for the staff tables (django-tables2 kept for ordering,
headers, export and the table API).

django-tables2 renders each cell through ``BoundRow.get_cell``: it inspects
the render function's signature, looks the model field up for
``get_FOO_display`` and recomputes the column's attributes, per cell. On a
50-row class review page that was most of the request. ``FastTable`` does
the per-column work once per page (which function, its arguments, the
``<td>`` attributes) and then renders every row in one pass of plain
Python; the table's template (``templates/tables/fast.html``) prints the
rows. Columns get their HTML from ``render_<column>`` methods (``format_html``);
a column without one falls back to django-tables2's own cell rendering, so
the output is the same either way.

``url_maker`` builds a URL once per page and fills the id in per row instead
of calling ``reverse()`` for every row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2.rows import BoundRow
from django_tables2.utils import A, AttributeDict, signature

_PLACEHOLDER = 2_147_480_047  # an id no row has; replaced by the row's id


def url_maker(viewname: str, *args: Any) -> Callable[[Any], str]:
    """``f(pk) -> reverse(viewname, args=[*args, pk])`` with one ``reverse()``
    call in all. ``viewname``: a URL name whose last argument is an integer id.
    """
    template = reverse(viewname, args=[*args, _PLACEHOLDER])
    head, _sep, tail = template.rpartition(str(_PLACEHOLDER))
    return lambda pk: f"{head}{int(pk)}{tail}"


def yes_no(value: bool) -> SafeString:
    """The ✔/✘ mark of django-tables2's ``BooleanColumn``, without its per-cell work."""
    if value:
        return mark_safe('<span class="true">✔</span>')
    return mark_safe('<span class="false">✘</span>')


class FastTable(tables.Table):
    """A django-tables2 table whose body is rendered in one pass (see the
    module docstring) by the template ``tables/fast.html``. Subclasses may
    override ``row_attrs_html(record)``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("template_name", "tables/fast.html")
        super().__init__(*args, **kwargs)

    def row_attrs_html(self, record) -> str:
        """Attributes of a row's ``<tr>`` (a leading space, escaped); none by default."""
        return ""

    def _cell_function(self, bound_column) -> Callable[[Any], Any]:
        name = bound_column.name
        custom = getattr(self, f"render_{name}", None)
        if custom is None or bound_column.link:
            return lambda record: BoundRow(record, table=self).get_cell(name)
        args, kwargs_name = signature(custom)
        wants_value = "value" in args or kwargs_name is not None
        wants_record = "record" in args or kwargs_name is not None
        accessor = A(bound_column.accessor)
        empty = bound_column.column.empty_values
        default = bound_column.default

        def cell(record):
            kwargs = {}
            if wants_value:
                value = accessor.resolve(record, quiet=True)
                if value in empty:
                    return default
                kwargs["value"] = value
            if wants_record:
                kwargs["record"] = record
            return custom(**kwargs)

        return cell

    def fast_rows(self) -> Iterator[SafeString]:
        """The body's ``<tr>`` rows of the current page, as safe HTML."""
        plan = []
        for bound_column in self.columns:
            td = AttributeDict(bound_column.attrs["td"]).as_html()
            plan.append((f"<td {td}>" if td else "<td>", self._cell_function(bound_column)))
        rows = self.paginated_rows
        for record in rows.data:
            cells = "".join(
                f"{open_td}{conditional_escape(cell(record))}</td>" for open_td, cell in plan
            )
            yield mark_safe(f"<tr{self.row_attrs_html(record)}>{cells}</tr>")


def link(url: str, text: Any, css: str = "") -> SafeString:
    """``<a href=url class=css>text</a>``, escaped."""
    if css:
        return format_html('<a class="{}" href="{}">{}</a>', css, url, text)
    return format_html('<a href="{}">{}</a>', url, text)
