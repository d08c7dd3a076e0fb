"""Personal data (minors' data protected): a full ID number appears on one page only, the
student detail page for a school admin holding ``view_id_number``; every
other page, PDF and export (walked from the URL resolver, so new pages are
covered) shows it masked. Nothing of the request reaches the logs."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from afterschool.models import Student
from tests.ops.urlwalk import pdf_text, private_routes, url_for

ROUTES = private_routes()
# The one page allowed to show a full ID number (to an admin with the permission).
FULL_ID_PAGE = "people:student-detail"
# The payment platform's list, which needs the full 学籍号 (same permission).
PLATFORM_LIST = "billing:payment-list"
# Exports reached by POST (a GET only lists what to print).
POST_EXPORTS = {"roster:class-letters"}
# Query strings that fill a page with the sample data (September 2024, the
# sample term) or ask for an export, per URL.
QUERIES = {
    "billing:fee-sheet": [
        "?month=2024-09",
        "?month=term",
        *(f"?month=2024-09&format={fmt}" for fmt in ("pdf", "xlsx", "csv")),
    ],
    "billing:statements": ["?month=2024-09"],
    "billing:workload": ["?month=2024-09"],
    "scheduling:roll-index": ["?date=2024-09-03"],
    "scheduling:absences": ["?date=2024-09-03"],
    "scheduling:dismissal-index": ["?date=2024-09-03"],
    "scheduling:dismissal-class": ["?date=2024-09-03"],
}
# A full 18-character ID number, also inside a 学籍号 ("G" + ID number).
ID_PATTERN = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
PERSONAS = ("admin", "homeroom_a", "guardian_x")


def persona_user(world, persona):
    user = getattr(world, persona)
    return user.user if persona.startswith("guardian") else user


def response_text(response) -> str:
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/pdf"):
        return pdf_text(response.content)
    if content_type.startswith("text/csv"):
        return response.content.decode("utf-8-sig", errors="replace")
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            " ".join("" if cell is None else str(cell) for cell in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return response.content.decode(errors="replace")


def export_urls(route, url: str) -> list[str]:
    """django-tables2 exports of a list view: one URL per format."""
    view_class = getattr(route.view, "view_class", None)
    formats = getattr(view_class, "export_formats", ()) if view_class else ()
    param = getattr(view_class, "export_trigger_param", "_export")
    return [f"{url}?{param}={fmt}" for fmt in formats]


def full_ids_shown(text: str, id_numbers: set[str]) -> set[str]:
    return set(ID_PATTERN.findall(text)) | {i for i in id_numbers if i in text}


@pytest.fixture
def more_students(world, samples):
    """A few more children, so lists and exports have several rows."""
    from tests import factories as f

    for i in range(3):
        f.make_student(world.class_a, f"学生{i}")
    return set(Student.objects.values_list("id_number", flat=True))


def test_full_id_number_only_on_the_admins_student_detail(world, samples, more_students):
    client = Client()
    shown: dict[tuple[str, str], set[str]] = {}
    visited = 0
    for persona in PERSONAS:
        client.force_login(persona_user(world, persona))
        for route in ROUTES:
            url = url_for(route, samples)
            urls = [("get", url), *(("get", u) for u in export_urls(route, url))]
            urls += [("get", url + query) for query in QUERIES.get(route.name, [])]
            if route.name in POST_EXPORTS:
                urls.append(("post", url))
            for method, target in urls:
                response = getattr(client, method)(target)
                if response.status_code != 200:
                    continue
                visited += 1
                found = full_ids_shown(response_text(response), more_students)
                if found:
                    shown[(persona, f"{method.upper()} {target}")] = found
    detail = reverse(FULL_ID_PAGE, args=[world.child_x.pk])
    # The 缴费清单 for the payment platform carries the 学籍号 the platform
    # needs, for an admin holding the ID-number permission only (masked
    # without it: tests/billing/test_platform.py).
    platform = f"GET {reverse(PLATFORM_LIST)}"
    listed = {k: v for k, v in shown.items() if k[1].startswith(platform)}
    assert set(listed) == {("admin", platform)}
    assert listed[("admin", platform)] <= more_students
    rest = {k: v for k, v in shown.items() if k not in listed}
    assert rest == {("admin", f"GET {detail}"): {world.child_x.id_number}}
    assert visited > 60, visited  # the walk really rendered the site


def test_student_export_masks_id_numbers_and_needs_no_extra_permission(world, samples):
    # The only export today; it holds no full ID number, so no permission
    # beyond the list's own is needed. An export with full ID numbers would
    # need its own permission, and the walk above would fail first.
    client = Client()
    client.force_login(world.admin)
    response = client.get(reverse("people:student-list") + "?_export=xlsx")
    assert response.status_code == 200
    text = response_text(response)
    assert world.child_x.masked_id_number in text
    assert world.child_x.id_number not in text


def test_admin_without_the_permission_sees_the_detail_masked(world, samples):
    from django.contrib.auth.models import Permission

    world.admin.groups.clear()
    perms = Permission.objects.exclude(codename="view_id_number")
    world.admin.user_permissions.set(perms.filter(content_type__app_label="afterschool"))
    client = Client()
    client.force_login(world.admin)
    html = client.get(reverse(FULL_ID_PAGE, args=[world.child_x.pk])).content.decode()
    assert world.child_x.masked_id_number in html
    assert world.child_x.id_number not in html


@pytest.mark.urls("tests.ops.urls_errors")
class TestNothingPersonalInTheLogs:
    ID = "130925201605011234"
    MOBILE = "13912345678"

    @pytest.fixture
    def log(self):
        """What the configured console handler (settings.LOGGING) writes."""
        handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
        stream = io.StringIO()
        old = handler.setStream(stream)
        yield stream
        handler.setStream(old)

    def test_server_error_with_personal_data_in_the_request(self, world, log):
        client = Client(raise_request_exception=False)
        client.force_login(world.teacher)
        response = client.post(
            f"/test-errors/boom/?id_number={self.ID}&mobile={self.MOBILE}",
            {"id_number": self.ID, "mobile": self.MOBILE},
        )
        assert response.status_code == 500
        output = log.getvalue()
        assert "Internal Server Error: /test-errors/boom/" in output
        assert "RuntimeError: student <id-number> broke the page" in output  # the traceback
        assert self.ID not in output and "130925201605011234" not in output
        assert self.MOBILE not in output
        assert "130925201605011234" not in response.content.decode()

    def test_not_found_with_personal_data_in_the_path(self, world, log):
        client = Client()
        client.force_login(world.teacher)
        assert client.get(f"/people/guardians/{self.MOBILE}/{self.ID}/").status_code == 404
        output = log.getvalue()
        assert "Not Found: /people/guardians/<mobile>/<id-number>/" in output
        assert self.ID not in output and self.MOBILE not in output
