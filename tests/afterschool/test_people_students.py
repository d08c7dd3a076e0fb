"""The students list (filters, masking, export) and the student detail page."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from afterschool.models import Student
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = "people:student-list"


def rows_of(response) -> list[Student]:
    return list(response.context["table"].page.object_list.data)


def export_rows(response) -> list[tuple]:
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


class TestStudentListScope:
    def test_admin_sees_every_class_of_own_school(self, client, world):
        client.force_login(world.admin)
        response = client.get(reverse(LIST))
        assert set(rows_of(response)) == {world.child_x, world.child_y}

    def test_homeroom_teacher_sees_own_class_only(self, client, world):
        client.force_login(world.homeroom_a)
        response = client.get(reverse(LIST))
        assert rows_of(response) == [world.child_x]

    def test_class_filter_offers_only_classes_the_user_may_see(self, client, world):
        client.force_login(world.homeroom_a)
        form = client.get(reverse(LIST)).context["filter"].form
        assert list(form.fields["school_class"].queryset) == [world.class_a]

    def test_homeroom_cannot_filter_into_another_class(self, client, world):
        client.force_login(world.homeroom_a)
        response = client.get(reverse(LIST), {"school_class": world.class_b.pk})
        # An unknown choice is a form error and the list stays scoped.
        assert "school_class" in response.context["filter"].form.errors
        assert world.child_y not in rows_of(response)


class TestStudentListMasking:
    def test_id_number_and_embedded_student_number_are_masked(self, client, world):
        client.force_login(world.admin)
        html = client.get(reverse(LIST)).content.decode()
        full = world.child_x.id_number
        assert full not in html
        assert world.child_x.masked_id_number in html
        assert f"G{world.child_x.masked_id_number}" in html

    def test_student_number_without_id_is_shown_as_is(self, client, world):
        f.make_student(world.class_a, "王小丫", student_number="L2024001")
        client.force_login(world.admin)
        assert "L2024001" in client.get(reverse(LIST)).content.decode()


class TestStudentListFilters:
    @pytest.fixture
    def crowd(self, world):
        return {
            "boarder": f.make_student(world.class_a, "住校生甲", is_boarder=True),
            "left_behind": f.make_student(
                world.class_b, "留守生乙", is_left_behind=True, gender="F"
            ),
            "grade5": f.make_student(f.make_class(world.school, 5, 1), "五年级丙"),
        }

    def get(self, client, world, **params):
        client.force_login(world.admin)
        return set(rows_of(client.get(reverse(LIST), params)))

    def test_by_class(self, client, world, crowd):
        assert self.get(client, world, school_class=world.class_a.pk) == {
            world.child_x,
            crowd["boarder"],
        }

    def test_by_grade(self, client, world, crowd):
        assert self.get(client, world, grade=5) == {crowd["grade5"]}

    def test_by_gender(self, client, world, crowd):
        assert self.get(client, world, gender="F") == {world.child_y, crowd["left_behind"]}

    def test_by_boarder(self, client, world, crowd):
        assert self.get(client, world, is_boarder="true") == {crowd["boarder"]}
        assert crowd["boarder"] not in self.get(client, world, is_boarder="false")

    def test_by_any_priority_group_and_by_one(self, client, world, crowd):
        assert self.get(client, world, priority="any") == {crowd["left_behind"]}
        assert self.get(client, world, priority="is_left_behind") == {crowd["left_behind"]}
        assert self.get(client, world, priority="is_disabled") == set()

    def test_search_by_name_or_full_student_number(self, client, world, crowd):
        assert self.get(client, world, q="小明") == {world.child_x}
        assert self.get(client, world, q=world.child_y.student_number) == {world.child_y}

    def test_sorting_by_name_descending(self, client, world, crowd):
        client.force_login(world.admin)
        rows = rows_of(client.get(reverse(LIST), {"sort": "-name"}))
        assert [s.name for s in rows] == sorted((s.name for s in rows), reverse=True)


class TestStudentExport:
    def test_xlsx_has_chinese_headers_masked_ids_and_the_filter_applied(self, client, world):
        f.make_student(world.class_a, "住校生甲", is_boarder=True, is_migrant_child=True)
        client.force_login(world.admin)
        response = client.get(reverse(LIST), {"school_class": world.class_a.pk, "_export": "xlsx"})
        assert "filename*=utf-8''" in response["Content-Disposition"]
        header, *rows = export_rows(response)
        assert header == (
            "学籍号",
            "姓名",
            "性别",
            "班级",
            "身份证号",
            "住宿生",
            "优先保障",
            "学号",
        )
        by_name = {row[1]: row for row in rows}
        assert set(by_name) == {"张小明", "住校生甲"}
        x = by_name["张小明"]
        assert x[0] == f"G{world.child_x.masked_id_number}"
        assert x[4] == world.child_x.masked_id_number
        assert x[3] == "三年级（1）班"
        assert by_name["住校生甲"][5] == "是"
        assert by_name["住校生甲"][6] == "进城务工人员随迁子女"
        assert world.child_x.id_number not in response.content.decode("latin-1")

    def test_export_is_not_paginated(self, client, world):
        for i in range(55):
            f.make_student(world.class_a, f"学生{i}")
        client.force_login(world.admin)
        rows = export_rows(client.get(reverse(LIST), {"_export": "xlsx"}))
        assert len(rows) == 1 + 55 + 2


class TestStudentDetail:
    def url(self, world):
        return reverse("people:student-detail", args=[world.child_x.pk])

    def test_admin_sees_full_id_number_and_mobiles(self, client, world):
        client.force_login(world.admin)
        html = client.get(self.url(world)).content.decode()
        assert world.child_x.id_number in html
        assert world.guardian_x.mobile in html

    def test_admin_without_view_id_number_permission_sees_it_masked(self, client, world):
        world.admin.groups.clear()
        client.force_login(world.admin)
        html = client.get(self.url(world)).content.decode()
        assert world.child_x.id_number not in html
        assert world.child_x.masked_id_number in html

    def test_homeroom_teacher_sees_masked_id_and_mobile(self, client, world):
        client.force_login(world.homeroom_a)
        html = client.get(self.url(world)).content.decode()
        assert world.child_x.id_number not in html
        assert world.guardian_x.mobile not in html
        assert world.guardian_x.masked_mobile in html

    def test_priority_badges_for_staff_not_for_guardians(self, client, world):
        world.child_x.is_left_behind = True
        world.child_x.save(update_fields=["is_left_behind"])
        client.force_login(world.homeroom_a)
        assert "留守儿童" in client.get(self.url(world)).content.decode()
        client.force_login(world.guardian_x.user)
        html = client.get(self.url(world)).content.decode()
        assert "留守儿童" not in html
        assert world.child_x.name in html
        assert world.child_x.id_number not in html


class TestStudentListYearClass:
    """The 班级 column is the class of the year listed (the membership of
    that year), not the student's latest class."""

    @pytest.fixture
    def promoted(self, world):
        from afterschool.rollover.services import school_year_rollover

        result = school_year_rollover(
            school=world.school, from_year=world.class_a.school_year, by=world.admin
        )
        return result.school_year

    def _classes(self, client, **params) -> dict[str, str]:
        table = client.get(reverse(LIST), params).context["table"]
        return {row.record.name: row.get_cell("school_class") for row in table.page.object_list}

    def test_last_year_lists_last_years_class_this_year_this_years(self, client, world, promoted):
        client.force_login(world.admin)
        last = self._classes(client, school_year=world.class_a.school_year_id)
        assert last == {"张小明": "三年级（1）班", "刘小红": "三年级（2）班"}
        this = self._classes(client, school_year=promoted.pk)
        assert this == {"张小明": "四年级（1）班", "刘小红": "四年级（2）班"}
        # A class chosen: its own year's name.
        assert self._classes(client, school_year="", school_class=world.class_b.pk) == {
            "刘小红": "三年级（2）班"
        }
        # Every year: the latest class.
        assert self._classes(client, school_year="")["张小明"] == "四年级（1）班"

    def test_the_export_names_the_class_of_the_year_listed(self, client, world, promoted):
        client.force_login(world.admin)
        response = client.get(
            reverse(LIST), {"school_year": world.class_a.school_year_id, "_export": "xlsx"}
        )
        _header, *rows = export_rows(response)
        assert {row[1]: row[3] for row in rows} == {
            "张小明": "三年级（1）班",
            "刘小红": "三年级（2）班",
        }

    def test_listed_class_by_class_in_that_years_order(self, client, world, promoted):
        # 刘小红 moves into 四年级（1）班 in the new year only.
        from afterschool.models import ClassMembership

        four_1 = promoted.classes.get(grade=4, number=1)
        ClassMembership.objects.filter(
            student=world.child_y, school_class__school_year=promoted
        ).update(school_class=four_1)
        client.force_login(world.admin)
        this = rows_of(client.get(reverse(LIST), {"school_year": promoted.pk}))
        last = rows_of(
            client.get(reverse(LIST), {"school_year": world.class_a.school_year_id, "sort": ""})
        )
        assert [s.year_class_number for s in this] == [1, 1]
        assert [(s.name, s.year_class_number) for s in last] == [("张小明", 1), ("刘小红", 2)]


