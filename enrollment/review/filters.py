"""django-filter filter sets of the review tables."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import Application, Status

YES_NO = forms.Select(
    choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))],
    attrs={"class": "form-select form-control-sm"},
)
# Plain Bootstrap widgets, rendered by the template without crispy (the
# crispy field layout was 7% of the page's time).
TEXT = forms.TextInput(attrs={"class": "form-control form-control-sm"})
SELECT = forms.Select(attrs={"class": "form-select form-control-sm"})

STUDENT_PRIORITY_Q = (
    Q(student__is_migrant_child=True)
    | Q(student__is_left_behind=True)
    | Q(student__is_disabled=True)
    | Q(student__is_financial_hardship=True)
)


class ApplicationReviewFilter(django_filters.FilterSet):
    """Filters of the class review table (班主任审核). Its fields do not
    depend on the request, so the form class is built once (django-filter
    builds a new class per filter set)."""

    name = django_filters.CharFilter(
        label=_("学生姓名"), field_name="student__name", lookup_expr="icontains", widget=TEXT
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Status.choices, empty_label=_("全部"), widget=SELECT
    )
    waiver_requested = django_filters.BooleanFilter(label=_("申请减免"), widget=YES_NO)
    priority = django_filters.BooleanFilter(
        label=_("优先保障群体"), method="filter_priority", widget=YES_NO
    )

    class Meta:
        model = Application
        fields = ["name", "status", "waiver_requested", "priority"]

    def get_form_class(self):
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class

    def filter_priority(self, queryset, name, value):
        return (
            queryset.filter(STUDENT_PRIORITY_Q) if value else queryset.exclude(STUDENT_PRIORITY_Q)
        )
