"""The enrollment journey in headless Chromium: a guardian applies on a
375 px phone, the homeroom teacher approves and submits the class, the admin
approves, the guardian signs the agreement and downloads it as PDF."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from enrollment.models import Agreement, Application, Status
from tests import factories as f
from tests.enrollment.test_pdf import flat, pdf_text

SHOTS = os.environ.get("ENROLLMENT_SCREENSHOTS")  # a folder, to look at the pages


def log_in(browser, live_server, username, *, phone=False):
    size = {"width": 375, "height": 812} if phone else {"width": 1280, "height": 900}
    page = browser.new_context(viewport=size, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def shot(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_apply_review_approve_sign(browser, live_server, world):
    f.make_term(world.school)
    url = live_server.url + "/enrollment/"

    # Guardian on a phone: fill in the application and submit.
    guardian = log_in(browser, live_server, world.guardian_x.mobile, phone=True)
    guardian.goto(url)
    shot(guardian, "01-family")
    guardian.get_by_role("link", name="填写课后服务申请").click()
    guardian.check("input[name=wants_noon]")
    guardian.check("input[name=wants_after_school]")
    guardian.fill("input[name=pickup_name]", "张伟")
    guardian.fill("input[name=pickup_relation]", "父亲")
    guardian.fill("input[name=pickup_mobile]", "139 0000 0001")
    guardian.fill("input[name=emergency_name]", "王芳")
    guardian.fill("input[name=emergency_mobile]", "13900000009")
    guardian.fill("textarea[name=reason]", "父母下班晚，无人接送。")
    shot(guardian, "02-application-form")
    guardian.get_by_role("button", name="提交申请").click()
    expect(guardian.get_by_text("申请已提交，请等待班主任审核。")).to_be_visible()
    # Nothing wider than the phone's screen.
    assert guardian.evaluate("document.documentElement.scrollWidth") <= 375
    shot(guardian, "03-submitted")

    # Homeroom teacher: approve, then submit the class list.
    teacher = log_in(browser, live_server, "homeroom_a")
    teacher.goto(f"{url}classes/{world.class_a.pk}/review/")
    shot(teacher, "04-review")
    teacher.get_by_role("button", name="通过", exact=True).click()
    expect(teacher.get_by_text("已审核通过张小明的申请。")).to_be_visible()
    # 上报学校 cannot be undone: the page asks first (static/js/confirm.js).
    teacher.once("dialog", lambda dialog: dialog.accept())
    teacher.get_by_role("button", name="以班为单位上报学校").click()
    expect(teacher.get_by_text("班级名单已上报学校")).to_be_visible()

    # Admin: approve the class submission.
    admin = log_in(browser, live_server, "admin_a")
    admin.goto(f"{url}submissions/")
    admin.get_by_role("link", name="审核", exact=True).click()
    shot(admin, "05-submission")
    admin.get_by_role("button", name="全部批准").click()
    expect(admin.get_by_text("已批准1份申请。")).to_be_visible()

    # Guardian signs.
    guardian.goto(url)
    guardian.get_by_role("link", name="阅读并签署协议书").click()
    expect(guardian.get_by_text("4.60元/天/生")).to_be_visible()
    guardian.fill("input[name=signed_name]", "张伟")
    guardian.check("input[name=consent]")
    shot(guardian, "06-sign")
    guardian.get_by_role("button", name="签署协议书").click()
    expect(guardian.get_by_text("协议书已签署。")).to_be_visible()
    assert guardian.evaluate("document.documentElement.scrollWidth") <= 375
    shot(guardian, "07-signed")

    # … and downloads the signed agreement as PDF.
    with guardian.expect_download() as download_info:
        guardian.get_by_role("link", name="下载协议书PDF").click()
    data = Path(download_info.value.path()).read_bytes()
    text = flat(pdf_text(data))
    assert "张小明" in text and "4.60元/天/生" in text
    assert "乙方张伟于" in text and "在线签署" in text

    app = Application.objects.get()
    assert app.status == Status.APPROVED and app.pickup_mobile == "13900000001"
    assert Agreement.objects.get(application=app).signed_name == "张伟"
