"""Club rosters (名单) on screen and as PDF, for the admin and the club's
teacher only."""

from __future__ import annotations

import io
import subprocess

import pdfplumber
import pytest
from django.urls import reverse

from scheduling.choice import services as choice
from scheduling.models import ClubChoice
from tests import factories as f
from tests.scheduling.club_helpers import enroll, make_club


@pytest.fixture
def published(world, term):
    club = make_club(term, name="足球社", capacity=10, teacher=world.teacher)
    other = make_club(term, name="合唱团", capacity=10)
    for kid in (world.child_x, world.child_y):
        enroll(kid, term)
        ClubChoice.objects.create(student=kid, term=term, club=club, club_name=club.name, rank=1)
    run = choice.allocation_run(term=term, seed=1, by=world.admin)
    choice.allocation_publish(run=run)
    return {"club": club, "other": other, "run": run}


class TestRoster:
    def test_teacher_sees_their_clubs_roster(self, client, world, term, published):
        client.force_login(world.teacher)
        html = client.get(reverse("scheduling:club-roster", args=[published["club"].pk])).content
        html = html.decode()
        assert "足球社 名单" in html
        assert "张小明" in html and "三年级（1）班" in html
        assert "刘小红" in html and "三年级（2）班" in html
        assert "2 人 / 名额 10 人" in html

    def test_pdf_has_the_names_and_an_embedded_cjk_font(
        self, client, world, term, published, tmp_path
    ):
        client.force_login(world.admin)
        response = client.get(reverse("scheduling:club-roster-pdf", args=[published["club"].pk]))
        assert response["Content-Type"] == "application/pdf"
        with pdfplumber.open(io.BytesIO(response.content)) as pdf:
            text = "".join(page.extract_text() for page in pdf.pages)
        assert "足球社 名单" in text and "张小明" in text and "刘小红" in text
        path = tmp_path / "roster.pdf"
        path.write_bytes(response.content)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert "CJK" in fonts and " yes " in fonts

    def test_unpublished_says_so(self, client, world, term):
        club = make_club(term, name="足球社", teacher=world.teacher)
        client.force_login(world.teacher)
        html = client.get(reverse("scheduling:club-roster", args=[club.pk])).content.decode()
        assert "本学期的社团分配结果尚未发布。" in html

    def test_roster_list_shows_only_own_clubs_to_a_teacher(self, client, world, term, published):
        client.force_login(world.teacher)
        html = client.get(reverse("scheduling:club-rosters")).content.decode()
        assert "足球社" in html and "合唱团" not in html
        client.force_login(world.admin)
        html = client.get(reverse("scheduling:club-rosters")).content.decode()
        assert "足球社" in html and "合唱团" in html

    def test_permissions(self, client, world, term, published):
        club = published["club"]
        urls = [
            reverse("scheduling:club-roster", args=[club.pk]),
            reverse("scheduling:club-roster-pdf", args=[club.pk]),
        ]
        other_teacher = published["other"].teacher
        for user in (world.guardian_x.user, world.homeroom_a, other_teacher, world.other_admin):
            client.force_login(user)
            for url in urls:
                assert client.get(url).status_code == 404, (user, url)
        client.force_login(world.guardian_x.user)
        assert client.get(reverse("scheduling:club-rosters")).status_code == 403

    @pytest.mark.parametrize("size", [3, 30])
    def test_roster_query_count(self, client, world, term, django_assert_num_queries, size):
        club = make_club(term, name="足球社", capacity=50, teacher=world.teacher)
        for i in range(size):
            kid = f.make_student(world.class_a, f"学生{i}")
            enroll(kid, term)
            ClubChoice.objects.create(student=kid, term=term, club=club, club_name="足球社", rank=1)
        choice.allocation_publish(run=choice.allocation_run(term=term, seed=1, by=None))
        client.force_login(world.teacher)
        # 1 session, 2 user+school, 3 club with term and school, 4 published
        # run, 5 placed students with classes.
        with django_assert_num_queries(5):
            response = client.get(reverse("scheduling:club-roster", args=[club.pk]))
        assert len(response.context["rows"]) == size

    @pytest.mark.parametrize("extra", [0, 8])
    def test_roster_list_query_count(self, client, world, term, django_assert_num_queries, extra):
        for i in range(extra + 1):
            make_club(term, name=f"社团{i}")
        client.force_login(world.admin)
        # 1 session, 2 user+school, 3 terms, 4 clubs, 5 published run (none
        # yet, so no count query).
        with django_assert_num_queries(5):
            client.get(reverse("scheduling:club-rosters"))
