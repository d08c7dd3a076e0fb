"""/healthz: 200 with the database up, 503 with it down; public, no cookies."""

from __future__ import annotations

import json
import os

import pytest

from tests.ops.conftest import run_python


@pytest.mark.django_db
class TestHealthzUp:
    def test_ok_when_the_database_answers(self, client, django_assert_num_queries):
        with django_assert_num_queries(1):  # SELECT 1
            response = client.get("/healthz")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"status": "ok", "database": "ok"}

    def test_sets_no_cookie_and_is_not_cached(self, client):
        response = client.get("/healthz")
        assert response.cookies == {}
        assert "no-cache" in response["Cache-Control"]
        assert not client.cookies

    def test_needs_no_login_even_when_logged_in_as_anyone(self, world, client):
        client.force_login(world.guardian_x.user)
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}

    def test_post_is_not_allowed(self, client):
        assert client.post("/healthz").status_code == 405


# Runs the real app in another process whose database cannot be reached:
# no mock of the database, a real connection failure.
PROBE = """
import django, json
django.setup()
from django.test import Client
r = Client().get("/healthz")
print(json.dumps({"status": r.status_code, "body": r.json(), "cookies": list(r.cookies)}))
"""


class TestHealthzDown:
    @pytest.mark.parametrize(
        "database_url",
        [
            "sqlite:////nonexistent-dir/afterschool.sqlite3",
            "postgres://postgres@127.0.0.1:1/afterschool",
        ],
        ids=["sqlite-missing", "postgres-refused"],
    )
    def test_503_when_the_database_is_down(self, database_url):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(DJANGO_SETTINGS_MODULE="afterschool.settings", DATABASE_URL=database_url)
        result = run_python(PROBE, env)
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout.strip().splitlines()[-1])
        assert answer == {
            "status": 503,
            "body": {"status": "error", "database": "unavailable"},
            "cookies": [],
        }
        assert "Health check: database unavailable (OperationalError)" in result.stderr
