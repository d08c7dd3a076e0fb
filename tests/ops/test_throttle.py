"""Login throttling (django-axes): 5 wrong passwords lock an account for 15 minutes."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from tests.factories import PASSWORD

LOCKED = "密码错误次数过多，账号已锁定15分钟，请稍后再试或联系学校重置"


def post_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def fail_times(client, username, n):
    for _ in range(n):
        post_login(client, username, "wrong-password")


@pytest.mark.django_db
class TestLoginLockout:
    def test_four_wrong_passwords_do_not_lock(self, world, client):
        fail_times(client, "teacher_a", 4)
        response = post_login(client, "teacher_a", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.teacher.pk)

    def test_fifth_wrong_password_locks_with_the_message_on_the_login_page(self, world, client):
        fail_times(client, "teacher_a", 4)
        response = post_login(client, "teacher_a", "wrong-password")
        assert response.status_code == 429
        html = response.content.decode()
        assert LOCKED in html
        assert 'name="username"' in html  # the login form itself, not a bare error page
        assert 'value="teacher_a"' in html  # re-shows what was typed
        assert "_auth_user_id" not in client.session

    def test_locked_account_refuses_the_right_password(self, world, client):
        fail_times(client, "teacher_a", 5)
        response = post_login(client, "teacher_a", PASSWORD)
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_lock_is_per_account_not_per_address(self, world, client):
        fail_times(client, "teacher_a", 5)
        response = post_login(client, "admin_a", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.admin.pk)

    def test_login_works_again_after_the_cool_off(self, world, client):
        fail_times(client, "teacher_a", 5)
        # 15 minutes and a second later, as far as the recorded attempt goes.
        AccessAttempt.objects.filter(username="teacher_a").update(
            attempt_time=timezone.now() - datetime.timedelta(minutes=15, seconds=1)
        )
        response = post_login(client, "teacher_a", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.teacher.pk)
        assert not AccessAttempt.objects.filter(username="teacher_a").exists()

    def test_still_locked_just_before_the_cool_off_ends(self, world, client):
        fail_times(client, "teacher_a", 5)
        AccessAttempt.objects.filter(username="teacher_a").update(
            attempt_time=timezone.now() - datetime.timedelta(minutes=14, seconds=50)
        )
        response = post_login(client, "teacher_a", PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_trying_during_the_lock_does_not_extend_it(self, world, client):
        fail_times(client, "teacher_a", 5)
        before = AccessAttempt.objects.get(username="teacher_a").attempt_time
        post_login(client, "teacher_a", PASSWORD)
        post_login(client, "teacher_a", "wrong-password")
        attempt = AccessAttempt.objects.get(username="teacher_a")
        assert attempt.attempt_time == before
        assert attempt.failures_since_start == 5

    def test_successful_login_resets_the_count(self, world, client):
        fail_times(client, "teacher_a", 4)
        assert post_login(client, "teacher_a", PASSWORD).status_code == 302
        client.logout()
        fail_times(client, "teacher_a", 4)
        assert post_login(client, "teacher_a", PASSWORD).status_code == 302


@pytest.mark.django_db
class TestGuardianMobileLockout:
    def test_mobile_typed_in_different_shapes_counts_against_one_account(self, world, client):
        shapes = [
            "13900000001",
            "+86 139-0000-0001",
            "139 0000 0001",
            "8613900000001",
            "+8613900000001",
        ]
        for shape in shapes:
            post_login(client, shape, "wrong-password")
        assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
            ("13900000001", 5)
        ]
        response = post_login(client, "13900000001", PASSWORD)
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_other_guardian_is_not_locked(self, world, client):
        fail_times(client, "13900000001", 5)
        response = post_login(client, "139-0000-0002", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.guardian_y.user.pk)


@pytest.mark.django_db
class TestAdminLoginLockout:
    def test_admin_site_login_shows_the_chinese_lockout_page(self, world, client):
        for _ in range(5):
            response = client.post(
                "/admin/login/", {"username": "admin_a", "password": "wrong-password"}
            )
        assert response.status_code == 429
        assert LOCKED in response.content.decode()


@pytest.mark.django_db
class TestTestClientLogins:
    def test_client_login_without_a_request_still_works(self, world, client):
        # authenticate() without a request (test client, shell) is not throttled.
        assert client.login(username="teacher_a", password=PASSWORD)

    def test_client_login_with_a_wrong_password_fails(self, world, client):
        assert not client.login(username="teacher_a", password="wrong-password")
        assert not AccessAttempt.objects.exists()
