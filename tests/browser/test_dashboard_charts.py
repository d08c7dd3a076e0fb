"""Each dashboard draws its charts under the production Content-Security-Policy
(the same SECURE_CSP in every settings module) with no console error."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.overview.builders import build_school

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def not_favicon(errors):
    # Browsers ask for /favicon.ico on their own (a 404 console line); the
    # failed-request check below names every other missing file.
    return [e for e in errors if "404" not in e]


@pytest.fixture
def failed_requests(page):
    failed: list[str] = []
    page.on(
        "response",
        lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    return failed


def _charts_drawn(page) -> None:
    boxes = page.locator("[data-chart]")
    n = boxes.count()
    assert n > 0
    page.wait_for_function(
        "n => document.querySelectorAll('[data-chart-drawn]').length === n", arg=n
    )
    assert page.locator("[data-chart] canvas").count() >= n


class TestDashboardCharts:
    def test_admin_dashboard_draws_every_chart(
        self, page, live_server, world, console_errors, failed_requests
    ):
        build_school(world.school, classes=((4, 1), (4, 2)), admin=world.admin)
        log_in(page, live_server.url, "admin_a", PASSWORD)
        response = page.goto(f"{live_server.url}/overview/dashboard/")
        assert "script-src" in response.headers["content-security-policy"]
        _charts_drawn(page)
        assert page.get_by_role("heading", name="报名流程（按班级）").is_visible()
        assert not_favicon(console_errors) == []
        assert failed_requests == []

    def test_homeroom_dashboard_draws_every_chart(
        self, page, live_server, world, console_errors, failed_requests
    ):
        built = build_school(world.school, classes=((4, 1),), admin=world.admin)
        built.classes[0].homeroom_teacher = world.homeroom_a
        built.classes[0].save()
        log_in(page, live_server.url, "homeroom_a", PASSWORD)
        page.goto(f"{live_server.url}/overview/dashboard/")
        _charts_drawn(page)
        assert not_favicon(console_errors) == []
        assert failed_requests == []
