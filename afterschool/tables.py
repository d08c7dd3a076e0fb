"""Fast rendering for the staff tables (django-tables2 kept for ordering,
headers, pagination, export and the table API).

django-tables2 renders each cell through ``BoundRow.get_cell``: it inspects
the render function's signature, looks the model field up for
``get_FOO_display`` and recomputes the column's attributes, per cell; its
table template then walks three levels of ``{% extends %}`` and a
``{% querystring_replace %}`` per header. On a 50-row class review page that
was most of the request. ``FastTable`` does the per-column work once per
page (which function, its arguments, the ``<td>`` attributes) and renders
the whole ``<table>`` in one pass of plain Python; ``templates/tables/fast.html``
prints it and adds the pagination links when there is more than one page.
Columns get their HTML from ``render_<column>`` methods (``format_html`` or
f-strings of escaped values); a column without one falls back to
django-tables2's own cell rendering, so the output is the same either way.
Column ``attrs`` are read once per page: computed (callable) attributes
get no ``record``.

``url_maker`` builds a URL once per process and fills the id in per row
instead of calling ``reverse()`` for every row; ``per_language`` keeps
translated words and badges built once per language.
"""

from __future__ import annotations

import copy
import functools
from collections import OrderedDict
from collections.abc import Callable, Iterator
from html import escape as _escape
from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language
from django_tables2.rows import BoundRow
from django_tables2.utils import A, AttributeDict, signature

_PLACEHOLDER = 2_147_480_047  # an id no row has; replaced by the row's id
_PARITY = ("even", "odd")


@functools.cache
def _url_parts(viewname: str, args: tuple, prefix: str, urlconf: Any) -> tuple[str, str]:
    template = reverse(viewname, args=[*args, _PLACEHOLDER], urlconf=urlconf)
    head, _sep, tail = template.rpartition(str(_PLACEHOLDER))
    return head, tail


def url_maker(viewname: str, *args: Any) -> Callable[[Any], str]:
    """``f(pk) -> reverse(viewname, args=[*args, pk])``, with one ``reverse()``
    per process (per script prefix and URLconf). ``viewname``: a URL name
    whose last argument is an integer id; ``args``: the ones before it
    (hashable). Raises ``NoReverseMatch`` as ``reverse()`` does."""
    head, tail = _url_parts(viewname, tuple(args), get_script_prefix(), get_urlconf())
    return lambda pk: f"{head}{int(pk)}{tail}"


def per_language(build: Callable[[], Any]) -> Callable[[], Any]:
    """``build()`` run once per active language and kept: for translated
    words and labels a table needs on every page (build them with ``str()``
    or ``format_html``, not lazy strings)."""
    cache: dict[str | None, Any] = {}

    @functools.wraps(build)
    def get():
        language = get_language()
        try:
            return cache[language]
        except KeyError:
            cache[language] = value = build()
            return value

    return get


_YES = SafeString('<span class="true">✔</span>')
_NO = SafeString('<span class="false">✘</span>')


def yes_no(value: bool) -> SafeString:
    """The ✔/✘ mark of django-tables2's ``BooleanColumn``, without its per-cell work."""
    return _YES if value else _NO


def safe(html: str) -> SafeString:
    """``mark_safe(html)`` for a ``str`` built of escaped parts, without
    ``mark_safe``'s lazy-string check (per-row cells)."""
    return SafeString(html)


def cell_text(value: Any) -> str:
    """``value`` as escaped HTML text ("" for ``None``), as Django's
    ``escape()`` writes it but without its lazy-string check: for f-string
    cells, called per row."""
    return "" if value is None else _escape(str(value))


def _html(value: Any) -> str:
    # conditional_escape() without its lazy-string wrapper (per cell).
    if isinstance(value, SafeData):
        return value
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


@functools.cache
def _wants(table_class: type, name: str) -> tuple[bool, bool]:
    # Whether render_<name> takes ``value`` and ``record`` (inspected once a class).
    args, kwargs_name = signature(getattr(table_class, f"render_{name}"))
    return (
        "value" in args or kwargs_name is not None,
        "record" in args or kwargs_name is not None,
    )


class _ColumnsCopiedShallow(OrderedDict):
    """``base_columns`` whose per-table copy copies each column and its
    ``attrs`` (what a table changes: ``visible``, classes) instead of
    ``copy.deepcopy`` walking every object a column holds (about 40
    objects a column, a third of a millisecond a table)."""

    def __deepcopy__(self, memo):
        out = OrderedDict()
        for name, column in self.items():
            column = copy.copy(column)
            column.attrs = {
                key: dict(value) if isinstance(value, dict) else value
                for key, value in column.attrs.items()
            }
            out[name] = column
        return out


