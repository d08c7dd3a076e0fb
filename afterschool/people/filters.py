"""django-filter filter sets for the staff lists."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from afterschool.access import classes_for_user
from afterschool.models import (
    GRADE_NAMES,
    Gender,
    Guardian,
    Role,
    Room,
    RoomKind,
    SchoolClass,
    SchoolYear,
    Student,
    User,
)
from afterschool.selectors import classes_in_year_of

ALL = _("全部")
YES_NO_ALL = [("", ALL), ("true", _("是")), ("false", _("否"))]

PRIORITY_CHOICES = [
    ("any", _("任一优先保障")),
    *((f, Student._meta.get_field(f).verbose_name) for f in Student.PRIORITY_FIELDS),
]


def _user_classes(request):
    # The class choices are the classes the user may see (none for outsiders).
    if request is None:  # pragma: no cover - the views always pass the request
        return SchoolClass.objects.none()
    # The chosen school year's (the names repeat every year): this year's
    # unless another year, or every year (""), is asked for.
    classes = classes_for_user(request.user).select_related(None).only("pk", "grade", "number")
    year = request.GET.get("school_year")
    if year is None:
        return classes_in_year_of(classes)
    if year.isdigit():
        return classes.filter(school_year_id=int(year))
    return classes


def _user_years(request):
    # The school years of the user's school (newest first).
    if request is None:  # pragma: no cover - the views always pass the request
        return SchoolYear.objects.none()
    return SchoolYear.objects.filter(school_id=request.user.school_id)


def _year_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    # The views default it to the current school year (afterschool.selectors).
    return django_filters.ModelChoiceFilter(
        label=_("学年"), field_name=field_name, queryset=_user_years, empty_label=ALL
    )


class StudentFilter(django_filters.FilterSet):
    """Year, class and grade filter through the class membership of that
    year, together on one join (``filter_queryset``): a student in 三年级 in
    2024 and 四年级 in 2025 is found under 2024 + 三年级 and under 2025 +
    四年级, never under 2025 + 三年级."""

    school_year = django_filters.ModelChoiceFilter(
        label=_("学年"), method="filter_membership", queryset=_user_years, empty_label=ALL
    )
    q = django_filters.CharFilter(
        label=_("姓名或学籍号"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("输入姓名或学籍号")}),
    )
    school_class = django_filters.ModelChoiceFilter(
        label=_("班级"), method="filter_membership", queryset=_user_classes, empty_label=ALL
    )
    grade = django_filters.ChoiceFilter(
        label=_("年级"),
        method="filter_membership",
        choices=sorted(GRADE_NAMES.items()),
        empty_label=ALL,
    )
    gender = django_filters.ChoiceFilter(label=_("性别"), choices=Gender.choices, empty_label=ALL)
    is_boarder = django_filters.BooleanFilter(
        label=_("住宿生"), widget=forms.Select(choices=YES_NO_ALL)
    )
    priority = django_filters.ChoiceFilter(
        label=_("优先保障"), choices=PRIORITY_CHOICES, method="filter_priority", empty_label=ALL
    )

    class Meta:
        model = Student
        fields = ["school_year", "q", "school_class", "grade", "gender", "is_boarder", "priority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None:
            # Only the grades the user's classes have: a primary school is
            # never offered 七至九年级. One query.
            grades = classes_for_user(self.request.user).values_list("grade", flat=True)
            self.filters["grade"].extra["choices"] = [
                (g, GRADE_NAMES[g]) for g in sorted(set(grades.order_by()))
            ]

    MEMBERSHIP_LOOKUPS = {
        "school_year": "memberships__school_class__school_year",
        "school_class": "memberships__school_class",
        "grade": "memberships__school_class__grade",
    }

    def filter_membership(self, queryset, name, value):
        # Applied together in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        wanted = {
            lookup: data[name]
            for name, lookup in self.MEMBERSHIP_LOOKUPS.items()
            if data.get(name) not in (None, "")
        }
        if wanted:
            queryset = queryset.filter(**wanted).distinct()
        return super().filter_queryset(queryset)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(student_number__icontains=value))

    def filter_priority(self, queryset, name, value):
        if value == "any":
            return queryset.filter(
                Q(is_migrant_child=True)
                | Q(is_left_behind=True)
                | Q(is_disabled=True)
                | Q(is_financial_hardship=True)
            )
        if value in Student.PRIORITY_FIELDS:
            return queryset.filter(**{value: True})
        return queryset  # pragma: no cover - ChoiceFilter rejects other values


class SchoolClassFilter(django_filters.FilterSet):
    school_year = _year_filter("school_year")

    class Meta:
        model = SchoolClass
        fields = ["school_year"]


class GuardianFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("姓名或手机号"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("输入姓名或手机号")}),
    )
    activated = django_filters.BooleanFilter(
        label=_("激活状态"),
        method="filter_activated",
        widget=forms.Select(choices=[("", ALL), ("true", _("已激活")), ("false", _("未激活"))]),
    )

    class Meta:
        model = Guardian
        fields = ["q", "activated"]

    MEMBERSHIP_LOOKUPS = {
        "school_year": "memberships__school_class__school_year",
        "school_class": "memberships__school_class",
        "grade": "memberships__school_class__grade",
    }

    def filter_membership(self, queryset, name, value):
        # Applied together in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        wanted = {
            lookup: data[name]
            for name, lookup in self.MEMBERSHIP_LOOKUPS.items()
            if data.get(name) not in (None, "")
        }
        if wanted:
            queryset = queryset.filter(**wanted).distinct()
        return super().filter_queryset(queryset)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(mobile__contains=value))

    def filter_activated(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(activated=value)


class RoomFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=RoomKind.choices, empty_label=ALL)

    class Meta:
        model = Room
        fields = ["kind"]


class StaffFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(
        label=_("角色"),
        choices=[(r.value, r.label) for r in Role if r != Role.GUARDIAN],
        empty_label=ALL,
    )

    class Meta:
        model = User
        fields = ["role"]
