"""The menu is rendered once per kind of user and page and reused
(afterschool/templatetags/navigation.py): what it keeps must never show one
role's menu to another, or one page's lit item on another page."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import resolve, reverse

from afterschool.templatetags import navigation
from tests.overview.test_home import nav_links
from tests.scheduling.test_plain_pages import active_nav_items

pytestmark = pytest.mark.django_db


def test_each_role_gets_its_own_menu_on_the_same_page(client, world):
    pages = {}
    users = {
        "homeroom_a": world.homeroom_a,
        "guardian": world.guardian_x.user,
        "admin": world.admin,
        "homeroom_b": world.homeroom_b,
    }
    for who, user in users.items():
        client.force_login(user)
        pages[who] = nav_links(client.get(reverse("home")).text)
    assert reverse("enrollment:family") in pages["guardian"]
    assert reverse("enrollment:family") not in pages["homeroom_a"]
    assert reverse("people:guardian-list") in pages["admin"]
    assert reverse("people:guardian-list") not in pages["homeroom_a"]
    assert pages["homeroom_a"] == pages["homeroom_b"]


def test_the_lit_item_follows_the_page(client, world):
    client.force_login(world.homeroom_a)
    assert active_nav_items(client.get(reverse("scheduling:roll-index")).text) == ["点名"]
    assert active_nav_items(client.get(reverse("scheduling:leave-list")).text) == ["请假审批"]
    assert active_nav_items(client.get(reverse("scheduling:roll-index")).text) == ["点名"]


def test_kept_menu_is_what_the_template_writes(world):
    request = RequestFactory().get(reverse("scheduling:leave-list"))
    request.resolver_match = resolve(request.path)
    request.user = world.homeroom_a
    django = engines["django"]
    context = {"user": world.homeroom_a, "request": request}
    direct = django.from_string('{% include "_nav.html" %}').render(context, request)
    navigation._MENUS.clear()
    first = django.from_string("{% load navigation %}{% nav %}").render(context, request)
    again = django.from_string("{% load navigation %}{% nav %}").render(context, request)
    assert first == direct == again
    assert len(navigation._MENUS) == 1
    assert re.search(r'nav-link active" href="[^"]+">请假审批', first)
