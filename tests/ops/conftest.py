"""Helpers for tests that start the app in another process with production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def production_env(**overrides: str | None) -> dict[str, str]:
    """The process environment for DJANGO_ENV=production with every secret set;
    an override of None removes that variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="afterschool.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="kehou.example.edu.cn,127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://kehou.example.edu.cn",
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'db.sqlite3'}",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(code: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def run_manage(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def database_url(name: str) -> str:
    """A postgresql:// URL for database ``name`` on the test database's server."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def root() -> Path:
    return ROOT
