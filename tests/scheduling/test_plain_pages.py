"""Admin scheduling pages in plain Chinese: the allocation page says what the
school decides (no "随机种子"/"最小费用流" up front; the method is in the
report's appendix); one navigation item lit on /scheduling/ pages; the
choice-window form's grade/class fields follow the scope."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from afterschool.models import Role
from scheduling.choice import services as choice
from tests import factories as f
from tests.scheduling.club_helpers import make_club

pytestmark = pytest.mark.django_db


def active_nav_items(html: str) -> list[str]:
    return re.findall(r'class="nav-link[^"]*\bactive\b[^"]*"[^>]*>([^<]+)<', html)


class TestAllocationPage:
    def test_page_speaks_plain_chinese_and_keeps_the_method_for_the_appendix(
        self, client, world, term
    ):
        client.force_login(world.admin)
        html = client.get(reverse("scheduling:allocation") + f"?term={term.pk}").content.decode()
        assert "学校怎样分配" in html
        assert "抽签号" in html
        assert "随机种子" not in html
        assert "最小费用流" not in html and "OR-Tools" not in html

    def test_report_has_the_method_in_its_appendix(self, client, world, term):
        make_club(term, name="围棋", capacity=1)
        run = choice.allocation_run(term=term, seed=4, by=world.admin)
        client.force_login(world.admin)
        html = client.get(reverse("scheduling:allocation-run", args=[run.pk])).content.decode()
        head, appendix = html.split('id="appendix"')
        assert "最小费用流" not in head and "随机种子" not in head
        assert "最小费用流" in appendix and "随机种子）：4" in appendix


class TestNavigation:
    @pytest.mark.parametrize(
        "who,url,lit",
        [
            ("homeroom", "scheduling:roll-index", ["点名"]),
            ("homeroom", "scheduling:leave-list", ["请假审批"]),
            ("homeroom", "scheduling:timetable-me", ["课表"]),
            ("teacher", "scheduling:dismissal-index", ["离校"]),
        ],
    )
    def test_one_item_lit_on_scheduling_pages(self, client, world, term, who, url, lit):
        user = (
            world.homeroom_a
            if who == "homeroom"
            else f.make_user(world.school, Role.TEACHER, "t_nav", name="体育老师")
        )
        client.force_login(user)
        html = client.get(reverse(url)).content.decode()
        assert active_nav_items(html) == lit


class TestChoiceWindowForm:
    def test_form_marks_its_scope_fields_and_loads_the_static_script(self, client, world, term):
        client.force_login(world.admin)
        html = client.get(
            reverse("scheduling:choice-windows") + f"?term={term.pk}"
        ).content.decode()
        assert 'data-scope-fields="grade:grade class:school_class"' in html
        assert "js/scope-fields.js" in html
        assert 'id="div_id_school_class"' in html
        assert "<th></th>" not in html
