"""The site's own pages obey its CSP: no inline handlers or styles, and a favicon."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE = re.compile(r"""\s(on[a-z]+|style)\s*=\s*["']""", re.I)


def test_no_template_has_an_inline_handler_or_style():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] == "pdf":
            continue  # PDFs are rendered by WeasyPrint, not a browser under the CSP
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:80]}")
    assert not found, "\n".join(found)


def test_favicon_is_linked_and_served(client, world):
    client.force_login(world.admin)
    html = client.get(reverse("home")).content.decode()
    assert 'rel="icon" href="/static/favicon.ico"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("favicon.ico")
    assert (TEMPLATES.parent / "static" / "favicon.ico").stat().st_size > 0


def test_calendar_term_selector_has_a_submit_button(client, world):
    from tests import factories as f

    f.make_term(world.school)
    client.force_login(world.admin)
    html = client.get(reverse("scheduling:calendar")).content.decode()
    assert "data-autosubmit" in html and "切换学期" in html
