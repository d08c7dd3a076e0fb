"""The home page per role, and the navigation each role sees."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from afterschool.home.selectors import school_figures
from afterschool.models import SchoolClass, User
from scheduling.models import WindowScope
from tests import factories as f
from tests.scheduling.club_helpers import enroll, open_window

pytestmark = pytest.mark.django_db


def nav_links(html: str) -> set[str]:
    nav = html.split('id="mainnav"', 1)[1].split('<div class="d-flex align-items-center', 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


class TestAdminHome:
    def test_figures_count_the_school_only(self, client, world):
        world.child_x.is_migrant_child = True
        world.child_x.save(update_fields=["is_migrant_child"])
        pending = f.make_guardian(world.child_y, "刘强", "13900000009")
        pending.user.password = make_password(None)
        pending.user.save(update_fields=["password"])
        f.make_guardian(world.child_y, "刘奶奶", "13900000008", with_login=False)
        client.force_login(world.admin)
        response = client.get(reverse("home"))
        assert response.context["figures"] == {
            "classes": 2,
            "students": 2,
            "priority": 1,
            "guardians": 4,
            "activated": 2,
            # Its label: the figures are kept as plain data (overview.home.figures).
            "school_year": str(world.class_a.school_year),
        }
        html = response.content.decode()
        assert world.school.name in html
        assert reverse("people:student-list") + "?priority=any" in html

    def test_figures_take_two_queries(self, world, django_assert_num_queries):
        # 1 the current school year, 2 its classes, its students and priority
        # children, guardians and activated (five counts of one query).
        with django_assert_num_queries(2):
            school_figures(school_id=world.school.pk)

    def test_admin_nav_has_every_list(self, client, world):
        client.force_login(world.admin)
        links = nav_links(client.get(reverse("home")).content.decode())
        for name in ("student-list", "class-list", "guardian-list", "staff-list", "room-list"):
            assert reverse(f"people:{name}") in links


class TestHomeroomHome:
    def test_shows_own_class_with_student_count(self, client, world):
        f.make_student(world.class_a, "第二名")
        client.force_login(world.homeroom_a)
        response = client.get(reverse("home"))
        classes = list(response.context["classes"])
        assert classes == [world.class_a]
        assert classes[0].student_count == 2
        html = response.content.decode()
        assert "三年级（1）班" in html
        assert "三年级（2）班" not in html
        assert "2 名学生" in html

    def test_nav_has_students_and_classes_but_not_guardians_or_staff(self, client, world):
        client.force_login(world.homeroom_a)
        links = nav_links(client.get(reverse("home")).content.decode())
        assert reverse("people:student-list") in links
        assert reverse("people:class-list") in links
        assert reverse("people:guardian-list") not in links
        assert reverse("people:staff-list") not in links


class TestTeacherAndVolunteerHome:
    @pytest.mark.parametrize("persona", ["teacher", "volunteer"])
    def test_links_to_own_timetable(self, client, world, persona):
        client.force_login(getattr(world, persona))
        response = client.get(reverse("home"))
        html = response.content.decode()
        assert reverse("scheduling:timetable-me") in html
        links = nav_links(html)
        assert reverse("people:room-list") in links
        assert reverse("people:student-list") not in links


class TestGuardianHome:
    def test_cards_for_every_own_child_and_nothing_else(self, client, world):
        sibling = f.make_student(world.class_b, "张小丽", gender="F")
        f.make_guardian(sibling, "张伟", world.guardian_x.mobile, with_login=False)
        client.force_login(world.guardian_x.user)
        response = client.get(reverse("home"))
        assert set(response.context["children"]) == {world.child_x, sibling}
        html = response.content.decode()
        assert "三年级（2）班" in html
        assert world.school.name in html
        assert world.child_y.name not in html
        assert nav_links(html) == {
            reverse("home"),
            reverse("enrollment:family"),
            reverse("scheduling:timetable-me"),
            reverse("scheduling:leave-list"),
            reverse("scheduling:club-choose-index"),
            reverse("scheduling:homework-family"),
            reverse("billing:family"),
        }

    def test_guardian_without_children_is_told_whom_to_ask(self, client, db):
        user = f.make_user(None, "guardian", username="13900000077")
        client.force_login(user)
        assert "请联系孩子的班主任" in client.get(reverse("home")).content.decode()


class TestNoRoleHome:
    def test_bare_superuser_is_pointed_to_the_admin(self, client, db):
        root = User.objects.create_superuser("root", password=f.PASSWORD)
        client.force_login(root)
        html = client.get(reverse("home")).content.decode()
        assert "没有关联学校或角色" in html
        assert reverse("admin:index") in html

    def test_user_without_role_and_not_staff_is_told_to_ask(self, client, db):
        user = User.objects.create_user("nobody", password=f.PASSWORD)
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
        assert "请联系学校管理员" in html
        assert reverse("admin:index") not in html


class TestLoginLandsOnHome:
    def test_guardian_logs_in_with_mobile_and_sees_child(self, client, world):
        response = client.post(
            reverse("login"),
            {"username": "+86 139-0000-0001", "password": f.PASSWORD},
            follow=True,
        )
        assert response.redirect_chain[-1][0] == reverse("home")
        assert world.child_x.name in response.content.decode()


class TestContentSecurityPolicy:
    """Pages keep to settings.SECURE_CSP: no inline styles, scripts from our
    origin or carrying the request's nonce."""

    PAGES = [
        "home",
        "people:student-list",
        "people:class-list",
        "people:room-list",
        "people:guardian-list",
        "people:staff-list",
    ]

    @pytest.mark.parametrize("name", PAGES)
    def test_no_inline_style_and_no_inline_script_without_nonce(self, client, world, name):
        f.make_room(world.school, "图书室")
        client.force_login(world.admin)
        response = client.get(reverse(name))
        policy = response["Content-Security-Policy"]
        # Django adds the nonce to the header only when a template used it.
        assert "script-src 'self'" in policy
        assert "style-src 'self';" in policy
        html = response.content.decode()
        assert not re.search(r"\sstyle=", html)
        assert "<style" not in html
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or "nonce=" in tag, tag


