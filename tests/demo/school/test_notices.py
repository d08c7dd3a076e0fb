"""The demo's notices, announcement and pickup people; every role's home
page shows its to-dos; loading again adds nothing (the package's demo
school, conftest.py)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from afterschool.models import Announcement, Notice, PickupPerson, User


@pytest.fixture
def demo(school):
    """The package's demo school (conftest.py, pinned to 2025-01-15)."""
    return school


class TestNoticesDemo:
    def test_guardian_has_unread_notices_and_a_pickup_person(self, demo, client):
        user = User.objects.get(username="13800138001")
        assert user.unread_notices >= 2
        assert PickupPerson.objects.filter(student__guardians__user=user).exists()
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
        assert 'data-todo="unread"' in html

    def test_every_unread_count_is_what_the_inbox_marks(self, demo, client):
        # The demo dates its old fee notices as read: the badge follows.
        for user in User.objects.filter(notices__isnull=False).distinct():
            assert user.unread_notices == user.notices.filter(read_at=None).count(), user
        user = User.objects.get(username="13800138001")
        assert Notice.objects.filter(recipient=user, read_at__isnull=False).exists()
        client.force_login(user)
        html = client.get(reverse("notices:inbox")).content.decode()
        assert html.count("notice-unread") == user.unread_notices

    def test_every_role_home_shows_todos(self, demo, client):
        for username in ("admin", "hr_3_2", "teacher1", "13800138002"):
            client.force_login(User.objects.get(username=username))
            html = client.get(reverse("home")).content.decode()
            assert "data-todos=" in html or "今天的看护与点名" in html, username
        client.force_login(User.objects.get(username="admin"))
        assert 'data-todo="not_submitted"' in client.get(reverse("home")).content.decode()

    def test_announcement_with_reads(self, demo):
        ann = Announcement.objects.get(title="三年级（2）班家长会通知")
        assert ann.notices.exclude(read_at=None).count() >= 1

    def test_loading_again_adds_nothing(self, demo):
        before = (
            Notice.objects.count(),
            PickupPerson.objects.count(),
            Announcement.objects.count(),
        )
        # A database built before the count followed the inbox: 12 for 5.
        user = User.objects.get(username="13800138001")
        User.objects.filter(pk=user.pk).update(unread_notices=12)
        call_command("load_demo", stdout=io.StringIO())
        after = (Notice.objects.count(), PickupPerson.objects.count(), Announcement.objects.count())
        assert before == after
        user.refresh_from_db()
        assert user.unread_notices == user.notices.filter(read_at=None).count()
