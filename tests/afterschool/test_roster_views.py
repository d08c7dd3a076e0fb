"""Admin roster pages: upload -> preview -> confirm -> letters, and every wrong persona."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from afterschool.models import ActivationCode, RosterUpload, Student
from tests.afterschool.rosterfiles import csv_bytes, student
from tests.factories import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def make_upload(world, content=None, filename="名册.csv"):
    return RosterUpload.objects.create(
        school=world.school,
        uploaded_by=world.admin,
        filename=filename,
        content=content or csv_bytes([student(1), student(2, 班级="三年级（2）班")]),
        start_year=2024,
    )


def private_urls(world):
    item = make_upload(world)
    return [
        ("get", reverse("roster:upload")),
        ("get", reverse("roster:preview", args=[item.pk])),
        ("post", reverse("roster:confirm", args=[item.pk])),
        ("get", reverse("roster:letters")),
        ("post", reverse("roster:class-letters", args=[world.class_a.pk])),
    ]


class TestPermissions:
    def test_anonymous_is_sent_to_log_in(self, client, world):
        for method, url in private_urls(world):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url
        assert Student.objects.count() == 3

    @pytest.mark.parametrize("persona", ["guardian_x", "homeroom_a", "teacher", "volunteer"])
    def test_other_roles_are_forbidden(self, client, world, persona):
        user = getattr(world, persona)
        if persona == "guardian_x":
            user = user.user
        login(client, user)
        for method, url in private_urls(world):
            assert getattr(client, method)(url).status_code == 403, url
        assert RosterUpload.objects.filter(confirmed_at__isnull=False).count() == 0
        assert not ActivationCode.objects.exists()

    def test_another_schools_admin_gets_404_for_this_schools_upload(self, client, world):
        item = make_upload(world)
        login(client, world.other_admin)
        assert client.get(reverse("roster:preview", args=[item.pk])).status_code == 404
        assert client.post(reverse("roster:confirm", args=[item.pk])).status_code == 404
        url = reverse("roster:class-letters", args=[world.class_a.pk])
        assert client.post(url).status_code == 404
        item.refresh_from_db()
        assert item.confirmed_at is None
        assert Student.objects.count() == 3
        assert not ActivationCode.objects.exists()

    def test_another_schools_admin_does_not_see_the_upload_listed(self, client, world):
        make_upload(world, filename="甲校名册.csv")
        html = login(client, world.other_admin).get(reverse("roster:upload")).content.decode()
        assert "甲校名册.csv" not in html

    def test_letters_page_is_a_get_only_for_the_list_and_post_for_printing(self, client, world):
        login(client, world.admin)
        url = reverse("roster:class-letters", args=[world.class_a.pk])
        assert client.get(url).status_code == 405
        assert not ActivationCode.objects.exists()


class TestUploadPreviewConfirm:
    def test_admin_uploads_previews_and_confirms_the_fixture(self, client, world, fixtures_dir):
        login(client, world.admin)
        content = (fixtures_dir / "roster-grade3.xlsx").read_bytes()
        response = client.post(
            reverse("roster:upload"),
            {"file": SimpleUploadedFile("roster-grade3.xlsx", content), "start_year": 2024},
        )
        item = RosterUpload.objects.get()
        assert (item.school, item.uploaded_by) == (world.school, world.admin)
        assert response.url == reverse("roster:preview", args=[item.pk])

        html = client.get(response.url).content.decode()
        assert "检查通过，共 90 名学生" in html
        assert "学生：将新建 90 名" in html
        assert "家长：将新建 85 名" in html
        assert "确认导入" in html
        # ID numbers masked in the table, also where the 学籍号 embeds one.
        assert "G130925********5018" in html
        assert "130925201606165018" not in html
        assert Student.objects.count() == 3  # preview wrote nothing

        response = client.post(reverse("roster:confirm", args=[item.pk]))
        assert response.status_code == 302
        assert response.url == reverse("roster:letters") + "?year=2024"
        assert Student.objects.filter(school=world.school).count() == 92
        item.refresh_from_db()
        assert item.confirmed_at is not None
        assert item.summary["students_created"] == 90

        html = client.get(response.url).content.decode()
        assert "名册已导入" in html
        assert "三年级（1）班" in html and "打印激活信" in html

    def test_double_confirm_imports_once(self, client, world):
        item = make_upload(world)
        login(client, world.admin)
        client.post(reverse("roster:confirm", args=[item.pk]))
        before = Student.objects.count()
        response = client.post(reverse("roster:confirm", args=[item.pk]), follow=True)
        assert "该名册已经导入过，未重复导入" in response.content.decode()
        assert Student.objects.count() == before == 5
        assert RosterUpload.objects.get().summary["students_created"] == 2

    def test_bad_rows_are_highlighted_and_cannot_be_confirmed(self, client, world):
        bad = csv_bytes([student(1), student(2, 联系电话="12345")], title="三年级名单")
        item = make_upload(world, bad)
        login(client, world.admin)
        html = client.get(reverse("roster:preview", args=[item.pk])).content.decode()
        assert "名册有 1 处问题" in html
        assert "第4行「联系电话」：手机号「12345」不正确，应为1开头的11位手机号" in html
        assert 'class="table-danger"' in html
        assert "确认导入" not in html
        response = client.post(reverse("roster:confirm", args=[item.pk]), follow=True)
        assert "名册有问题，未导入任何数据" in response.content.decode()
        assert Student.objects.count() == 3
        item.refresh_from_db()
        assert item.confirmed_at is None

    def test_unreadable_file_shows_a_clear_message(self, client, world):
        item = make_upload(world, b"not a zip", filename="坏文件.xlsx")
        login(client, world.admin)
        html = client.get(reverse("roster:preview", args=[item.pk])).content.decode()
        assert "无法读取该 Excel 文件" in html

    def test_only_xlsx_and_csv_are_accepted(self, client, world):
        login(client, world.admin)
        response = client.post(
            reverse("roster:upload"),
            {"file": SimpleUploadedFile("名册.xls", b"\xd0\xcf\x11\xe0"), "start_year": 2024},
        )
        assert response.status_code == 200
        assert "只能上传 .xlsx 或 .csv 文件" in response.content.decode()
        assert not RosterUpload.objects.exists()

    def test_file_over_the_size_limit_is_refused(self, client, world, settings):
        settings.ROSTER_UPLOAD_MAX_BYTES = 1024 * 1024
        login(client, world.admin)
        big = SimpleUploadedFile("名册.csv", b"x" * (1024 * 1024 + 1))
        response = client.post(reverse("roster:upload"), {"file": big, "start_year": 2024})
        assert "文件过大（1.0 MB），不能超过 1 MB" in response.content.decode()
        assert not RosterUpload.objects.exists()

    def test_the_form_keeps_the_year_typed(self, client, world):
        login(client, world.admin)
        response = client.post(reverse("roster:upload"), {"start_year": 2031})
        html = response.content.decode()
        assert 'value="2031"' in html
        assert not RosterUpload.objects.exists()

    def test_nav_shows_import_to_admins_only(self, client, world):
        assert "导入名册" in login(client, world.admin).get(reverse("home")).content.decode()
        client.logout()
        assert (
            "导入名册" not in login(client, world.homeroom_a).get(reverse("home")).content.decode()
        )


class TestLetters:
    def test_class_letters_pdf_for_the_admins_class(self, client, world):
        item = make_upload(world)
        login(client, world.admin)
        client.post(reverse("roster:confirm", args=[item.pk]))
        response = client.post(reverse("roster:class-letters", args=[world.class_a.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"]
        # One new code for the imported guardian; world's guardian_x already
        # has a password (activated), so no code for them.
        assert ActivationCode.objects.count() == 1

    @pytest.mark.parametrize("extra_classes", [0, 4])
    def test_letters_list_query_count_does_not_grow_with_classes(
        self, client, world, django_assert_num_queries, extra_classes
    ):
        from tests import factories as f

        for n in range(extra_classes):
            f.make_student(f.make_class(world.school, 4, n + 1), f"学生{n}")
        login(client, world.admin)
        # session; user; school years (list); selected year; classes with
        # counts (one aggregate query). The user's school comes with the user.
        with django_assert_num_queries(5):
            response = client.get(reverse("roster:letters"))
        assert len(response.context["classes"]) == 2 + extra_classes


class TestUploadBounds:
    """Hostile or oversized rosters are refused on upload; the preview is paged."""

    def test_a_declared_huge_sheet_is_refused_on_upload_with_the_limit(self, client, world):
        import io
        import re
        import zipfile

        from tests.afterschool.rosterfiles import xlsx_bytes

        content = xlsx_bytes([student(1)])
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(content)) as src,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
        ):
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = re.sub(
                        rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', data
                    )
                dst.writestr(item.filename, data)
        login(client, world.admin)
        response = client.post(
            reverse("roster:upload"),
            {"file": SimpleUploadedFile("名册.xlsx", out.getvalue()), "start_year": 2024},
        )
        assert response.status_code == 200
        assert "名册超过 10000 行的上限" in response.content.decode()
        assert not RosterUpload.objects.exists()

    def test_preview_shows_one_page_of_rows_and_of_problems(self, client, world, settings):
        settings.ROSTER_PREVIEW_PER_PAGE = 10
        rows = [student(i, 性别="?") for i in range(1, 26)]  # 25 rows, each with a problem
        item = make_upload(world, csv_bytes(rows))
        login(client, world.admin)
        url = reverse("roster:preview", args=[item.pk])
        html = client.get(url).content.decode()
        assert html.count('class="table-danger"') == 10
        assert "另有 15 处问题未列出" in html
        assert "第 1 / 3 页" in html
        last = client.get(url + "?page=3").content.decode()
        assert last.count('class="table-danger"') == 5
        assert client.get(url + "?page=abc").status_code == 200
