"""Journeys through real pages in headless Chromium: the administrator finds a
class's students and exports them; a guardian on a phone sees only their child."""

from __future__ import annotations

import openpyxl
import pytest

from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def not_favicon(errors):
    # Browsers ask for /favicon.ico on their own; we do not ship one.
    return [e for e in errors if "404" not in e]


class TestAdminStudentsJourney:
    def test_filter_by_class_and_export_xlsx(
        self, page, live_server, world, console_errors, tmp_path
    ):
        log_in(page, live_server.url, "admin_a", PASSWORD)
        # The admin's people pages sit under one menu of the navbar.
        page.get_by_role("button", name="学校与人员").click()
        page.get_by_role("link", name="学生", exact=True).click()
        page.wait_for_url("**/people/students/")
        assert page.get_by_role("cell", name=world.child_y.name).is_visible()

        page.get_by_label("班级").select_option(label="三年级（1）班")
        page.get_by_role("button", name="筛选").click()
        page.wait_for_url(f"**school_class={world.class_a.pk}*")
        assert page.get_by_role("cell", name=world.child_x.name).is_visible()
        assert page.get_by_role("cell", name=world.child_y.name).count() == 0
        assert world.child_x.id_number not in page.content()

        with page.expect_download() as info:
            page.get_by_role("link", name="导出 Excel").click()
        download = info.value
        assert download.suggested_filename.endswith(".xlsx")
        target = tmp_path / "students.xlsx"
        download.save_as(target)
        header, *rows = openpyxl.load_workbook(target).active.iter_rows(values_only=True)
        assert header[1] == "姓名"
        assert [row[1] for row in rows] == [world.child_x.name]
        assert rows[0][4] == world.child_x.masked_id_number
        assert not_favicon(console_errors) == []


class TestGuardianOnPhone:
    @pytest.fixture
    def browser_context_args(self, browser_context_args):
        return {**browser_context_args, "viewport": {"width": 375, "height": 812}}

    def test_sees_only_own_child_without_horizontal_scroll(
        self, page, live_server, world, console_errors
    ):
        # Guardians type their mobile as they like; the form normalises it.
        log_in(page, live_server.url, "139 0000 0001", PASSWORD)
        assert page.get_by_text(world.child_x.name, exact=True).is_visible()
        assert page.get_by_text("三年级（1）班").is_visible()
        assert page.get_by_text(world.child_y.name).count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

        # The navbar collapses on a phone; Bootstrap's JS must run under the CSP.
        nav = page.locator("#mainnav")
        assert not nav.is_visible()
        page.get_by_role("button", name="菜单").click()
        nav.get_by_role("link", name="我的孩子").wait_for(state="visible")
        assert nav.get_by_role("link", name="学生").count() == 0

        page.get_by_text(world.child_x.name, exact=True).click()
        page.wait_for_url(f"**/people/students/{world.child_x.pk}/")
        assert page.get_by_role("heading", name=world.child_x.name).is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert not_favicon(console_errors) == []

    def test_other_family_child_is_not_found(self, page, live_server, world):
        log_in(page, live_server.url, "13900000001", PASSWORD)
        response = page.goto(f"{live_server.url}/people/students/{world.child_y.pk}/")
        assert response.status == 404
