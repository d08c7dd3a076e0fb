"""The form renderer (settings ``FORM_RENDERER``): Django's, with the
commonest widget templates written in Python.

Django renders every widget through a template: a ``<select>`` of eight
choices is ten template renders (the select, each option, and each one's
``attrs.html``). On the staff tables' filter forms that was a tenth of the
page's time. ``FastWidgetRenderer`` writes the same HTML as Django's
templates in ``django/forms/templates/django/forms/widgets/`` (``input.html``
and the templates that only include it, ``attrs.html``, ``select.html``,
``select_option.html``, ``textarea.html``), byte for byte
(``tests/afterschool/test_renderers.py`` compares them); every other
template goes to Django's renderer as before.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape as _escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime

W = "django/forms/widgets/"


def _text(value: Any) -> str:
    # {{ value }} with autoescape on: localized, escaped unless safe.
    if not isinstance(value, str):
        value = localize(template_localtime(value))
        if not isinstance(value, str):
            value = str(value)
    if isinstance(value, SafeData):
        return value
    return _escape(value)


def _formatted(value: Any) -> str:
    # {{ value|stringformat:'s' }}: "%s" % value ("" if that fails),
    # escaped unless the value was safe.
    try:
        text = "%s" % value  # noqa: UP031 (as Django's stringformat: a tuple fails)
    except (ValueError, TypeError):
        return ""
    if isinstance(value, SafeData):
        return text
    return _escape(text)


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_text(name)}")
        else:
            out.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _option(widget: dict) -> str:
    return (
        f'<option value="{_formatted(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_text(widget['label'])}</option>\n"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>\n"
    )


# The widget templates that are exactly {% include "django/forms/widgets/input.html" %}
# (each file's own newline is stripped away with the rest by render()).
_INPUTS = (
    "input",
    "text",
    "number",
    "email",
    "url",
    "tel",
    "search",
    "color",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "checkbox",
    "file",
)
_PYTHON: dict[str, Callable[[dict], str]] = {f"{W}{name}.html": _input for name in _INPUTS}
_PYTHON[f"{W}select_option.html"] = _option
_PYTHON[f"{W}textarea.html"] = _textarea


class FastWidgetRenderer(DjangoTemplates):
    """Django's ``DjangoTemplates`` form renderer, with the widget templates
    named in the module docstring rendered in Python."""

    def render(self, template_name, context, request=None):
        return self._raw(template_name, context, request).strip()

    def _raw(self, template_name, context, request) -> str:
        # What the template writes, not yet stripped (as {% include %} puts it).
        if template_name == f"{W}select.html":
            return self._select(context["widget"], request)
        python = _PYTHON.get(template_name)
        if python is not None:
            return python(context["widget"])
        return self.get_template(template_name).render(context, request=request)

    def _select(self, widget: dict, request) -> str:
        out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in group_choices:
                out.append("\n  ")
                out.append(self._raw(option["template_name"], {"widget": option}, request))
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>\n")
        return "".join(out)
