"""Guardian activation: mobile + one-time code + new password -> logged in."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from afterschool.activation import activation_letters_issue
from afterschool.models import ActivationCode, SchoolClass, User
from afterschool.roster.importer import roster_import
from afterschool.roster.parse import roster_parse
from tests.afterschool.rosterfiles import csv_bytes, student

URL = reverse("activate")
GENERIC = "手机号或激活码不正确，请核对激活信上的内容"
PASSWORD = "Qz!8long-pass"


@pytest.fixture
def letter(db):
    """An imported guardian (13800000001) and the code printed on their letter."""
    roster = roster_parse(filename="a.csv", content=csv_bytes([student(1), student(2)]))
    roster_import(roster=roster, start_year=2024, school_name="实验小学")
    pages = activation_letters_issue(school_class=SchoolClass.objects.get())
    return next(p for p in pages if p.guardian.mobile == "13800000001")


def post(client, mobile, code, p1=PASSWORD, p2=PASSWORD):
    return client.post(
        URL, {"mobile": mobile, "code": code, "new_password1": p1, "new_password2": p2}
    )


def user():
    return User.objects.get(username="13800000001")


class TestActivateView:
    def test_page_shows_the_form_on_a_phone(self, client, db):
        response = client.get(URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
        assert 'name="code"' in html and 'inputmode="tel"' in html

    def test_right_code_activates_logs_in_and_goes_home(self, client, letter):
        response = post(client, "138 0000 0001", letter.code.lower())
        assert response.status_code == 302
        assert response.url == reverse("home")
        assert client.session["_auth_user_id"] == str(user().pk)
        assert user().check_password(PASSWORD)
        assert ActivationCode.objects.get(user=user()).used_at is not None

    def test_code_works_once_only(self, client, letter):
        post(client, "13800000001", letter.code)
        client.logout()
        response = post(client, "13800000001", letter.code, "Other!pass9", "Other!pass9")
        assert response.status_code == 200
        assert GENERIC in response.content.decode()
        assert user().check_password(PASSWORD)

    def test_expired_code_is_refused_with_a_clear_message(self, client, letter):
        ActivationCode.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
        response = post(client, "13800000001", letter.code)
        assert "该激活码已过期，请联系班主任重新打印激活信" in response.content.decode()
        assert not user().has_usable_password()
        assert ActivationCode.objects.get(user=user()).used_at is None
        assert "_auth_user_id" not in client.session

    def test_unknown_mobile_and_wrong_code_give_the_same_message(self, client, letter):
        unknown = post(client, "13999999999", letter.code).content.decode()
        wrong = post(client, "13800000001", "ABCDEFGH").content.decode()
        other_family = post(client, "13800000002", letter.code).content.decode()
        for html in (unknown, wrong, other_family):
            assert GENERIC in html
            assert "过期" not in html
        assert not user().has_usable_password()
        assert ActivationCode.objects.filter(used_at__isnull=False).count() == 0

    def test_passwords_must_match_and_the_code_stays_unused(self, client, letter):
        response = post(client, "13800000001", letter.code, PASSWORD, PASSWORD + "x")
        html = response.content.decode()
        assert "两次输入的密码不一致" in html
        assert 'value="13800000001"' in html  # what the user typed is shown again
        assert ActivationCode.objects.get(user=user()).used_at is None

    def test_weak_password_is_refused(self, client, letter):
        response = post(client, "13800000001", letter.code, "12345678", "12345678")
        assert response.status_code == 200
        assert ActivationCode.objects.get(user=user()).used_at is None
        assert not user().has_usable_password()

    def test_bad_mobile_shape_is_a_form_error(self, client, letter):
        response = post(client, "12345", letter.code)
        assert "请输入11位中国大陆手机号" in response.content.decode()

    def test_activated_guardian_can_then_log_in_with_mobile(self, client, letter):
        post(client, "13800000001", letter.code)
        client.logout()
        response = client.post(
            reverse("login"), {"username": "+86 138-0000-0001", "password": PASSWORD}
        )
        assert response.status_code == 302

    def test_unactivated_guardian_cannot_log_in(self, client, letter):
        response = client.post(reverse("login"), {"username": "13800000001", "password": ""})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


class TestActivationLockout:
    """Wrong codes are counted per mobile in the app (ACTIVATION_FAILURE_LIMIT)."""

    def test_locks_the_mobile_after_the_limit_even_for_the_right_code(
        self, client, letter, settings
    ):
        for _ in range(settings.ACTIVATION_FAILURE_LIMIT):
            assert GENERIC in post(client, "13800000001", "ABCDEFGH").content.decode()
        # The right code now gets the same message, and nothing changes.
        html = post(client, "+86 138-0000-0001", letter.code).content.decode()
        assert GENERIC in html
        assert not user().has_usable_password()
        assert ActivationCode.objects.filter(used_at__isnull=False).count() == 0

    def test_lock_ends_after_the_lockout_time(self, client, letter, settings):
        import time_machine

        with time_machine.travel(timezone.now(), tick=False) as traveller:
            for _ in range(settings.ACTIVATION_FAILURE_LIMIT):
                post(client, "13800000001", "ABCDEFGH")
            traveller.shift(settings.ACTIVATION_LOCKOUT + datetime.timedelta(seconds=1))
            response = post(client, "13800000001", letter.code)
        assert response.status_code == 302
        assert user().check_password(PASSWORD)

    def test_other_mobiles_are_not_locked_and_no_mobile_is_stored(self, client, letter, settings):
        from afterschool.models import ActivationThrottle

        for _ in range(settings.ACTIVATION_FAILURE_LIMIT + 2):
            post(client, "13800000002", "ABCDEFGH")
        assert "13800000002" not in str(list(ActivationThrottle.objects.values()))
        assert post(client, "13800000001", letter.code).status_code == 302

    def test_fewer_failures_than_the_limit_do_not_lock(self, client, letter, settings):
        for _ in range(settings.ACTIVATION_FAILURE_LIMIT - 1):
            post(client, "13800000001", "ABCDEFGH")
        assert post(client, "13800000001", letter.code).status_code == 302


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
class TestActivateOnAPhone:
    def test_guardian_activates_on_a_375px_screen(self, live_server, letter, browser):
        page = browser.new_page(viewport={"width": 375, "height": 740})
        page.goto(live_server.url + URL)
        # Nothing wider than the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_label("手机号").fill("138 0000 0001")
        page.get_by_label("激活码").fill(letter.code)
        page.get_by_label("设置密码").fill(PASSWORD)
        page.get_by_label("再次输入密码").fill(PASSWORD)
        button = page.get_by_role("button", name="激活并登录")
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        button.click()
        page.wait_for_url(live_server.url + reverse("home"))
        assert "账号已激活" in page.content()
        page.close()
        assert user().check_password(PASSWORD)
