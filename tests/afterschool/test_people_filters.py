"""django-filter's strings in Simplified Chinese: the project ships the
zh_Hans catalog django-filter lacks (locale/zh_Hans)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import django_filters
import pytest
from django.urls import reverse
from django.utils import translation

from afterschool.models import Student
from afterschool.people.filters import StudentFilter

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


class DemoFilter(django_filters.FilterSet):
    # Filters whose labels and choices come from django-filter itself.
    created_at = django_filters.DateRangeFilter()
    order = django_filters.OrderingFilter(fields=["name"])
    name = django_filters.CharFilter(lookup_expr="icontains")
    is_boarder = django_filters.BooleanFilter(widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = Student
        fields = ["name", "is_boarder"]


class TestCatalog:
    def test_compiled_catalog_matches_the_po_file(self):
        po = (LOCALE / "django.po").read_text(encoding="utf-8")
        pairs = dict(re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', po, re.M))
        with (LOCALE / "django.mo").open("rb") as fh:
            mo = gettext.GNUTranslations(fh)
        assert len(pairs) >= 40
        for msgid, msgstr in pairs.items():
            assert mo.gettext(msgid) == msgstr, msgid


class TestFilterFormInChinese:
    def test_django_filter_labels_and_choices_render_in_chinese(self):
        with translation.override("zh-hans"):
            html = str(DemoFilter(data={}, queryset=Student.objects.none()).form)
        for text in ("昨天", "过去7天", "排序", "（降序）"):
            assert text in html, text
        for english in ("Yesterday", "Ordering", "descending"):
            assert english not in html

    def test_lookup_names_are_chinese(self):
        from django_filters.conf import settings as filter_settings

        with translation.override("zh-hans"):
            verbose = dict(filter_settings.VERBOSE_LOOKUPS)
            assert str(verbose["icontains"]) == "包含"
            assert str(verbose["gt"]) == "大于"

    @pytest.mark.django_db
    def test_student_filter_offers_all_in_chinese(self, client, world):
        client.force_login(world.admin)
        html = client.get(reverse("people:student-list")).content.decode()
        for text in ("姓名或学籍号", "班级", "年级", "性别", "住宿生", "优先保障", "全部"):
            assert text in html
        assert "---------" not in html
        assert "Unknown" not in html

    @pytest.mark.django_db
    def test_grade_choices_are_the_schools_own(self, rf, world):
        """Only the grades the school's classes have: a primary school gets no 七至九年级."""
        request = rf.get("/")
        request.user = world.admin
        form = StudentFilter(data={}, queryset=Student.objects.none(), request=request).form
        grades = sorted(set(world.school.classes.values_list("grade", flat=True)))
        offered = [value for value, _label in form.fields["grade"].choices if value != ""]
        assert offered == grades
        assert "七年级" not in {str(label) for _v, label in form.fields["grade"].choices}

    def test_student_filter_priority_choices(self):
        form = StudentFilter(data={}, queryset=Student.objects.none(), request=None).form
        labels = [str(label) for _, label in form.fields["priority"].choices]
        assert labels[:3] == ["全部", "任一优先保障", "进城务工人员随迁子女"]
