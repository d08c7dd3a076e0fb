"""A guardian ranks clubs on a 375 px phone, in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scheduling.models import ClubChoice
from tests import factories as f
from tests.scheduling.club_helpers import enroll, make_club, open_window


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_guardian_ranks_clubs_on_a_phone(browser, live_server, world):
    term = f.make_term(world.school, 2024)
    football = make_club(term, name="足球社", grades=(3, 6))
    choir = make_club(term, name="合唱团", grades=(2, 6))
    make_club(term, name="绘本阅读", grades=(1, 2))
    enroll(world.child_x, term)
    open_window(term)

    page = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", world.guardian_x.mobile)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/scheduling/clubs/choose/")  # one child: straight to the form
    expect(page.locator("#window-status")).to_contain_text("社团选课开放中")
    # Only clubs open to grade 3 are offered, with capacity and demand.
    expect(page.locator(".club-card")).to_have_count(2)
    # The choice boxes come first; the cards are folded under their summary.
    page.locator(".club-cards > summary").click()
    expect(page.get_by_text("名额 30 人 · 第一志愿 0 人 · 共 0 人填报").first).to_be_visible()

    # A mistake first: the same club twice is refused, nothing saved.
    page.select_option("select[name=rank1]", label="足球社（科技）")
    page.select_option("select[name=rank2]", label="足球社（科技）")
    page.get_by_role("button", name="保存志愿").click()
    expect(page.get_by_text("同一个社团不能重复填报。")).to_be_visible()
    assert ClubChoice.objects.count() == 0

    page.select_option("select[name=rank2]", label="合唱团（科技）")
    page.get_by_role("button", name="保存志愿").click()
    expect(page.get_by_text("已保存 张小明 的社团志愿：足球社、合唱团。")).to_be_visible()
    expect(page.locator("#saved-choices li")).to_have_text(["足球社", "合唱团"])
    # The form shows the saved ranking again, and nothing is wider than the phone.
    expect(page.locator("select[name=rank1]")).to_have_value(str(football.pk))
    expect(page.locator("select[name=rank2]")).to_have_value(str(choir.pk))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert list(ClubChoice.objects.order_by("rank").values_list("club__name", flat=True)) == [
        "足球社",
        "合唱团",
    ]
