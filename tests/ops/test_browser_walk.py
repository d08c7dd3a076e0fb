"""The browser walk: every role's pages in headless Chromium, under the
production CSP with DEBUG off, with zero console errors.

For each role of the built school (tests/conftest.py ``world`` and the URL
matrix's ``samples``) the walk logs in, collects the links of the navigation
and the home page and follows them one level further (same site, GET pages
only, no downloads, no logout), then adds the URL matrix's sample URL of every
page that role reaches (tests/ops/urlwalk.py) not yet seen. A page fails the
walk on a console error (a CSP violation is one), an uncaught script error, a
sub-resource answering 4xx/5xx or failing, a document answering 500, or a
server time over ``SERVER_BUDGET_MS``. It prints the pages it walked.

Pages added by other features are walked as soon as a nav link or the URL
matrix reaches them.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.factories import PASSWORD
from tests.ops.urlwalk import private_routes, url_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Server time (request sent → first byte) of one page in the test server on
# SQLite; generous for a shared CI machine, tight enough to catch a page that
# runs a query per row of a large table.
SERVER_BUDGET_MS = 3000
# Pages per role from links (the URL matrix samples come on top).
LINK_CAP = 40
ROLES = {
    "admin": "admin_a",
    "homeroom_a": "homeroom_a",
    "teacher": "teacher_a",
    "volunteer": "volunteer_a",
    "guardian_x": None,  # the guardian logs in with their mobile
}
SKIP_PREFIXES = ("/logout", "/admin/", "/static/", "/media/", "/favicon.ico")
SKIP_QUERY = ("format=", "_export=")


def _route_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _walkable(base: str, current: str, href: str | None) -> str | None:
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    url = urljoin(base + current, href)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return None
    if parts.path.startswith(SKIP_PREFIXES) or any(q in parts.query for q in SKIP_QUERY):
        return None
    if parts.path.endswith((".pdf", ".xlsx", ".csv")) or "/pdf" in parts.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _matrix_urls(world, samples) -> dict[str, list[str]]:
    """The URL matrix's sample URL of every HTML page, under the first role
    (in ``ROLES`` order) that opens it: {persona: [url, ...]}."""
    clients = {}
    for persona in ROLES:
        user = getattr(world, persona)
        clients[persona] = Client()
        clients[persona].force_login(user.user if persona.startswith("guardian") else user)
    out: dict[str, list[str]] = {persona: [] for persona in ROLES}
    for route in private_routes():
        url = url_for(route, samples)
        for persona, client in clients.items():
            response = client.get(url)
            if response.status_code in (403, 404, 405):
                continue
            kind = response.get("Content-Type", "")
            if response.status_code == 200 and kind.startswith("text/html"):
                out[persona].append(url)
            break
    return out


class Walker:
    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.problems: list[str] = []
        self.current = ""
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"{self.current}: {exc}"))
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _console(self, msg):
        if msg.type == "error":
            self.problems.append(f"{self.current}: console: {msg.text}")

    def _response(self, response):
        if response.request.resource_type != "document" and response.status >= 400:
            self.problems.append(f"{self.current}: {response.status} {response.url}")

    def _failed(self, request):
        failure = request.failure or ""
        if "ERR_ABORTED" not in failure:  # a download or a navigation away
            self.problems.append(f"{self.current}: failed {request.url} {failure}")

    def visit(self, path: str) -> list[str]:
        """Open ``path``; returns the hrefs of its links (nav and main)."""
        self.current = path
        response = self.page.goto(self.base + path, wait_until="load")
        if response is None:
            return []
        if response.status >= 500:
            self.problems.append(f"{path}: {response.status}")
        timing = response.request.timing
        server = timing["responseStart"] - timing["requestStart"]
        if server > SERVER_BUDGET_MS:
            self.problems.append(f"{path}: server time {server:.0f} ms > {SERVER_BUDGET_MS} ms")
        if not response.headers.get("content-type", "").startswith("text/html"):
            return []
        return self.page.eval_on_selector_all(
            "nav a[href], main a[href], .container a[href], .container-xl a[href]",
            "els => els.map(e => e.getAttribute('href'))",
        )


def test_every_role_walks_its_pages_without_a_console_error(
    browser, live_server, world, samples, settings
):
    settings.DEBUG = False
    base = live_server.url
    walked: dict[str, list[str]] = {}
    problems: list[str] = []
    matrix = _matrix_urls(world, samples)
    for persona, username in ROLES.items():
        if username is None:
            username = getattr(world, persona).mobile
        context = browser.new_context()
        page = context.new_page()
        walker = Walker(page, base)
        page.goto(f"{base}/login/")
        page.get_by_label("用户名或手机号").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("load")
        seen: list[str] = []
        queue = ["/"]
        depth = {"/": 0}
        while queue and len(seen) < LINK_CAP:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.append(path)
            for href in walker.visit(path):
                found = _walkable(base, path, href)
                if found and found not in depth and depth[path] < 2:
                    depth[found] = depth[path] + 1
                    queue.append(found)
        names = {_route_name(urlsplit(p).path) for p in seen}
        for url in matrix[persona]:
            if _route_name(urlsplit(url).path) not in names:
                seen.append(url)
                walker.visit(url)
        walked[persona] = seen
        problems += [f"[{persona}] {p}" for p in walker.problems]
        context.close()
    for persona, pages in walked.items():
        print(f"\n{persona}: {len(pages)} pages\n  " + "\n  ".join(pages))
    assert all(len(pages) > 3 for pages in walked.values()), walked
    assert "/scheduling/calendar/" in walked["admin"]
    assert not problems, "\n".join(problems)
