"""The inbox pages: reading, read-all, channel choices, pickup removal."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from afterschool.models import Notice, NoticeKind, NoticePreference, PickupPerson
from afterschool.notices.services import notify, unread_notices_recount


def two_notices(world):
    for i in range(2):
        notify(
            school=world.school,
            recipients=[world.guardian_x.user],
            kind=NoticeKind.ANNOUNCEMENT,
            title=f"通知{i}",
            link="https://evil.example/phish",
        )


class TestInbox:
    def test_list_and_read_all(self, client, world):
        two_notices(world)
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("notices:inbox")).content.decode()
        assert "通知0" in html and "通知1" in html and "2 条未读" in html
        client.post(reverse("notices:read-all"))
        world.guardian_x.user.refresh_from_db()
        assert world.guardian_x.user.unread_notices == 0
        assert "0 条未读" in client.get(reverse("notices:inbox")).content.decode()

    def test_an_outside_link_is_not_offered(self, client, world):
        two_notices(world)
        client.force_login(world.guardian_x.user)
        n = world.guardian_x.user.notices.first()
        html = client.get(reverse("notices:detail", args=[n.pk])).content.decode()
        assert "evil.example" not in html

    def test_other_guardian_sees_an_empty_inbox(self, client, world):
        two_notices(world)
        client.force_login(world.guardian_y.user)
        assert "通知0" not in client.get(reverse("notices:inbox")).content.decode()


class TestUnreadCount:
    """The badge, the inbox title and the to-do count exactly the notices the
    inbox marks 未读 (``afterschool.notices.selectors.unread``)."""

    def test_reading_one_recounts_after_others_were_read_elsewhere(self, client, world):
        two_notices(world)
        user = world.guardian_x.user
        # Read outside the mark services (as the demo dates its old notices).
        Notice.objects.filter(recipient=user, title="通知0").update(read_at=timezone.now())
        client.force_login(user)
        client.get(reverse("notices:detail", args=[user.notices.get(title="通知1").pk]))
        user.refresh_from_db()
        assert user.unread_notices == 0
        html = client.get(reverse("notices:inbox")).content.decode()
        assert "0 条未读" in html and "notice-unread" not in html

    def test_recount_matches_the_marked_items(self, client, world):
        two_notices(world)
        user = world.guardian_x.user
        Notice.objects.filter(recipient=user, title="通知0").update(read_at=timezone.now())
        unread_notices_recount(user_ids=[user.pk, world.guardian_y.user.pk])
        user.refresh_from_db()
        world.guardian_y.user.refresh_from_db()
        assert (user.unread_notices, world.guardian_y.user.unread_notices) == (1, 0)
        client.force_login(user)
        html = client.get(reverse("notices:inbox")).content.decode()
        assert "1 条未读" in html and html.count("notice-unread") == 1
        assert 'data-unread="1"' in html

    def test_a_new_notice_counts_what_is_unread_not_one_more(self, world):
        two_notices(world)
        user = world.guardian_x.user
        Notice.objects.filter(recipient=user).update(read_at=timezone.now())
        two_notices(world)
        user.refresh_from_db()
        assert user.unread_notices == 2


class TestPreferences:
    def test_turning_sms_off(self, client, world):
        client.force_login(world.guardian_x.user)
        assert client.get(reverse("notices:preferences")).status_code == 200
        client.post(reverse("notices:preferences"), {"wecom": "on"})
        pref = NoticePreference.objects.get(user=world.guardian_x.user)
        assert (pref.sms, pref.wecom) == (False, True)
        html = client.get(reverse("notices:preferences")).content.decode()
        assert "checked" in html


class TestPickupRemoval:
    def test_guardian_removes_own_other_gets_404(self, client, world):
        p = PickupPerson.objects.create(
            student=world.child_x, name="张奶奶", relation="祖母", mobile="13700000001"
        )
        client.force_login(world.guardian_y.user)
        assert client.post(reverse("scheduling:pickup-delete", args=[p.pk])).status_code == 404
        client.force_login(world.guardian_x.user)
        client.post(reverse("scheduling:pickup-delete", args=[p.pk]))
        assert not PickupPerson.objects.exists()