class TestHomeQueryCounts:
    @pytest.mark.parametrize("classes", [1, 6])
    def test_homeroom_home(self, client, world, django_assert_num_queries, classes):
        for i in range(classes - 1):
            c = f.make_class(world.school, 4, i + 1, world.homeroom_a)
            f.make_student(c, f"学生{i}")
        client.force_login(world.homeroom_a)
        # 1 session, 2 user with school, 3 the current term, for the to-dos
        # and the charts (none here: tests/overview/test_todos.py counts a
        # term's to-dos, tests/overview/test_home_figures.py the charts),
        # 4 classes with room and student count, 5 today's absences of the
        # classes, 6 leave waiting for approval.
        with django_assert_num_queries(6):
            response = client.get(reverse("home"))
        assert len(response.context["classes"]) == classes

    @pytest.mark.parametrize("children", [1, 5])
    def test_guardian_home(self, client, world, django_assert_num_queries, children):
        for i in range(children - 1):
            child = f.make_student(world.class_b, f"孩子{i}")
            f.make_guardian(child, "张伟", world.guardian_x.mobile, with_login=False)
        client.force_login(world.guardian_x.user)
        # 1 session, 2 user, 3 children with class and school (for the
        # cards, the to-dos and the attendance panel), 4-6 the to-dos without
        # a term (terms, leave decided, arrears; the term's own kinds are
        # counted in tests/overview/test_todos.py), 7 the children's absences
        # today, 8 their leave waiting for approval.
        with django_assert_num_queries(8):
            response = client.get(reverse("home"))
        assert len(response.context["children"]) == children

    @pytest.mark.parametrize("children", [2, 5])
    def test_guardian_home_with_a_term_and_an_open_window(
        self, client, world, term, django_assert_num_queries, children
    ):
        kids = [world.child_x]
        for i in range(children - 1):
            kid = f.make_student(world.class_b, f"孩子{i}")
            f.make_guardian(kid, "张伟", world.guardian_x.mobile, with_login=False)
            kids.append(kid)
        for kid in kids:
            enroll(kid, term, featured=True)
        # A grade's window: the children's class of the term's year is read too.
        open_window(term, scope=WindowScope.GRADE, grade=3, days=2)
        client.force_login(world.guardian_x.user)
        # 1 session, 2 user, 3 children with class and school, 4 terms (with
        # their survey and whether a result was published this week), 5 the
        # open choice windows, 6 the applications (agreements, returned, the
        # featured day, saved choices, the class of the term's year), 7 leave
        # decided, 8 arrears, 9 the children's absences today, 10 their leave
        # waiting for approval.
        with django_assert_num_queries(10):
            response = client.get(reverse("home"))
        todos = {t.key: t for t in response.context["todos"]}
        assert todos["agreement"].count == children
        assert todos["choice"].count == children
        assert len(response.context["children"]) == children


class TestAdminHomeSchoolYear:
    def test_figures_count_the_current_school_year_only(self, client, world):
        # Next year's roster imported beside this year's: the school year
        # containing today is counted, not both.
        today = timezone.localdate()
        start = today.year if today.month >= 9 else today.year - 1
        for c in SchoolClass.objects.filter(school=world.school):
            c.school_year = f.make_year(world.school, start - 1)
            c.save(update_fields=["school_year"])
        current = f.make_class(world.school, 4, 1, start_year=start)
        for name in ("甲", "乙", "丙"):
            f.make_student(current, name)
        figures = school_figures(school_id=world.school.pk)
        assert figures["school_year"].start_year == start
        assert (figures["classes"], figures["students"]) == (1, 3)
        client.force_login(world.admin)
        assert str(figures["school_year"]) in client.get(reverse("home")).text
