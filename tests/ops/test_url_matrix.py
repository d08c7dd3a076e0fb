"""Every private URL, read from the URL resolver, requested as every persona
that must not reach school A / class A / child X's data (STYLE.md §3, §7).

- anonymous: sent to the login page (a POST may also be refused with 403);
- guardian of another child, homeroom teacher of another class, a teacher,
  the admin of another school: 403 or 404 (405 for a method the view does
  not take), never a 200 with data, never a 500 (the test client raises the
  view's exception, so a 500 fails the test with its traceback);
- a refused POST writes nothing (row counts of every table, every field of
  every sample object).

A page that shows each visitor only their own rows (their home page, their
own class list) may answer 200: those pages are listed in SHARED with the
reason, and the page must not show child X's name, ID number or family.

New URLs (billing, clubs, attendance ...) are covered as soon as they are in
the resolver; one that names an object needs a sample (tests/ops/urlwalk.py)
and the test says so.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.ops.conftest import shared_world_fixtures
from tests.ops.urlwalk import (
    POST_DATA,
    Route,
    data_snapshot,
    pdf_text,
    private_routes,
    sample_values,
    url_for,
)

# One world and one set of samples for the whole module (tests/ops/conftest.py):
# building them per test took most of the module's time. Each test still runs
# in its own savepoint.
world, samples = shared_world_fixtures()


ROUTES = private_routes()

WRONG_PERSONAS = ("guardian_y", "homeroom_b", "teacher", "other_admin", "other_supervisor")
# Who owns school A / class A / child X's data, in the order tried (the
# supervisor of school A's county owns the county's figures).
OWNERS = ("admin", "homeroom_a", "guardian_x", "teacher", "supervisor")

# Pages that answer 200 to a persona outside school A / class A / child X
# because they show that persona only their own rows. Each entry says why.
SHARED: dict[str, dict[str, str]] = {
    "home": dict.fromkeys(WRONG_PERSONAS, "everyone's own home page"),
    "notices:inbox": dict.fromkeys(WRONG_PERSONAS, "everyone's own notices"),
    "notices:preferences": dict.fromkeys(WRONG_PERSONAS, "everyone's own channel choices"),
    "notices:read-all": dict.fromkeys(WRONG_PERSONAS, "marks the visitor's own notices read"),
    "notices:announcements": {
        "homeroom_b": "the announcements to the teacher's own class",
        "other_admin": "the admin's own school's announcements",
    },
    "overview:dashboard": {
        "homeroom_b": "the charts of the teacher's own class",
        "other_admin": "the charts of the admin's own school",
    },
    "overview:dashboard-pdf": {
        "homeroom_b": "the figures of the teacher's own class",
        "other_admin": "the figures of the admin's own school",
    },
    "overview:county": {"other_supervisor": "the supervisor's own county's schools"},
    "overview:county-inspection-xlsx": {"other_supervisor": "the supervisor's own county"},
    "scheduling:homework": {
        "homeroom_b": "homework of the school's classes, for its teachers (no child named)",
        "teacher": "homework of the school's classes, for its teachers (no child named)",
        "other_admin": "homework of the admin's own school",
    },
    "scheduling:homework-family": {"guardian_y": "the guardian's own children's homework"},
    "enrollment:family": {
        "guardian_y": "a guardian's own children",
        # Staff are sent on to their own start page (class list, surveys).
        "homeroom_b": "redirect to the teacher's own class list",
        "other_admin": "redirect to the admin's own surveys",
    },
    "enrollment:class-list": {
        "homeroom_b": "the classes the teacher leads",
        "other_admin": "the classes of the admin's own school",
    },
    "people:student-list": {
        "homeroom_b": "the students of the teacher's own class",
        "other_admin": "the students of the admin's own school",
    },
    "people:class-list": {
        "homeroom_b": "the teacher's own classes",
        "other_admin": "the admin's own school",
    },
    "people:room-list": {
        "homeroom_b": "rooms of the school, for all its staff",
        "teacher": "rooms of the school, for all its staff",
        "other_admin": "the admin's own school's rooms",
    },
    "people:guardian-list": {"other_admin": "the admin's own school's guardians"},
    "people:staff-list": {"other_admin": "the admin's own school's staff"},
    "roster:upload": {"other_admin": "the admin's own school's uploads"},
    "roster:letters": {"other_admin": "the admin's own school's classes"},
    "roster:rollover": {"other_admin": "the plan of the admin's own school's classes"},
    "billing:term-new": {"other_admin": "a new term from the admin's own school's last one"},
    "enrollment:surveys": {"other_admin": "the admin's own school (no term: a notice)"},
    "enrollment:submissions": {"other_admin": "the admin's own school (no term: a notice)"},
    "enrollment:waivers": {"other_admin": "the admin's own school (no term: a notice)"},
    "enrollment:agreement-template": {"other_admin": "the admin's own school's agreement"},
    "scheduling:unavailability": {"other_admin": "the admin's own school's staff"},
    "scheduling:timetable-me": {
        "homeroom_b": "links to the teacher's own timetables",
        "teacher": "links to the teacher's own timetables",
        "other_admin": "links to the admin's own school's timetables",
        "guardian_y": "sent on to the guardian's own child's timetable",
    },
    "scheduling:timetable-school": {
        "homeroom_b": "the school's week, for all its staff (notice board)",
        "teacher": "the school's week, for all its staff (notice board)",
    },
    "scheduling:timetable-school-pdf": {
        "homeroom_b": "the school's week, for all its staff (notice board)",
        "teacher": "the school's week, for all its staff (notice board)",
    },
    "scheduling:timetable-room": {
        "homeroom_b": "a room's week, for all the school's staff (posted on the door)",
        "teacher": "a room's week, for all the school's staff (posted on the door)",
    },
    "scheduling:timetable-room-pdf": {
        "homeroom_b": "a room's week, for all the school's staff (posted on the door)",
        "teacher": "a room's week, for all the school's staff (posted on the door)",
    },
    "scheduling:roll-index": {
        "homeroom_b": "the sessions whose roll the person takes",
        "teacher": "the sessions whose roll the person takes",
        "other_admin": "the sessions of the admin's own school",
    },
    "scheduling:absences": {
        "guardian_y": "absences of the guardian's own children",
        "homeroom_b": "absences of the teacher's own class",
        "other_admin": "absences in the admin's own school",
    },
    "scheduling:leave-list": {
        "guardian_y": "the guardian's own children's leave",
        "homeroom_b": "leave of the teacher's own class",
        "other_admin": "leave in the admin's own school",
    },
    "scheduling:leave-create": {"guardian_y": "a form for the guardian's own children"},
    "scheduling:dismissal-index": {
        "homeroom_b": "the classes the person dismisses",
        "teacher": "the classes the person dismisses (none)",
        "other_admin": "the classes of the admin's own school",
    },
    "scheduling:club-choose-index": {
        "guardian_y": "sent on to the guardian's own child's club choice",
    },
    "scheduling:club-rosters": {
        "homeroom_b": "the clubs the person leads (none)",
        "teacher": "the clubs the person leads (none)",
    },
    "billing:statements": {"homeroom_b": "the statements of the teacher's own class"},
    "billing:family": {"guardian_y": "the guardian's own children's statements"},
    "billing:fee-sheet": {"homeroom_b": "the fee sheet of the teacher's own class"},
    "enrollment:agreements-print": {
        "homeroom_b": "printing the teacher's own class's agreements",
        "other_admin": "printing the admin's own school's agreements",
    },
    "enrollment:blank-application-form": {"homeroom_b": "a blank form, no one's data"},
    "enrollment:blank-opt-out-form": {"homeroom_b": "a blank form, no one's data"},
}

REFUSED = {403, 404, 405}


def persona_user(world, persona: str, samples=None):
    if persona.endswith("supervisor"):
        return samples[persona]
    user = getattr(world, persona)
    return user.user if persona.startswith("guardian") else user


def child_x_data(world, samples) -> list[str]:
    """What must not appear on a page shown to someone outside child X's
    school, class and family."""
    child, guardian = world.child_x, world.guardian_x
    return [
        child.name,
        child.id_number,
        child.masked_id_number,
        child.student_number,
        guardian.name,
        guardian.mobile,
        samples["application"].reason,
        samples["waiver"].reason,
    ]


def leaks(response, secrets: list[str]) -> list[str]:
    if response.get("Content-Type", "").startswith("application/pdf"):
        text = pdf_text(response.content)
    else:
        text = response.content.decode(errors="replace")
    return [s for s in secrets if s and s in text]


def check(client, route: Route, method: str, url: str, persona: str, world, samples) -> str | None:
    """None when ``persona`` is refused (or shown only their own rows on a
    SHARED page) and nothing was written; else what went wrong."""
    before = data_snapshot(samples)
    response = getattr(client, method)(url, POST_DATA if method == "post" else None)
    code = response.status_code
    shared = persona in SHARED.get(route.name, {})
    if code in REFUSED:
        if data_snapshot(samples) != before:
            return f"{method.upper()} {url} as {persona}: refused with {code} but wrote data"
        return None
    if not shared:
        return (
            f"{method.upper()} {url} as {persona}: {code}, expected 403/404. If this page "
            f"legitimately shows {persona} only their own rows, add it to SHARED in "
            f"tests/ops/test_url_matrix.py with the reason; else fix the view's access check"
        )
    if code not in (200, 302):
        return f"{method.upper()} {url} as {persona}: unexpected {code}"
    if code == 302 and response.url.startswith(reverse("login")):
        return f"{method.upper()} {url} as {persona}: logged-in persona sent to log in"
    found = leaks(response, child_x_data(world, samples))
    if found:
        return f"{method.upper()} {url} as {persona}: shared page shows child X's data {found}"
    # A shared page may let its visitor act on their own rows, never on child X's.
    if sample_values(samples) != before[1]:
        return f"{method.upper()} {url} as {persona}: changed school A's data"
    return None


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_wrong_personas_are_refused_and_nothing_is_written(world, samples, route):
    client = Client()
    urls = url_for(route, samples)
    problems = []
    for persona in WRONG_PERSONAS:
        client.force_login(persona_user(world, persona, samples))
        for method in ("get", "post"):
            problem = check(client, route, method, urls, persona, world, samples)
            if problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_is_sent_to_log_in(world, samples, route):
    client = Client()
    url = url_for(route, samples)
    login = reverse("login")
    for method in ("get", "post"):
        before = data_snapshot(samples)
        response = getattr(client, method)(url, POST_DATA if method == "post" else None)
        if method == "get" or response.status_code != 403:
            assert response.status_code == 302, f"{method.upper()} {url}: {response.status_code}"
            assert response.url.startswith(f"{login}?next="), response.url
        assert data_snapshot(samples) == before, f"anonymous {method.upper()} {url} wrote data"


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_the_owner_reaches_the_page(world, samples, route):
    """The samples are the right ones: some persona of school A gets past the
    access check (200, a redirect, or 405 for a POST-only view), so the
    refusals above are about the persona, not about a wrong id."""
    client = Client()
    url = url_for(route, samples)
    codes = {}
    for persona in OWNERS:
        client.force_login(persona_user(world, persona, samples))
        codes[persona] = client.get(url).status_code
        if codes[persona] not in (403, 404):
            return
    pytest.fail(
        f"nobody of school A reaches {url} ({codes}): is the sample for {route.name} "
        f"(tests/ops/urlwalk.py URL_SAMPLES) the object this URL expects?"
    )


def test_the_walk_finds_the_apps_urls():
    names = {route.name for route in ROUTES}
    assert {"home", "people:student-detail", "enrollment:application-detail"} <= names
    assert "scheduling:timetable-school-pdf" in names
    assert not names & {"login", "logout", "activate", "healthz"}
    assert not any(name.startswith("admin:") for name in names)


def test_a_url_without_a_sample_fails_with_a_clear_message(samples):
    from tests.ops.urlwalk import MissingSample

    route = Route("newapp:thing-detail", "/newapp/things/<int:pk>/", ("pk",), None)
    with pytest.raises(MissingSample, match="add a sample for kwarg 'pk' of URL"):
        url_for(route, samples)


def test_shared_pages_are_real_urls():
    names = {route.name for route in ROUTES}
    assert not set(SHARED) - names, "SHARED names URLs that no longer exist"
