"""Staff pages in a teacher's hands: on a 375 px phone the student list
scrolls sideways inside its panel with the name column fixed and the filters
folded behind one button; the choice-window form shows only the field its
scope needs (admin, desktop)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f

PHONE = {"width": 375, "height": 740}


def login(browser, live_server, username, viewport):
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_student_list_on_a_phone(browser, live_server, world):
    for i in range(12):
        f.make_student(world.class_a, f"学生{i:02d}", class_number=i + 2)
    page = login(browser, live_server, "homeroom_a", PHONE)
    page.goto(f"{live_server.url}/people/students/")
    # Filters folded: the search box is hidden until the button is tapped.
    search = page.locator("#list-filters")
    expect(search).to_be_hidden()
    page.get_by_role("button", name="筛选条件").click()
    expect(search).to_be_visible()
    # The page itself never scrolls sideways; the table does, in its panel.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    scroller = page.locator(".table-panel .table-responsive")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    name = page.locator("td.col-name").first
    before = name.bounding_box()["x"]
    scroller.evaluate("el => { el.scrollLeft = 400; }")
    page.wait_for_timeout(100)
    after = name.bounding_box()["x"]
    assert after >= 0 and after <= before  # stuck at the left edge, still on screen
    assert name.is_visible()
    # Rows are in 学号 order.
    first_rows = page.locator("td.col-name").all_inner_texts()[:3]
    assert first_rows == ["学生00", "学生01", "学生02"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_choice_window_form_follows_the_scope(browser, live_server, world):
    term = f.make_term(world.school)
    page = login(browser, live_server, "admin_a", {"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/scheduling/clubs/windows/?term={term.pk}")
    grade, klass = page.locator("#div_id_grade"), page.locator("#div_id_school_class")
    page.select_option("select[name=scope]", "grade")
    expect(grade).to_be_visible()
    expect(klass).to_be_hidden()
    page.select_option("select[name=scope]", "class")
    expect(klass).to_be_visible()
    expect(grade).to_be_hidden()
    page.select_option("select[name=school_class]", index=1)
    assert page.input_value("select[name=school_class]") != ""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rota_week_grid_bulk_assigns_every_tuesday_noon(browser, live_server, world):
    from afterschool.models import Role
    from scheduling.models import Period, Session
    from scheduling.rota.services import rota_generate, sessions_generate
    from tests.scheduling.club_helpers import enroll_every_class

    term = f.make_term(world.school)
    sessions_generate(term=enroll_every_class(term))
    rota_generate(term=term)
    f.make_user(world.school, Role.VOLUNTEER, "vol_rota", name="周志愿")
    page = login(browser, live_server, "admin_a", {"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/scheduling/rota/?term={term.pk}&week=2024-09-09")
    grid = page.locator("#week-grid table")
    expect(grid).to_be_visible()
    form = page.locator("#weekly-assign")
    form.get_by_label("看班教师").select_option(label="周志愿")
    form.get_by_label("班级").select_option(label=str(world.class_a))
    form.get_by_label("每周").select_option(label="周二")
    form.get_by_label("课时").select_option(label="中午")
    form.get_by_role("button", name="批量安排").click()
    expect(page.get_by_text("已安排 周志愿 看班")).to_be_visible()
    # Back on the same week: class A's Tuesday-noon cell shows the volunteer.
    row = page.locator("#week-grid tbody tr", has=page.locator(f"th:text-is('{world.class_a}')"))
    headers = page.locator("#week-grid thead th").all_inner_texts()
    tuesday_noon = headers.index("9/10中午")
    assert row.locator("td").nth(tuesday_noon - 1).inner_text().startswith("周志愿")
    assert (
        Session.objects.filter(
            school_class=world.class_a, weekday=1, period=Period.NOON, supervisor__name="周志愿"
        ).count()
        > 10
    )
