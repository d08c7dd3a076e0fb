"""A guardian's 企业微信 parent userid: recorded by staff on the student's
page or by the guardian on their 通知方式 page, checked against WeCom's rule
(letters, digits, 「_-@.」, a letter or digit first, at most 64) and unique in
the school; notices then go through the WeCom channel to it."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from afterschool.models import Guardian, NoticeKind, NoticePreference
from afterschool.notices.services import guardian_wecom_set, notify_guardians_of_students
from tests import factories as f


def wecom_of(guardian: Guardian) -> str:
    return Guardian.objects.get(pk=guardian.pk).wecom_parent_userid


def staff_post(client, guardian, value, next_url="/people/students/"):
    return client.post(
        reverse("notices:guardian-wecom", args=[guardian.pk]),
        {"wecom_parent_userid": value, "next": next_url},
    )


class TestStaffForm:
    def test_admin_records_it_from_the_student_page(self, client, world):
        client.force_login(world.admin)
        page = reverse("people:student-detail", args=[world.child_x.pk])
        html = client.get(page).content.decode()
        assert reverse("notices:guardian-wecom", args=[world.guardian_x.pk]) in html
        response = staff_post(client, world.guardian_x, "  zhang_wei@3.1 ", next_url=page)
        assert response.status_code == 302 and response.url == page
        assert wecom_of(world.guardian_x) == "zhang_wei@3.1"
        assert 'value="zhang_wei@3.1"' in client.get(page).content.decode()
        # An empty value clears it.
        staff_post(client, world.guardian_x, "", next_url=page)
        assert wecom_of(world.guardian_x) == ""

    def test_homeroom_teacher_of_the_child_may_and_others_get_404(self, client, world):
        client.force_login(world.homeroom_a)
        staff_post(client, world.guardian_x, "zhangwei")
        assert wecom_of(world.guardian_x) == "zhangwei"
        for outsider in (world.homeroom_b, world.other_admin, world.teacher, world.guardian_y.user):
            client.force_login(outsider)
            assert staff_post(client, world.guardian_x, "hijack").status_code == 404
        assert wecom_of(world.guardian_x) == "zhangwei"

    def test_an_outside_next_is_not_followed(self, client, world):
        client.force_login(world.admin)
        response = staff_post(
            client, world.guardian_x, "zhangwei", next_url="https://evil.example/"
        )
        assert response.url == reverse("home")

    @pytest.mark.parametrize(
        "value", ["张伟", "_zhang", "zhang wei", "zhang#1", "a" * 65, "-a", ".a", "@a"]
    )
    def test_a_value_outside_wecoms_rule_is_refused(self, client, world, value):
        client.force_login(world.admin)
        response = staff_post(client, world.guardian_x, value)
        assert response.status_code == 302
        assert wecom_of(world.guardian_x) == ""
        message = [str(m) for m in response.wsgi_request._messages]
        assert any("企业微信家长账号" in m for m in message), message

    def test_an_id_another_guardian_of_the_school_holds_is_refused_ignoring_case(self, world):
        guardian_wecom_set(guardian=world.guardian_y, wecom_parent_userid="LiuFang", by=world.admin)
        with pytest.raises(ValidationError, match="已登记给本校另一位家长"):
            guardian_wecom_set(
                guardian=world.guardian_x, wecom_parent_userid="liufang", by=world.admin
            )
        assert wecom_of(world.guardian_x) == ""
        # Another school's address book is its own.
        guardian_wecom_set(
            guardian=world.other_guardian, wecom_parent_userid="liufang", by=world.other_admin
        )
        assert wecom_of(world.other_guardian) == "liufang"

    def test_a_taken_id_on_the_staff_form_is_refused_with_the_reason(self, client, world):
        guardian_wecom_set(guardian=world.guardian_y, wecom_parent_userid="liufang", by=world.admin)
        client.force_login(world.admin)
        response = staff_post(client, world.guardian_x, "LiuFang")
        messages = [str(m) for m in response.wsgi_request._messages]
        assert any("已登记给本校另一位家长" in m for m in messages), messages
        assert wecom_of(world.guardian_x) == ""

    def test_who_may_change_it(self, world):
        from django.contrib.auth.models import AnonymousUser

        from afterschool.access import can_edit_guardian_contact as may

        g = world.guardian_x
        assert may(world.admin, g) and may(world.homeroom_a, g) and may(g.user, g)
        for nobody in (
            AnonymousUser(),
            world.homeroom_b,
            world.teacher,
            world.other_admin,
            world.guardian_y.user,
        ):
            assert not may(nobody, g)

    def test_the_service_checks_who_asks(self, world):
        for outsider in (world.homeroom_b, world.other_admin, world.guardian_y.user):
            with pytest.raises(ValidationError, match="您不能修改这位家长的联系方式"):
                guardian_wecom_set(
                    guardian=world.guardian_x, wecom_parent_userid="zhangwei", by=outsider
                )
        assert wecom_of(world.guardian_x) == ""


class TestGuardianOwnPage:
    def test_guardian_records_own_id_and_wecom_then_reaches_it(
        self, client, world, wecom, django_capture_on_commit_callbacks
    ):
        client.force_login(world.guardian_x.user)
        field = f"wecom_{world.guardian_x.pk}"
        assert f'name="{field}"' in client.get(reverse("notices:preferences")).content.decode()
        response = client.post(
            reverse("notices:preferences"), {"sms": "on", "wecom": "on", field: "zhang_wei"}
        )
        assert response.status_code == 302
        assert wecom_of(world.guardian_x) == "zhang_wei"
        with django_capture_on_commit_callbacks(execute=True):
            notify_guardians_of_students(
                school=world.school,
                student_ids=[world.child_x.pk],
                kind=NoticeKind.SERVICE_SUSPENDED,
                title="停课通知",
            )
        (send,) = [r for r in wecom.requests if r["path"].endswith("/message/send")]
        assert json.loads(send["body"])["to_parent_userid"] == ["zhang_wei"]

    def test_a_bad_id_saves_nothing(self, client, world):
        client.force_login(world.guardian_x.user)
        field = f"wecom_{world.guardian_x.pk}"
        response = client.post(reverse("notices:preferences"), {"wecom": "on", field: "张伟"})
        assert response.status_code == 200
        assert "企业微信家长账号只能由字母" in response.content.decode()
        assert wecom_of(world.guardian_x) == ""
        assert not NoticePreference.objects.exists()

    def test_a_taken_id_saves_nothing(self, client, world):
        guardian_wecom_set(guardian=world.guardian_y, wecom_parent_userid="liufang", by=world.admin)
        client.force_login(world.guardian_x.user)
        field = f"wecom_{world.guardian_x.pk}"
        response = client.post(reverse("notices:preferences"), {"wecom": "on", field: "LIUFANG"})
        assert response.status_code == 200
        assert "已登记给本校另一位家长" in response.content.decode()
        assert wecom_of(world.guardian_x) == "" and not NoticePreference.objects.exists()

    def test_a_family_at_two_schools_has_one_field_per_school(self, client, world):
        second = f.make_guardian(
            world.other_child, "张伟", world.guardian_x.mobile, with_login=False
        )
        Guardian.objects.filter(pk=second.pk).update(user=world.guardian_x.user)
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("notices:preferences")).content.decode()
        assert f'name="wecom_{world.guardian_x.pk}"' in html
        assert f'name="wecom_{second.pk}"' in html and world.other_school.name in html
        client.post(
            reverse("notices:preferences"),
            {f"wecom_{world.guardian_x.pk}": "zw_a", f"wecom_{second.pk}": "zw_b"},
        )
        assert (wecom_of(world.guardian_x), wecom_of(second)) == ("zw_a", "zw_b")

    def test_staff_have_no_wecom_field(self, client, world):
        client.force_login(world.admin)
        assert 'name="wecom_' not in client.get(reverse("notices:preferences")).content.decode()
