"""Production settings: refuse to start without secrets, pass the deploy check,
send the security headers."""

from __future__ import annotations

import pytest

from tests.ops.conftest import production_env, run_manage, run_python

SETUP = "import django; django.setup(); print('started')"


class TestProductionSecrets:
    @pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
    def test_start_fails_naming_the_missing_variable(self, missing):
        result = run_python(SETUP, production_env(**{missing: None}))
        assert result.returncode != 0
        assert "started" not in result.stdout
        assert "ImproperlyConfigured" in result.stderr
        assert "DJANGO_ENV=production needs these environment variables" in result.stderr
        assert missing in result.stderr.splitlines()[-1]

    def test_all_missing_are_named_at_once(self):
        env = production_env(SECRET_KEY=None, ALLOWED_HOSTS=None, DATABASE_URL=None)
        result = run_python(SETUP, env)
        assert result.returncode != 0
        assert "SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL" in result.stderr

    def test_short_secret_key_is_refused(self):
        result = run_python(SETUP, production_env(SECRET_KEY="too-short"))
        assert result.returncode != 0
        assert "SECRET_KEY must be 50+ random characters" in result.stderr

    def test_starts_with_every_secret_set(self):
        result = run_python(SETUP, production_env())
        assert result.returncode == 0, result.stderr
        assert "started" in result.stdout

    def test_production_values(self):
        code = (
            "import django, json; django.setup(); from django.conf import settings as s;"
            "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
            " s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS,"
            " s.X_FRAME_OPTIONS, s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS,"
            " 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE,"
            " s.STORAGES['staticfiles']['BACKEND']]))"
        )
        result = run_python(code, production_env())
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == (
            '[false, true, true, true, true, 31536000, "DENY", true,'
            ' ["kehou.example.edu.cn", "127.0.0.1"], true,'
            ' "whitenoise.storage.CompressedManifestStaticFilesStorage"]'
        )


class TestDeployCheck:
    def test_check_deploy_has_no_warnings(self):
        result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
class TestSecurityHeaders:
    def test_login_page_sends_the_content_security_policy(self, client):
        csp = client.get("/login/")["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "form-action 'self'" in csp
        assert "unsafe-inline" not in csp

    def test_frame_nosniff_and_referrer_headers(self, client):
        response = client.get("/login/")
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"

    def test_csrf_cookie_is_http_only(self, client):
        response = client.get("/login/")
        assert response.cookies["csrftoken"]["httponly"] is True

    def test_session_cookie_is_http_only(self, world, client):
        client.post("/login/", {"username": "teacher_a", "password": "pw-for-tests-1"})
        assert client.cookies["sessionid"]["httponly"] is True
