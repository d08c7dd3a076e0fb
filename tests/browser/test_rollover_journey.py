"""In headless Chromium: the administrator rolls the school over into the
next school year, then uploads the new year's roster, marks the child who is
not in it as left and confirms the import."""

from __future__ import annotations

import pytest

from afterschool.models import ClassMembership, SchoolClass
from afterschool.selectors import students_of_class
from tests.afterschool.rosterfiles import csv_bytes, student
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_rolls_over_and_imports_the_new_roster(
    page, live_server, world, console_errors, tmp_path
):
    log_in(page, live_server.url, "admin_a", PASSWORD)
    page.goto(f"{live_server.url}/roster/")
    page.get_by_role("link", name="学年升级").click()
    page.wait_for_url("**/roster/rollover/")
    assert page.get_by_role("cell", name="四年级（1）班").is_visible()
    # 三年级（2）班 moves up with 李老师 instead of 赵老师.
    page.get_by_label("三年级（2）班").select_option(label="李老师")
    page.get_by_label("我已核对升级方案", exact=False).check()
    page.get_by_role("button", name="确认升级").click()
    page.wait_for_url("**/roster/")
    assert page.get_by_text("已升级到2025—2026学年", exact=False).is_visible()

    promoted = SchoolClass.objects.get(school=world.school, school_year__start_year=2025, number=2)
    assert promoted.homeroom_teacher == world.homeroom_a

    # Next year's roster: child X stays in 四年级（1）班, a new child joins;
    # child Y (四年级（2）班) is not in the file.
    x = {"全国学籍号": world.child_x.student_number, "姓名": world.child_x.name}
    file = tmp_path / "2025.csv"
    file.write_bytes(
        csv_bytes([student(1, 班级="四年级（1）班", **x), student(2, 班级="四年级（2）班")])
    )
    page.get_by_label("名册文件").set_input_files(str(file))
    page.get_by_label("学年起始年份").fill("2025")
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/roster/*/")
    diff = page.locator("#roster-diff")
    assert diff.get_by_text("在班但名册中没有（1）").is_visible()
    assert diff.get_by_text(world.child_y.name).is_visible()
    page.get_by_label("离校日期", exact=False).fill("2025-09-01")
    page.get_by_label("全部不在名册中的学生").check()
    page.get_by_role("button", name="标记为离校").click()
    assert page.get_by_text("已将 1 名学生标记为离校", exact=False).is_visible()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/roster/letters/**")

    year2 = {c.number: c for c in SchoolClass.objects.filter(school_year__start_year=2025)}
    assert world.child_x in students_of_class(year2[1])
    left = ClassMembership.objects.get(student=world.child_y, school_class=year2[2])
    assert left.end_date.isoformat() == "2025-09-01"
    # Last year's classes keep their children.
    assert list(students_of_class(world.class_a)) == [world.child_x]
    assert list(students_of_class(world.class_b)) == [world.child_y]
    assert [e for e in console_errors if "404" not in e] == []
