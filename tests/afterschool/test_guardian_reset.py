"""Staff reset a guardian's login and print a new activation code."""

import io
import re

import pdfplumber
import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from afterschool.activation import guardian_activate, guardian_login_reset
from afterschool.models import ActivationCode

NEW_PASSWORD = "Qz!8long-pass"


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as doc:
        return "".join((p.extract_text() or "").replace("\n", "") for p in doc.pages)


@pytest.mark.django_db
class TestGuardianLoginReset:
    def test_old_password_stops_working_and_the_new_code_activates(self, world):
        user = world.guardian_x.user
        assert user.has_usable_password()
        page = guardian_login_reset(guardian=world.guardian_x)
        user.refresh_from_db()
        assert not user.has_usable_password()
        assert [s.pk for s in page.students] == [world.child_x.pk]
        assert ActivationCode.objects.filter(user=user, used_at__isnull=True).count() == 1
        activated = guardian_activate(
            mobile=world.guardian_x.mobile, code=page.code, password=NEW_PASSWORD
        )
        assert activated.check_password(NEW_PASSWORD)

    def test_reset_lifts_a_login_lockout(self, world):
        AccessAttempt.objects.create(
            username=world.guardian_x.mobile, failures_since_start=5, ip_address="127.0.0.1"
        )
        guardian_login_reset(guardian=world.guardian_x)
        assert not AccessAttempt.objects.filter(username=world.guardian_x.mobile).exists()

    def test_a_second_reset_voids_the_first_code(self, world):
        first = guardian_login_reset(guardian=world.guardian_x)
        guardian_login_reset(guardian=world.guardian_x)
        with pytest.raises(Exception, match="手机号或激活码不正确"):
            guardian_activate(
                mobile=world.guardian_x.mobile, code=first.code, password=NEW_PASSWORD
            )


@pytest.mark.django_db
class TestGuardianResetView:
    def url(self, world):
        return reverse("roster:guardian-reset", args=[world.guardian_x.pk])

    @pytest.mark.parametrize("persona", ["admin", "homeroom_a"])
    def test_staff_get_a_letter_with_a_working_code(self, client, world, persona):
        client.force_login(getattr(world, persona))
        response = client.post(self.url(world))
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert world.child_x.name in text and world.school.name in text
        code = re.search(r"激活码[:：]?\s*([A-HJ-NP-Z2-9]{8})", text)
        assert code, text[:400]
        assert guardian_activate(
            mobile=world.guardian_x.mobile, code=code.group(1), password=NEW_PASSWORD
        ).check_password(NEW_PASSWORD)

    @pytest.mark.parametrize("persona", ["homeroom_b", "teacher", "other_admin"])
    def test_others_get_404_and_nothing_changes(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.post(self.url(world)).status_code == 404
        world.guardian_x.user.refresh_from_db()
        assert world.guardian_x.user.has_usable_password()
        assert not ActivationCode.objects.exists()

    def test_guardian_gets_404(self, client, world):
        client.force_login(world.guardian_y.user)
        assert client.post(self.url(world)).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, world):
        response = client.post(self.url(world))
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_get_is_not_allowed(self, client, world):
        client.force_login(world.admin)
        assert client.get(self.url(world)).status_code == 405

    def test_student_page_offers_the_reset_to_staff_only(self, client, world):
        url = reverse("people:student-detail", args=[world.child_x.pk])
        client.force_login(world.admin)
        assert self.url(world) in client.get(url).content.decode()
        client.force_login(world.guardian_x.user)
        assert self.url(world) not in client.get(url).content.decode()
