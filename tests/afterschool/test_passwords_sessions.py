"""Password hashing (Argon2id with OWASP's parameters, older hashes upgraded
at the next login) and session lifetimes (a term for guardians, a working
day for staff, renewed on use)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from afterschool import settings as real_settings
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return response


class TestHasher:
    @pytest.fixture(autouse=True)
    def real_hashers(self, settings):
        settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS

    def test_new_passwords_are_argon2id_with_owasp_parameters(self):
        encoded = make_password("demo12345")
        assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")

    def test_pbkdf2_hash_upgraded_on_login(self, client, world):
        user = world.homeroom_a
        user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
        user.save(update_fields=["password"])
        log_in(client, user.username)
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        assert user.check_password(PASSWORD)

    def test_argon2_hash_with_django_defaults_upgraded_on_login(self, client, world):
        user = world.homeroom_a
        user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
        assert "m=102400,t=2,p=8" in user.password
        user.save(update_fields=["password"])
        log_in(client, user.username)
        user.refresh_from_db()
        assert "m=19456,t=2,p=1" in user.password

    def test_wrong_password_does_not_rewrite_the_hash(self, client, world):
        user = world.homeroom_a
        old = make_password(PASSWORD, hasher="pbkdf2_sha256")
        user.password = old
        user.save(update_fields=["password"])
        client.post(reverse("login"), {"username": user.username, "password": "wrong-1"})
        user.refresh_from_db()
        assert user.password == old


def session_expiry(client) -> datetime.datetime:
    return Session.objects.get(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    ).expire_date


class TestSessionLifetime:
    def test_guardian_session_lasts_a_term(self, client, world):
        with time_machine.travel(
            datetime.datetime(2024, 9, 2, 8, 0, tzinfo=datetime.UTC), tick=False
        ):
            response = log_in(client, world.guardian_x.user.username)
            cookie = response.cookies[settings.SESSION_COOKIE_NAME]
            assert int(cookie["max-age"]) == 150 * 24 * 3600
            assert session_expiry(client) == timezone.now() + datetime.timedelta(days=150)

    def test_staff_session_lasts_a_working_day(self, client, world):
        with time_machine.travel(
            datetime.datetime(2024, 9, 2, 8, 0, tzinfo=datetime.UTC), tick=False
        ):
            response = log_in(client, world.homeroom_a.username)
            assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 12 * 3600
            assert session_expiry(client) == timezone.now() + datetime.timedelta(hours=12)

    def test_guardian_session_renewed_on_use_not_on_every_request(self, client, world):
        start = datetime.datetime(2024, 9, 2, 8, 0, tzinfo=datetime.UTC)
        with time_machine.travel(start, tick=False):
            log_in(client, world.guardian_x.user.username)
        first = session_expiry(client)
        with time_machine.travel(start + datetime.timedelta(days=3), tick=False):
            client.get(reverse("home"))
        assert session_expiry(client) == first  # three days in: no write
        later = start + datetime.timedelta(days=40)
        with time_machine.travel(later, tick=False):
            assert client.get(reverse("home")).status_code == 200
        assert session_expiry(client) == later + datetime.timedelta(days=150)

    def test_staff_session_ends_after_a_day_unused(self, client, world):
        start = datetime.datetime(2024, 9, 2, 8, 0, tzinfo=datetime.UTC)
        with time_machine.travel(start, tick=False):
            log_in(client, world.homeroom_a.username)
        with time_machine.travel(start + datetime.timedelta(hours=13), tick=False):
            response = client.get(reverse("enrollment:class-list"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_staff_session_renewed_by_use(self, client, world):
        start = datetime.datetime(2024, 9, 2, 8, 0, tzinfo=datetime.UTC)
        with time_machine.travel(start, tick=False):
            log_in(client, world.homeroom_a.username)
        with time_machine.travel(start + datetime.timedelta(hours=6), tick=False):
            client.get(reverse("enrollment:class-list"))
        with time_machine.travel(start + datetime.timedelta(hours=15), tick=False):
            response = client.get(reverse("enrollment:class-list"))
        assert response.status_code == 200
