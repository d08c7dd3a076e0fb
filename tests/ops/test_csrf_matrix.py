"""CSRF is enforced on every POST: every private URL from
the resolver, POSTed without a token by the people who may use it, is
refused with the Chinese CSRF page and writes nothing. The control test
shows the same client gets through with the token, so the refusals are
about the token."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from enrollment.models import SurveyResponse
from tests.ops.conftest import shared_world_fixtures
from tests.ops.urlwalk import POST_DATA, data_snapshot, private_routes, url_for

# One world and one set of samples for the whole module (tests/ops/conftest.py):
# building them per test took most of the module's time. Each test still runs
# in its own savepoint.
world, samples = shared_world_fixtures()


ROUTES = private_routes()
# Between them these reach every private page of school A (the matrix's
# test_the_owner_reaches_the_page); POSTed without a token, all must fail.
RIGHT_PERSONAS = ("admin", "homeroom_a", "guardian_x", "teacher")


def persona_user(world, persona: str):
    user = getattr(world, persona)
    return user.user if persona.startswith("guardian") else user


def test_no_view_is_csrf_exempt():
    exempt = [r.name for r in ROUTES if getattr(r.view, "csrf_exempt", False)]
    assert exempt == []


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_post_without_token_is_refused(world, samples, route):
    url = url_for(route, samples)
    client = Client(enforce_csrf_checks=True)
    for persona in RIGHT_PERSONAS:
        client.force_login(persona_user(world, persona))
        before = data_snapshot(samples)
        response = client.post(url, POST_DATA)
        assert response.status_code == 403, f"POST {url} as {persona}: {response.status_code}"
        assert "403_csrf.html" in [t.name for t in response.templates], url
        assert "页面已过期，请刷新后重试" in response.content.decode()
        assert data_snapshot(samples) == before, f"POST {url} as {persona} without token wrote"


def test_post_with_the_pages_token_goes_through(world, samples):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.guardian_x.user)
    url = reverse("enrollment:survey-answer", args=[world.child_x.pk])
    client.get(url)
    token = client.cookies["csrftoken"].value
    response = client.post(
        url, {"answer": "join", "wants_after_school": "on", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert SurveyResponse.objects.get(student=world.child_x).answer == "join"