class TestQueryCounts:
    """Fixed number of queries whatever the number of rows (STYLE.md §9)."""

    @pytest.mark.parametrize("extra", [5, 60])
    def test_student_list(self, client, world, django_assert_num_queries, extra):
        for i in range(extra):
            f.make_student(world.class_a, f"学生{i}", is_disabled=i % 3 == 0)
        client.force_login(world.admin)
        # 1 session, 2 user with school, 3 the current school year (filter default),
        # 4 that year checked by the filter form, 5 COUNT students (paginator),
        # 6 the grades of the school's classes (the grade choices),
        # 7 school years and 8 classes for the filter's choices,
        # 9 the page of students with class and school.
        with django_assert_num_queries(9):
            response = client.get(reverse(LIST))
        assert len(rows_of(response)) == min(extra + 2, 50)

    @pytest.mark.parametrize("extra", [5, 60])
    def test_student_export(self, client, world, django_assert_num_queries, extra):
        for i in range(extra):
            f.make_student(world.class_a, f"学生{i}")
        client.force_login(world.admin)
        # 1 session, 2 user, 3 the current school year (filter default),
        # 4 the grades of the school's classes (the filter's grade choices),
        # 5 that year checked by the filter form,
        # 6 every student of the year with class and school (not paginated).
        with django_assert_num_queries(6):
            response = client.get(reverse(LIST), {"_export": "xlsx"})
        assert len(export_rows(response)) == extra + 3

    @pytest.mark.parametrize("guardians", [1, 6])
    def test_student_detail(self, client, world, django_assert_num_queries, guardians):
        for i in range(guardians - 1):
            f.make_guardian(world.child_x, f"家长{i}", with_login=False)
        client.force_login(world.admin)
        # 1 session, 2 user with school, 3 student with class and school,
        # 4 user's own permissions and 5 its groups' permissions
        # (view_id_number), 6 guardianships with their guardian.
        with django_assert_num_queries(6):
            response = client.get(reverse("people:student-detail", args=[world.child_x.pk]))
        assert len(response.context["guardianships"]) == guardians


class TestStudentExportWidths:
    def test_columns_are_wide_enough_for_names_and_id_numbers(self, client, world):
        client.force_login(world.admin)
        response = client.get(reverse(LIST), {"_export": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in sheet[1]]
        widths = {
            name: sheet.column_dimensions[c.column_letter].width
            for name, c in zip(header, sheet[1], strict=True)
        }
        assert widths["姓名"] >= 8
        assert widths["身份证号"] >= 18
        assert widths["学籍号"] >= 18

    def test_student_names_do_not_wrap_in_the_list(self, client, world):
        client.force_login(world.admin)
        html = client.get(reverse(LIST)).text
        url = reverse("people:student-detail", args=[world.child_x.pk])
        assert f'<td class="col-name text-nowrap"><a href="{url}"' in html
