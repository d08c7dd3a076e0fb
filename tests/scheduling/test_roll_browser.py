"""A teacher takes the roll on a 375×812 phone: everyone present by default,
two taps for two exceptions, saved without reloading the page."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from enrollment.models import Application, Status
from scheduling.models import Attendance, Period, Session
from tests import factories as f

DAY = datetime.date(2024, 9, 3)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_teacher_takes_the_roll_on_a_phone(browser, live_server, world):
    term = f.make_term(world.school)
    students = [f.make_student(world.class_a, f"学生{i:02d}") for i in range(45)]
    Application.objects.bulk_create(
        Application(
            student=s,
            term=term,
            status=Status.APPROVED,
            wants_noon=True,
            wants_after_school=True,
            pickup_name="家长",
            reason="父母下班晚",
            created_by=world.admin,
        )
        for s in students
    )
    session = Session.objects.create(
        term=term,
        date=DAY,
        weekday=DAY.weekday(),
        period=Period.NOON,
        school_class=world.class_a,
        supervisor=world.teacher,
    )
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "teacher_a")
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/scheduling/attendance/?date=2024-09-03")
    page.get_by_role("link", name="中午 · 三年级（1）班").click()
    expect(page.locator("li[data-status=present]")).to_have_count(45)
    page.evaluate("window.__same_page = true")

    save = page.locator("#roll-save")
    expect(save).to_have_text("全部到齐，保存点名")
    absent, late = students[3], students[40]
    page.locator(f"#roll-{absent.pk}").get_by_role("button", name="缺勤").click()
    expect(page.locator(f"#roll-{absent.pk}")).to_have_attribute("data-status", "absent")
    # roll-button.js: the button follows the marks without a reload.
    expect(save).to_have_text("保存点名")
    page.locator(f"#roll-{late.pk}").get_by_role("button", name="迟到").click()
    expect(page.locator(f"#roll-{late.pk}")).to_have_attribute("data-status", "late")
    expect(page.locator("#roll-summary [data-count=absent] strong")).to_have_text("1")
    expect(page.locator("#roll-summary")).to_contain_text("已保存")
    expect(save).to_have_text("保存点名")

    assert page.evaluate("window.__same_page === true")  # no reload
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    marks = dict(Attendance.objects.filter(session=session).values_list("student_id", "status"))
    assert len(marks) == 45
    assert {sid for sid, st in marks.items() if st != "present"} == {absent.pk, late.pk}
    assert (marks[absent.pk], marks[late.pk]) == ("absent", "late")
    context.close()
