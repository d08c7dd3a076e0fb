"""A guardian on a 375 px phone: ranks clubs by tapping their cards (the
select boxes stay the form and follow), and reads the week's timetable as a
list of days; on a 1366 px desktop the timetable is the grid."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from afterschool.models import RoomKind
from scheduling.models import ClubChoice
from scheduling.rota.services import rota_generate, sessions_generate
from tests import factories as f
from tests.browser.test_accessibility import axe_violations
from tests.scheduling.club_helpers import enroll, enroll_every_class, make_club, open_window

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1366, "height": 800}


def log_in(browser, live_server, username, viewport=PHONE, **context):
    page = browser.new_context(viewport=viewport, locale="zh-CN", **context).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def card(page, name):
    return page.locator(".club-card", has_text=name)


def ranks(page) -> list[str]:
    return [page.input_value(f"select[name=rank{i}]") for i in (1, 2, 3)]


@pytest.fixture
def clubs(world):
    term = f.make_term(world.school, 2024)
    made = {
        name: make_club(term, name=name, grades=(3, 6))
        for name in ("足球社", "合唱团", "围棋", "美术")
    }
    enroll(world.child_x, term)
    open_window(term)
    return made


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tapping_cards_ranks_clubs_and_keeps_the_boxes_in_step(
    browser, live_server, world, clubs, console_errors
):
    page = log_in(browser, live_server, world.guardian_x.mobile)
    page.goto(f"{live_server.url}/scheduling/clubs/choose/")
    expect(page.get_by_text("也可以展开下面的“可选社团”，点一下社团卡片")).to_be_visible()
    page.locator(".club-cards > summary").click()
    football = card(page, "足球社")
    # The button names its club (the visually hidden part), for a screen reader.
    toggle = football.get_by_role("button", name=re.compile(r"^选为志愿\s*：足球社$"))
    expect(toggle).to_have_attribute("aria-pressed", "false")
    status = page.locator("#club-rank-status")
    expect(status).to_have_text("还没有选。点一下社团卡片，依次排为第一、第二、第三志愿。")

    # A tap anywhere on the card gives it the next free choice, shown as text.
    football.get_by_text("名额 30 人").click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(football.locator("[data-rank-label]")).to_have_text("第一志愿")
    assert ranks(page) == [str(clubs["足球社"].pk), "", ""]
    # The keyboard reaches the same button: Space on 合唱团's, Enter on 围棋's.
    card(page, "合唱团").get_by_role("button").focus()
    page.keyboard.press("Space")
    card(page, "围棋").get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(card(page, "围棋").locator("[data-rank-label]")).to_have_text("第三志愿")
    assert ranks(page) == [str(clubs[n].pk) for n in ("足球社", "合唱团", "围棋")]
    expect(status).to_have_text("已选：第一志愿 足球社；第二志愿 合唱团；第三志愿 围棋")

    # A fourth is refused with the reason; nothing changes.
    card(page, "美术").click()
    expect(status).to_contain_text("三个志愿都已选满")
    expect(card(page, "美术").get_by_role("button")).to_have_attribute("aria-pressed", "false")
    assert ranks(page)[2] == str(clubs["围棋"].pk)

    # Tapping a ranked card again takes it back; the later choices move up.
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(football.locator("[data-rank-label]")).to_have_text("")
    expect(card(page, "合唱团").locator("[data-rank-label]")).to_have_text("第一志愿")
    assert ranks(page) == [str(clubs["合唱团"].pk), str(clubs["围棋"].pk), ""]
    expect(status).to_contain_text("已取消：足球社。")

    # A box changed by hand: the cards follow it.
    page.select_option("select[name=rank3]", label="美术（科技）")
    expect(card(page, "美术").locator("[data-rank-label]")).to_have_text("第三志愿")
    expect(card(page, "美术").get_by_role("button")).to_have_attribute("aria-pressed", "true")

    # Wherever the cards are scrolled, the ranking and its save button stay
    # on screen (stuck to its bottom).
    bar = page.locator("[data-rank-bar]")
    assert bar.evaluate("el => getComputedStyle(el).position") == "sticky"
    for name in ("合唱团", "美术"):
        card(page, name).evaluate("el => el.scrollIntoView({block: 'start'})")
        box = bar.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    bar.get_by_role("button", name="按此顺序保存").click()
    expect(page.get_by_text("已保存 张小明 的社团志愿：合唱团、围棋、美术。")).to_be_visible()
    saved = ClubChoice.objects.filter(student=world.child_x).order_by("rank")
    assert [c.club.name for c in saved] == ["合唱团", "围棋", "美术"]
    # The saved ranking is shown on the cards again.
    page.locator(".club-cards > summary").click()
    expect(card(page, "合唱团").locator("[data-rank-label]")).to_have_text("第一志愿")
    assert axe_violations(page) == []  # the cards open, ranked, with their buttons
    assert console_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_boxes_alone_choose(browser, live_server, world, clubs):
    page = log_in(browser, live_server, world.guardian_x.mobile, java_script_enabled=False)
    page.goto(f"{live_server.url}/scheduling/clubs/choose/")
    page.locator(".club-cards > summary").click()
    # No button that would do nothing, no hint about tapping.
    expect(page.locator("[data-rank-toggle]").first).to_be_hidden()
    expect(page.locator("[data-rank-bar]")).to_be_hidden()
    expect(page.locator("[data-rank-hint]")).to_be_hidden()
    page.select_option("select[name=rank1]", label="围棋（科技）")
    page.get_by_role("button", name="保存志愿").click()
    expect(page.get_by_text("已保存 张小明 的社团志愿：围棋。")).to_be_visible()
    assert list(ClubChoice.objects.values_list("club__name", flat=True)) == ["围棋"]


@pytest.fixture
def timetabled(world):
    """The autumn term's sessions and rota for both classes, and a club."""
    term = f.make_term(world.school, 2024)
    for school_class, name in ((world.class_a, "三（1）教室"), (world.class_b, "三（2）教室")):
        school_class.room = f.make_room(world.school, name, RoomKind.CLASSROOM, 50)
        school_class.save(update_fields=["room"])
    sessions_generate(term=enroll_every_class(term))
    rota_generate(term=term)
    make_club(term, name="合唱团", grades=(3, 6))
    # 张小明 takes every part (the week shows only the parts a child takes).
    app = enroll(world.child_x, term, featured=True)
    app.wants_noon = True
    app.save(update_fields=["wants_noon"])
    return term


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_week_timetable_is_a_list_of_days_on_a_phone(browser, live_server, world, timetabled):
    url = f"{live_server.url}/scheduling/timetable/student/{world.child_x.pk}/?week=2024-09-09"
    page = log_in(browser, live_server, world.guardian_x.mobile)
    page.goto(url)
    days = page.locator("#week-list .week-day")
    # Monday to Friday, and Saturday 14 September: a make-up workday (中秋节调休).
    expect(days).to_have_count(6)
    expect(page.locator("table.timetable")).to_be_hidden()
    monday = days.first
    expect(monday.get_by_role("heading")).to_have_text("9月9日 周一")
    expect(monday.locator("dt")).to_have_count(2)
    expect(monday.locator("dt").first).to_contain_text("中午")
    expect(monday.locator("dd").first).to_contain_text("基础课程：作业辅导、阅读")
    # The featured day (Thursday's clubs) shows the club waiting for allocation.
    expect(days.nth(3)).to_contain_text("社团（待分配）")
    expect(days.nth(5).get_by_role("heading")).to_have_text("9月14日 周六 按周一课表")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Each day is readable: its text is not squeezed into a narrow column.
    width = monday.evaluate("el => el.getBoundingClientRect().width")
    assert width >= 300
    assert axe_violations(page) == []

    desktop = log_in(browser, live_server, world.admin.username, viewport=DESKTOP)
    desktop.goto(
        f"{live_server.url}/scheduling/timetable/class/{world.class_a.pk}/?week=2024-09-09"
    )
    expect(desktop.locator("table.timetable")).to_be_visible()
    expect(desktop.locator("#week-list")).to_be_hidden()
    expect(desktop.locator("table.timetable thead th")).to_have_count(7)  # 课时 + six days
