"""The Django admin for back-office fixes: every model registered, Chinese
labels, search, filters, masked ID numbers, fixed query counts."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from afterschool.models import Role, User
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client, world):
    user = User.objects.create_superuser("root", password=f.PASSWORD)
    client.force_login(user)
    return user


def changelist(model_name):
    return reverse(f"admin:afterschool_{model_name}_changelist")


class TestRegistration:
    def test_every_afterschool_model_is_registered(self):
        models = set(apps.get_app_config("afterschool").get_models())
        assert models <= set(admin.site._registry)

    @pytest.mark.parametrize(
        "model", [m._meta.model_name for m in apps.get_app_config("afterschool").get_models()]
    )
    def test_changelist_opens_with_chinese_title(self, client, root, model):
        response = client.get(changelist(model))
        assert response.status_code == 200
        verbose = str(apps.get_model("afterschool", model)._meta.verbose_name)
        assert verbose in response.content.decode()

    def test_admin_index_is_in_chinese(self, client, root):
        html = client.get(reverse("admin:index")).content.decode()
        assert "课后服务 · 后台管理" in html
        assert "学校与人员" in html


class TestStudentAdmin:
    def test_changelist_masks_id_numbers(self, client, root, world):
        html = client.get(changelist("student")).content.decode()
        assert world.child_x.id_number not in html
        assert world.child_x.masked_id_number in html

    def test_search_by_name(self, client, root, world):
        response = client.get(changelist("student"), {"q": "小明"})
        assert list(response.context["cl"].result_list) == [world.child_x]

    def test_filter_by_priority_flag(self, client, root, world):
        world.child_y.is_left_behind = True
        world.child_y.save(update_fields=["is_left_behind"])
        response = client.get(changelist("student"), {"is_left_behind__exact": "1"})
        assert list(response.context["cl"].result_list) == [world.child_y]

    @pytest.mark.parametrize("size", [5, 50])
    def test_changelist_query_count_is_fixed(
        self, client, root, world, django_assert_num_queries, size
    ):
        for i in range(size):
            f.make_student(world.class_a, f"学生{i}")
        # 1 session, 2 user, 3 COUNT filtered, 4 COUNT all, 5 the page of
        # students with class and school, 6 schools for the school filter
        # (the grade filter's choices are fixed names, no query).
        with django_assert_num_queries(6):
            response = client.get(changelist("student"))
        assert response.status_code == 200


class TestUserAdmin:
    def test_changelist_shows_name_school_role(self, client, root, world):
        html = client.get(changelist("user")).content.decode()
        for text in ("李老师", "实验小学", "班主任"):
            assert text in html

    def test_changing_role_moves_the_user_to_the_role_group(self, client, root, world):
        user = world.teacher
        url = reverse("admin:afterschool_user_change", args=[user.pk])
        form = client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
        data.update(
            {
                "username": user.username,
                "name": user.name,
                "school": world.school.pk,
                "role": Role.HOMEROOM,
                "mobile": "",
                "email": "",
                "groups": [g.pk for g in user.groups.all()],
                "user_permissions": [],
                "last_login_0": "",
                "last_login_1": "",
                "date_joined_0": "2024-09-01",
                "date_joined_1": "08:00:00",
                "is_active": "on",
            }
        )
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        user.refresh_from_db()
        assert user.role == Role.HOMEROOM
        names = set(user.groups.values_list("name", flat=True))
        assert names == {"班主任"}
        assert Group.objects.filter(name="教师").exists()


class TestGradeFilter:
    def test_student_grade_filter_uses_grade_names(self, client, root, world):
        f.make_student(f.make_class(world.school, 5, 1), "五年级学生")
        response = client.get(changelist("student"), {"grade": "5"})
        assert [s.name for s in response.context["cl"].result_list] == ["五年级学生"]
        assert "五年级" in response.content.decode()

    def test_class_grade_filter(self, client, root, world):
        five = f.make_class(world.school, 5, 1)
        response = client.get(changelist("schoolclass"), {"grade": "5"})
        assert list(response.context["cl"].result_list) == [five]


class TestChangeForms:
    @pytest.mark.parametrize("model", ["student", "guardian", "schoolclass", "user"])
    def test_change_form_opens(self, client, root, world, model):
        obj = {
            "student": world.child_x,
            "guardian": world.guardian_x,
            "schoolclass": world.class_a,
            "user": world.homeroom_a,
        }[model]
        response = client.get(reverse(f"admin:afterschool_{model}_change", args=[obj.pk]))
        assert response.status_code == 200

    def test_blank_choice_is_chinese(self, client, root, world):
        html = client.get(reverse("admin:afterschool_student_add")).content.decode()
        assert "- 请选择 -" in html
        assert "Select an option" not in html
