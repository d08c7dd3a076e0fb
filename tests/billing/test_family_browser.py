"""A guardian reads their child's fee statement on a phone (375 px)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import FeeStatement
from billing.payments.services import payment_record
from billing.statements.services import statements_generate
from tests.billing.conftest import SEPT, enrol
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def console_errors(page):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


class TestGuardianFeesOnPhone:
    @pytest.fixture
    def browser_context_args(self, browser_context_args):
        return {**browser_context_args, "viewport": {"width": 375, "height": 812}}

    def test_statement_itemised_without_horizontal_scroll(
        self, page, live_server, world, term, console_errors
    ):
        enrol(world.child_x, term, by=world.admin)
        enrol(world.child_y, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        payment_record(
            statement=FeeStatement.objects.get(student=world.child_x),
            amount=Decimal("50.00"),
            method="wechat",
            receipt_number="WX-1",
            by=world.admin,
        )
        log_in(page, live_server.url, "13900000001", PASSWORD)
        page.goto(f"{live_server.url}/billing/family/")
        assert page.get_by_text("欠费 46.60 元").is_visible()
        assert page.get_by_text(world.child_y.name).count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_role("link", name="2024年9月 月度账单").click()
        page.wait_for_url("**/billing/statements/*/")
        assert page.get_by_text("9月16日 周一 中秋节放假（不收费）").is_visible()
        assert page.get_by_text("9月14日 周六 中午、下午").is_visible()
        assert page.get_by_text("WX-1").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # Browsers ask for /favicon.ico on their own (404); nothing else may fail.
        assert [e for e in console_errors if "404" not in e] == []
