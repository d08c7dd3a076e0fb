"""What a guardian's phone downloads on a weak signal, under the production
static set-up (collectstatic with WhiteNoise's compressed, hashed storage;
pages gzipped as nginx does, deploy/nginx/afterschool.conf): the first page
with every asset it needs under 100 KB, each later page under 20 KB (its
assets are cached: hashed names with a year's Cache-Control).

Also checks the trimmed Bootstrap (static/css/bootstrap.trimmed.css, built by
``npm run build:css``) still has every Bootstrap class a template uses."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from enrollment.models import Status
from tests import factories as f
from tests.enrollment.conftest import drive

ROOT = Path(settings.BASE_DIR)
FIRST_PAGE_LIMIT = 100 * 1024
LATER_PAGE_LIMIT = 20 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@pytest.fixture
def production_static(collected_static):
    """Production's collected static files (compressed, hashed names) with
    WhiteNoise in front, for the test's duration."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    middleware = list(settings.MIDDLEWARE)
    if "whitenoise.middleware.WhiteNoiseMiddleware" not in middleware:
        middleware.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    with override_settings(STATIC_ROOT=collected_static, STORAGES=storages, MIDDLEWARE=middleware):
        yield


def page_bytes(response) -> int:
    """Bytes on the wire for an HTML page gzipped by nginx (level 1, its default)."""
    return len(gzip.compress(response.content, compresslevel=1))


def asset_bytes(client, url) -> tuple[int, str]:
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content)
    return len(body), response.headers.get("Cache-Control", "")


@pytest.mark.django_db
def test_guardian_pages_weigh_little_on_a_weak_signal(production_static, world):
    term = f.make_term(world.school)
    app = drive(world.child_x, term, Status.APPROVED, homeroom=world.homeroom_a, admin=world.admin)
    client = Client()
    # First visit: the login page and everything it loads.
    login_page = client.get(reverse("login"))
    assets = set(ASSET.findall(login_page.content.decode()))
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    first = page_bytes(login_page)
    for url in assets:
        size, cache = asset_bytes(client, url)
        first += size
        # Hashed names: cached for a year, so later pages do not fetch them again.
        assert "max-age=315360000" in cache or "immutable" in cache, (url, cache)
    assert first < FIRST_PAGE_LIMIT, f"first page {first} bytes"

    client.force_login(world.guardian_x.user)
    pages = [
        reverse("home"),
        reverse("enrollment:family"),
        reverse("enrollment:application-detail", args=[app.pk]),
        reverse("enrollment:agreement-sign", args=[app.pk]),
        reverse("scheduling:timetable-me"),
        reverse("scheduling:leave-list"),
        reverse("scheduling:leave-create"),
        reverse("scheduling:club-choose-index"),
        reverse("billing:family"),
    ]
    weights = {}
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        later = page_bytes(response)
        for asset in set(ASSET.findall(response.content.decode())) - assets:
            later += asset_bytes(client, asset)[0]  # an asset the first page did not load
        weights[url] = later
    heavy = {url: w for url, w in weights.items() if w >= LATER_PAGE_LIMIT}
    assert not heavy, heavy


def test_trimmed_bootstrap_has_every_class_the_templates_use():
    """A template using a Bootstrap class that the trimmed CSS dropped means
    ``npm run build:css`` was not re-run; this names the classes."""
    full = (ROOT / "static/vendor/bootstrap/bootstrap.min.css").read_text()
    trimmed = (ROOT / "static/css/bootstrap.trimmed.css").read_text()
    selector = re.compile(r"\.([a-zA-Z][\w-]*)")
    in_full, in_trimmed = set(selector.findall(full)), set(selector.findall(trimmed))
    used: set[str] = set()
    for path in (ROOT / "templates").rglob("*.html"):
        if "pdf" in path.parts:
            continue
        for attr in re.findall(r'class="([^"]*)"', path.read_text()):
            used.update(t for t in re.sub(r"\{[{%].*?[%}]\}", " ", attr).split())
    missing = sorted(c for c in used if c in in_full and c not in in_trimmed)
    assert not missing, f"run `npm run build:css`: {missing}"
