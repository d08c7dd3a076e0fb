"""axe-core (node_modules/axe-core, installed by bin/setup from the npm
registry, never a CDN) over every page each role reaches from its
navigation: no critical and no serious violation. Guardians on a 375 px
phone, staff on a 1366 px desktop."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from afterschool.models import Role
from enrollment.models import Status
from tests import factories as f
from tests.enrollment.conftest import drive

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
# Page links that download files or leave the product (the back office).
SKIP = ("/admin/", "/pdf/", "_export=", "/logout/")


def axe_violations(page) -> list[str]:
    """Critical and serious axe-core violations of the page now shown."""
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}"
        for v in result
        if v["impact"] in ("critical", "serious")
    ]


def walk(browser, live_server, username, viewport) -> dict[str, list[str]]:
    """Log in as ``username``, visit home and every page its navigation
    links to, and return URL → violations for the pages that have any."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    found = {"/login/": axe_violations(page)}
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    links = page.eval_on_selector_all(
        "nav a.nav-link[href], nav a.dropdown-item[href], main a[href]",
        "els => els.map(e => e.getAttribute('href'))",
    )
    urls = ["/"]
    for href in links:
        path = urlsplit(href)
        if href.startswith("/") and not any(s in href for s in SKIP) and href not in urls:
            urls.append(href if path.query else path.path)
    for url in urls[:60]:
        response = page.goto(live_server.url + url)
        if response is None or response.status >= 400:
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        found[url] = axe_violations(page)
    context.close()
    return {url: v for url, v in found.items() if v}


@pytest.fixture
def school_in_term(world):
    """A term with one approved application (guardian X) and the staff roles."""
    term = f.make_term(world.school)
    drive(world.child_x, term, Status.APPROVED, homeroom=world.homeroom_a, admin=world.admin)
    f.make_user(world.school, Role.VOLUNTEER, "vol_axe", name="孙志愿")
    return term


@pytest.mark.browser
@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (bin/setup runs npm ci)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "who",
    ["admin_a", "homeroom_a", "teacher", "vol_axe", "guardian"],
)
def test_no_serious_accessibility_violations(browser, live_server, world, school_in_term, who):
    if who == "guardian":
        username, viewport = world.guardian_x.mobile, PHONE
    elif who == "teacher":
        username, viewport = world.teacher.username, DESKTOP
    else:
        username, viewport = who, DESKTOP
    problems = walk(browser, live_server, username, viewport)
    assert not problems, "\n".join(f"{url}: {v}" for url, vs in problems.items() for v in vs)
