"""Playwright set-up for the browser journeys: Debian's Chromium, headless.

Debian's Chromium is set for every browser test in tests/conftest.py;
``live_server`` serves the app (settings_test allows Django's sync ORM beside
Playwright's sync API in one thread).
"""

from __future__ import annotations

import pytest


@pytest.fixture
def console_errors(page):
    """Console errors and CSP violations seen by ``page`` during the test."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/")
