"""Irreversible actions ask first (static/js/confirm.js, no inline script):
dismissing the question sends nothing, accepting it sends the form."""

from __future__ import annotations

import pytest

from afterschool.models import ActivationCode
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class TestConfirm:
    def test_reset_login_asks_first(self, page, live_server, world):
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "admin_a", PASSWORD)
        page.goto(f"{live_server.url}/people/students/{world.child_x.pk}/")
        asked: list[str] = []

        def refuse(dialog):
            asked.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", refuse)
        page.get_by_role("button", name="重置登录").click()
        page.wait_for_timeout(300)
        assert asked and "重置登录" in asked[0]
        assert not ActivationCode.objects.exists()
        page.once("dialog", lambda dialog: dialog.accept())
        # The reset answers with the letter to print (a download, not a page).
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.get_by_role("button", name="重置登录").click()
        assert ActivationCode.objects.filter(user=world.guardian_x.user).exists()
        assert errors == []
