"""The Python widget renderer writes what Django's widget templates write,
byte for byte, for the widgets it takes over (and leaves the others to the
templates)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from afterschool.renderers import FastWidgetRenderer

FAST = FastWidgetRenderer()
DJANGO = DjangoTemplates()

VALUES = [
    None,
    "",
    "张三",
    "a<b>&\"c'",
    mark_safe("<b>safe</b>"),
    0,
    42,
    Decimal("12.50"),
    datetime.date(2026, 9, 1),
    True,
    False,
    ["x", "y"],
]
ATTRS = [
    {},
    {"class": "form-control form-control-sm", "id": "id_f"},
    {"required": True, "disabled": False, "data-x": 'q"<'},
    {"min": 0, "max": Decimal("9.5"), "aria-label": _("学生姓名")},
]
CHOICES = [
    ("", _("全部")),
    ("a", "甲 & 乙"),
    (1, 2),
    ("组", [("g1", "一"), ("g2", mark_safe("<i>二</i>"))]),
]
WIDGETS = [
    forms.TextInput(),
    forms.NumberInput(),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.CheckboxInput(),
    forms.Textarea(),
    forms.Select(choices=CHOICES),
    forms.SelectMultiple(choices=CHOICES),
    forms.NullBooleanSelect(),
    # Left to Django's templates (radio and checkbox lists, multiwidgets):
    forms.RadioSelect(choices=CHOICES[:3]),
    forms.CheckboxSelectMultiple(choices=CHOICES[:3]),
    forms.SplitDateTimeWidget(),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
def test_same_html_as_django_templates(widget):
    for value in VALUES:
        for attrs in ATTRS:
            try:
                expected = widget.render("f", value, attrs=attrs, renderer=DJANGO)
            except (TypeError, ValueError, AttributeError):
                continue  # a value this widget does not take
            assert widget.render("f", value, attrs=attrs, renderer=FAST) == expected, (
                value,
                attrs,
            )


def test_selected_option_and_optgroup_written():
    html = forms.Select(choices=CHOICES).render("s", "g2", renderer=FAST)
    assert '<optgroup label="组">' in html
    assert '<option value="g2" selected><i>二</i></option>' in html
    assert '<option value="a">甲 &amp; 乙</option>' in html


def test_settings_use_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "afterschool.renderers.FastWidgetRenderer"
    assert isinstance(get_default_renderer(), FastWidgetRenderer)
