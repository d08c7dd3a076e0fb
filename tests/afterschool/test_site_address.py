"""The address on activation letters and in their QR codes is the site's
configured one (settings.SITE_URL), not whatever host the request came in on."""

import io

import pypdf
import pytest
from django.urls import reverse

from tests.afterschool.rosterfiles import csv_bytes, student
from tests.factories import PASSWORD


def pdf_text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.django_db
class TestLettersUseTheConfiguredAddress:
    def test_letter_printed_from_a_local_address_names_site_url(self, client, world, settings):
        from afterschool.roster.importer import roster_import
        from afterschool.roster.parse import roster_parse

        roster = roster_parse(filename="a.csv", content=csv_bytes([student(1)]))
        roster_import(roster=roster, start_year=2024, school_name=world.school.name)
        settings.SITE_URL = "https://kfw.example.cn"
        assert client.login(username=world.admin.username, password=PASSWORD)
        from afterschool.models import SchoolClass

        klass = SchoolClass.objects.filter(students__isnull=False).first()
        response = client.post(
            reverse("roster:class-letters", args=[klass.pk]), HTTP_HOST="127.0.0.1"
        )
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert "https://kfw.example.cn/activate/" in text
        assert "127.0.0.1" not in text
        # The QR code is drawn as an image on each letter.
        reader = pypdf.PdfReader(io.BytesIO(response.content))
        assert reader.pages[0].get("/Resources") is not None


@pytest.mark.django_db
class TestActivationPageQr:
    def test_activation_page_shows_a_qr_code_of_the_configured_address(self, client, settings):
        settings.SITE_URL = "https://kfw.example.cn/"
        html = client.get(reverse("activate")).content.decode()
        assert 'src="data:image/svg+xml' in html
        assert "https://kfw.example.cn/activate/" in html

    def test_without_site_url_the_request_address_is_used(self, client, settings):
        settings.SITE_URL = ""
        html = client.get(reverse("activate")).content.decode()
        assert "http://testserver/activate/" in html
