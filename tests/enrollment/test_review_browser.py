"""The class review table in a homeroom teacher's hands (Chromium): the
select-all box and the confirmed bulk approve, one row approved in place by
htmx without a reload, the phone layout at 375 px, and a 45-child class
reviewed, approved and submitted in under 10 clicks. Any console error
(script error, CSP violation, failed request) fails the test."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollment.models import Application, Status
from enrollment.review.services import application_approve_homeroom, application_return
from tests import factories as f
from tests.enrollment.test_views import fill_class

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1366, "height": 900}


class Teacher:
    """A logged-in homeroom teacher's page, its console errors and the
    clicks (and dialog answers) it took."""

    def __init__(self, browser, live_server, viewport):
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.clicks = 0
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._accept)
        self.url = live_server.url
        self.page.goto(f"{self.url}/login/")
        self.page.fill("input[name=username]", "homeroom_a")
        self.page.fill("input[name=password]", f.PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.url}/")

    def _accept(self, dialog):
        # Answering the confirmation is one more tap.
        self.dialogs.append(dialog.message)
        self.clicks += 1
        dialog.accept()

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def close(self):
        self.context.close()
        assert self.errors == []


@pytest.fixture
def teacher(browser, live_server, world):
    opened = []

    def open_page(viewport=DESKTOP):
        t = Teacher(browser, live_server, viewport)
        opened.append(t)
        return t

    yield open_page
    for t in opened:
        t.close()


def review_path(world):
    return reverse("enrollment:class-review", args=[world.class_a.pk])


def statuses(apps):
    return sorted(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status"))


def test_select_all_ticks_every_waiting_box_and_bulk_approve_approves_them(teacher, world, term):
    apps = fill_class(world.class_a, term, 8)
    application_approve_homeroom(application=apps[0], by=world.homeroom_a)
    application_return(application=apps[1], by=world.homeroom_a, reason="请补充")
    waiting = apps[2:]
    t = teacher()
    page = t.page
    page.goto(t.url + review_path(world))
    boxes = page.locator("input[type=checkbox][name=select]")
    expect(boxes).to_have_count(len(waiting))  # only the waiting rows have a box
    assert all(not b.is_checked() for b in boxes.all())

    t.click(page.get_by_label("全选待审核的申请"))
    assert all(b.is_checked() for b in boxes.all())
    # Unticking one leaves the header box half-ticked; ticking it again, full.
    boxes.first.uncheck()
    master = page.locator("[data-select-all]")
    assert master.evaluate("el => el.indeterminate") and not master.is_checked()
    boxes.first.check()
    assert master.is_checked()

    t.click(page.get_by_role("button", name="批量审核通过所选"))
    expect(page.get_by_text(f"已审核通过{len(waiting)}份申请。")).to_be_visible()
    assert t.dialogs == ["确定批准所选的申请吗？"]
    assert statuses(waiting) == [(Status.APPROVED_BY_HOMEROOM,)] * len(waiting)
    assert Application.objects.get(pk=apps[1].pk).status == Status.RETURNED
    expect(boxes).to_have_count(0)


def test_approving_one_row_swaps_only_that_row_without_reload(teacher, world, term):
    apps = fill_class(world.class_a, term, 30)
    t = teacher()
    page = t.page
    page.goto(t.url + review_path(world))
    page.evaluate("window.reviewMarker = 'still-here'")
    target = apps[20]
    row = page.locator(f"#app-{target.pk}")
    other = page.locator(f"#app-{apps[21].pk}")
    row.scroll_into_view_if_needed()
    row.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 200)")
    page.wait_for_function("window.scrollY > 300")
    before = page.evaluate("window.scrollY")
    row_top = row.bounding_box()["y"]

    t.click(row.get_by_role("button", name="通过", exact=True))
    expect(row.locator("td.col-select input")).to_have_count(0)
    expect(row).to_contain_text("班主任已审核")
    expect(page.locator("#review-note")).to_have_text(f"已审核通过{target.student.name}的申请。")

    assert page.evaluate("window.reviewMarker") == "still-here"  # no reload
    after = page.evaluate("window.scrollY")
    assert after == before > 300  # not back at the top, not moved at all
    assert abs(row.bounding_box()["y"] - row_top) < 1
    # The note shows where the teacher is (floating on screen), not above
    # the table out of sight.
    expect(page.locator("#review-note")).to_be_in_viewport()
    assert t.dialogs == []  # one row: no confirmation
    # Only that row changed; its neighbour still waits with its box.
    expect(other.locator("input[name=select]")).to_have_count(1)
    expect(page.locator("#review-counts")).to_contain_text("班主任已审核 1")
    assert Application.objects.get(pk=target.pk).status == Status.APPROVED_BY_HOMEROOM
    assert Application.objects.filter(status=Status.APPROVED_BY_HOMEROOM).count() == 1


def test_review_table_on_a_phone(teacher, world, term):
    fill_class(world.class_a, term, 6)
    t = teacher(PHONE)
    page = t.page
    page.goto(t.url + review_path(world))
    name = page.locator("td.col-name").first
    assert name.evaluate("el => getComputedStyle(el).position") == "sticky"
    assert page.locator("th.col-name").evaluate("el => getComputedStyle(el).position") == "sticky"
    filters = page.locator("details.review-filters")
    assert filters.evaluate("el => el.open") is False
    expect(page.get_by_label("学生姓名")).to_be_hidden()
    # The page never scrolls sideways; the table does, inside its panel.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Cells keep to one line (no one-character-per-line wrapping).
    line = name.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    assert name.bounding_box()["height"] < 2 * line + 12
    scroller = page.locator(".table-responsive")
    if scroller.evaluate("el => el.scrollWidth > el.clientWidth"):
        x = name.bounding_box()["x"]
        scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        page.wait_for_timeout(100)
        assert 0 <= name.bounding_box()["x"] <= x + 1  # stuck, still on screen
        assert name.is_visible()
    # Tapping 筛选 unfolds the form.
    page.locator("details.review-filters > summary").click()
    expect(page.get_by_label("学生姓名")).to_be_visible()


def test_a_45_child_class_in_under_10_clicks(teacher, world, term):
    apps = fill_class(world.class_a, term, 45)
    t = teacher()
    page = t.page
    page.goto(t.url + review_path(world))
    expect(page.locator("#review-counts")).to_contain_text("待班主任审核 45")

    t.click(page.get_by_label("全选待审核的申请"))
    t.click(page.get_by_role("button", name="批量审核通过所选"))
    expect(page.get_by_text("已审核通过45份申请。")).to_be_visible()
    t.click(page.get_by_role("button", name="以班为单位上报学校"))
    expect(page.get_by_text("班级名单已上报学校，等待学校审核。")).to_be_visible()

    assert t.clicks < 10, t.clicks
    assert len(t.dialogs) == 2
    assert statuses(apps) == [(Status.SUBMITTED_TO_SCHOOL,)] * 45
