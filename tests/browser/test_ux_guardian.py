"""Guardian pages on a 375 px phone: the sign page brings its first error into
view next to the field, the activation page shows a QR code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from enrollment.models import Agreement, Status
from tests import factories as f
from tests.enrollment.conftest import drive

PHONE = {"width": 375, "height": 740}


def phone_login(browser, live_server, username):
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def wait_in_viewport(page, selector: str) -> None:
    """Wait (Bootstrap scrolls smoothly) until ``selector`` is on screen."""
    page.wait_for_function(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                     return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        arg=selector,
        timeout=5000,
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wrong_name_error_is_next_to_the_field_and_in_view(browser, live_server, world):
    term = f.make_term(world.school)
    app = drive(world.child_x, term, Status.APPROVED, homeroom=world.homeroom_a, admin=world.admin)
    page = phone_login(browser, live_server, world.guardian_x.mobile)
    page.goto(f"{live_server.url}/enrollment/applications/{app.pk}/agreement/sign/")
    page.fill("input[name=signed_name]", "李四")
    page.check("input[name=consent]")
    page.get_by_role("button", name="签署协议书").click()
    error = page.get_by_text("签名须与学校登记的家长姓名一致")
    expect(error).to_be_visible()
    # The error sits in the name field's own block, and that block is on screen.
    assert page.evaluate(
        "document.querySelector('#div_id_signed_name').innerText.includes('签名须与')"
    )
    wait_in_viewport(page, "#id_signed_name")
    assert page.evaluate("document.activeElement.name") == "signed_name"
    assert page.evaluate("window.scrollY") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # What was typed is shown again; correcting it signs.
    assert page.input_value("input[name=signed_name]") == "李四"
    page.fill("input[name=signed_name]", "张伟")
    page.get_by_role("button", name="签署协议书").click()
    expect(page.get_by_text("协议书已签署。")).to_be_visible()
    assert Agreement.objects.filter(application=app).count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_activation_page_shows_a_qr_code_on_a_phone(browser, live_server, settings):
    settings.SITE_URL = "https://kfw.example.cn"
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/activate/")
    qr = page.get_by_alt_text("本页网址的二维码")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('.activate-qr img').naturalWidth") > 0
    expect(page.get_by_text("https://kfw.example.cn/activate/")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
