"""The inbox pages: reading, read-all, channel choices, pickup removal."""

from __future__ import annotations

from django.urls import reverse

from afterschool.models import NoticeKind, NoticePreference, PickupPerson
from afterschool.notices.services import notify


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