class FastTable(tables.Table):
    """A django-tables2 table rendered in one pass (see the module
    docstring) by the template ``tables/fast.html``. Subclasses may
    override ``row_attrs_html(record)`` and ``empty_css`` (the class of the
    empty text's cell)."""

    empty_css = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.base_columns = _ColumnsCopiedShallow(cls.base_columns)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("template_name", "tables/fast.html")
        super().__init__(*args, **kwargs)

    def records(self) -> list:
        """The table's records in its order, loaded once: a queryset is
        evaluated here and the rendering reads the same rows (its result
        cache), so a view can use them (e.g. to count) without a query."""
        data = self.data.data
        return data if isinstance(data, list) else list(data)

    def row_attrs_html(self, record) -> str:
        """Attributes of a row's ``<tr>`` besides its even/odd class (a
        leading space, escaped); none by default."""
        return ""

    def _cell_function(self, bound_column) -> Callable[[Any], Any]:
        name = bound_column.name
        custom = getattr(self, f"render_{name}", None)
        if custom is None or bound_column.link:
            return lambda record: BoundRow(record, table=self).get_cell(name)
        wants_value, wants_record = _wants(type(self), name)
        if wants_record and not wants_value:
            return lambda record: custom(record=record)
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
        row_attrs = self.row_attrs_html
        for i, record in enumerate(self.paginated_rows.data):
            cells = "".join([f"{open_td}{_html(cell(record))}</td>" for open_td, cell in plan])
            # even/odd as django-tables2 writes them.
            yield SafeString(f'<tr{row_attrs(record)} class="{_PARITY[i % 2]}">{cells}</tr>')

    def _sort_href(self, request, alias: str) -> str:
        # As django-tables2's {% querystring_replace %}: the page's query
        # string with the ordering parameter replaced.
        params = dict(request.GET) if request is not None else {}
        params[self.prefixed_order_by_field] = alias
        return escape("?" + urlencode(params, doseq=True))

    def fast_thead(self) -> str:
        """The ``<thead>``: headers, with ordering links on orderable columns."""
        request = getattr(self, "request", None)
        cells = []
        for column in self.columns:
            th = column.attrs["th"].as_html()
            header = conditional_escape(column.header)
            if column.orderable:
                href = self._sort_href(request, column.order_by_alias.next)
                header = f'<a href="{href}">{header}</a>'
            cells.append(f'<th {th} scope="col">{header}</th>')
        return f"<thead {self.attrs['thead'].as_html()}><tr>{''.join(cells)}</tr></thead>"

    def fast_html(self) -> SafeString:
        """The whole ``<table>`` (header, rows or the empty text, footer)."""
        attrs = AttributeDict({"class": "table"})
        attrs.update(self.attrs)
        parts = [f"<table {attrs.as_html()}>"]
        if self.show_header:
            parts.append(self.fast_thead())
        parts.append(f"<tbody {self.attrs['tbody'].as_html()}>")
        n = len(parts)
        parts.extend(self.fast_rows())
        if len(parts) == n and self.empty_text:
            css = f' class="{self.empty_css}"' if self.empty_css else ""
            parts.append(
                f'<tr><td colspan="{len(self.columns)}"{css}>'
                f"{conditional_escape(self.empty_text)}</td></tr>"
            )
        parts.append("</tbody>")
        parts.append(self.fast_tfoot())
        parts.append("</table>")
        return mark_safe("".join(parts))

    def fast_tfoot(self) -> str:
        """The ``<tfoot>`` of the columns' footers ("" without any); a
        subclass may write its own (a totals row)."""
        if not self.has_footer():
            return ""
        cells = "".join(
            f"<td {column.attrs['tf'].as_html()}>{conditional_escape(column.footer)}</td>"
            for column in self.columns
        )
        return f"<tfoot {self.attrs['tfoot'].as_html()}><tr>{cells}</tr></tfoot>"


def link(url: str, text: Any, css: str = "") -> SafeString:
    """``<a href=url class=css>text</a>``, escaped."""
    if css:
        return format_html('<a class="{}" href="{}">{}</a>', css, url, text)
    return format_html('<a href="{}">{}</a>', url, text)
