"""The admin suspends a day on the calendar; the guardian's phone (375 px)
shows the unread notice on the home page, and reading it clears the badge."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class TestSuspensionReachesThePhone:
    def test_admin_suspends_guardian_sees_it(self, browser, live_server, world, term):
        admin = browser.new_context()
        page = admin.new_page()
        log_in(page, live_server.url, "admin_a", PASSWORD)
        # Only a day from today on can be suspended: the server (and the
        # form's date picker) live on Mon 9 Sep 2024 for the admin's part.
        with time_machine.travel(datetime.datetime(2024, 9, 9, 8, tzinfo=datetime.UTC)):
            page.goto(f"{live_server.url}/scheduling/calendar/?term={term.pk}&month=2024-09")
            page.get_by_label("日期").first.fill("2024-09-10")
            page.get_by_label("给家长的通知").fill("因教室消毒，9月10日暂停课后服务。")
            page.get_by_role("button", name="暂停并通知家长").click()
            page.wait_for_load_state()
        admin.close()

        phone = browser.new_context(viewport={"width": 375, "height": 812})
        page = phone.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "13900000001", PASSWORD)
        assert page.locator('[data-todo="unread"]').is_visible()
        assert page.locator('a[data-unread="1"]').count() == 1
        page.locator('[data-todo="unread"]').click()
        page.get_by_text("停课通知").first.click()
        assert page.get_by_text("因教室消毒，9月10日暂停课后服务。").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.goto(f"{live_server.url}/")
        assert page.locator('a[data-unread="0"]').count() == 1
        assert errors == []
        phone.close()
