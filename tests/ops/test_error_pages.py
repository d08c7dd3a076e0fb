"""Error pages in Chinese that reveal nothing; CSRF enforced; oversized bodies refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from afterschool.models import User
from tests.factories import PASSWORD
from tests.ops.urls_errors import SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ops.urls_errors")]


class TestErrorPages:
    def test_404_is_chinese_and_does_not_echo_the_path(self, client):
        response = client.get(f"/students/{SECRET}/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "页面不存在" in html
        assert SECRET not in html
        assert "Page not found" not in html

    def test_403_is_chinese_and_hides_the_reason(self, world, client):
        client.force_login(world.teacher)
        response = client.get("/test-errors/forbidden/")
        assert response.status_code == 403
        html = response.content.decode()
        assert "没有权限" in html
        assert SECRET not in html

    def test_500_is_chinese_and_hides_the_exception(self, world):
        client = Client(raise_request_exception=False)
        client.force_login(world.teacher)
        response = client.get("/test-errors/boom/")
        assert response.status_code == 500
        html = response.content.decode()
        assert "系统出错了" in html
        assert SECRET not in html
        assert "RuntimeError" not in html
        assert "Traceback" not in html


class TestCsrf:
    def test_login_post_without_token_is_refused_with_chinese_page(self, world):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/login/", {"username": "teacher_a", "password": PASSWORD})
        assert response.status_code == 403
        html = response.content.decode()
        assert "页面已过期，请刷新后重试" in html
        assert "CSRF" not in html  # no technical reason shown
        assert "_auth_user_id" not in client.session

    def test_login_post_with_token_is_accepted(self, world):
        client = Client(enforce_csrf_checks=True)
        client.get("/login/")
        token = client.cookies["csrftoken"].value
        response = client.post(
            "/login/",
            {"username": "teacher_a", "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.teacher.pk)

    def test_logout_post_without_token_keeps_the_session(self, world):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.teacher)
        response = client.post("/logout/")
        assert response.status_code == 403
        assert client.session["_auth_user_id"] == str(world.teacher.pk)


class TestOversizedRequests:
    def test_oversized_upload_is_refused_before_it_is_read(self, client, settings, tmp_path):
        settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
        big = SimpleUploadedFile(
            "roster.xlsx", b"x" * (settings.REQUEST_BODY_MAX_BYTES + 1), "application/octet-stream"
        )
        response = client.post("/test-errors/upload/", {"file": big})
        assert response.status_code == 413
        html = response.content.decode()
        assert "上传的文件太大" in html
        assert "不能超过 5 MB" in html
        assert "got" not in html  # the view never ran
        assert list(tmp_path.iterdir()) == []  # nothing spooled to disk

    def test_upload_within_the_limit_reaches_the_view(self, client, settings):
        small = SimpleUploadedFile("roster.csv", "姓名\n张小明\n".encode(), "text/csv")
        response = client.post("/test-errors/upload/", {"file": small})
        assert response.status_code == 200
        assert response.content == b"got roster.csv"

    def test_oversized_login_post_writes_nothing(self, world, client, settings):
        users_before = list(User.objects.values_list("pk", "last_login"))
        response = client.post(
            "/login/",
            {
                "username": "teacher_a",
                "password": PASSWORD,
                "padding": "x" * settings.REQUEST_BODY_MAX_BYTES,
            },
        )
        assert response.status_code == 413
        assert "_auth_user_id" not in client.session
        assert list(User.objects.values_list("pk", "last_login")) == users_before

    def test_refusal_page_keeps_the_security_headers(self, client, settings):
        response = client.post("/login/", {"padding": "x" * settings.REQUEST_BODY_MAX_BYTES})
        assert response.status_code == 413
        assert response["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in response["Content-Security-Policy"]
