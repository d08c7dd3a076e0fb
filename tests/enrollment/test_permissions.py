"""Every enrollment URL tried by the wrong persona: outsiders (another
family, another class's teacher, another school's admin) get 404, people who
may look but not act get 403, anonymous users are sent to log in; and a
refused request writes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from enrollment import models as m
from enrollment.models import Status
from enrollment.surveys.services import survey_open


@dataclass
class Scene:
    app: object
    survey: object
    submission: object
    waiver: object


@pytest.fixture
def scene(world, term, to_status):
    survey = survey_open(term=term, by=world.admin)
    app = to_status(Status.APPROVED, waiver_requested=True, waiver_reason="低保户")
    return Scene(app=app, survey=survey, submission=app.class_submission, waiver=app.waiver)


def url_args(scene, world, kind):
    return {
        "none": [],
        "child": [world.child_x.pk],
        "app": [scene.app.pk],
        "class": [world.class_a.pk],
        "class_child": [world.class_a.pk, world.child_x.pk],
        "survey": [scene.survey.pk],
        "submission": [scene.submission.pk],
        "waiver": [scene.waiver.pk],
    }[kind]


OUTSIDERS = {"guardian_y": 404, "homeroom_b": 404, "other_admin": 404}
GUARDIAN_PAGE = {**OUTSIDERS, "teacher": 404, "homeroom_a": 403, "admin": 403}
APP_PAGE = {**OUTSIDERS, "teacher": 404}
STAFF_APP_ACTION = {**APP_PAGE, "guardian_x": 403}
CLASS_PAGE = {"homeroom_b": 404, "other_admin": 404, "guardian_x": 403, "teacher": 403}
ADMIN_LIST = {"guardian_x": 403, "homeroom_a": 403, "teacher": 403}
ADMIN_OBJECT = {"other_admin": 404, "guardian_x": 404, "homeroom_a": 403, "teacher": 403}

# (url name, argument kind, method, {persona: status code})
MATRIX = [
    ("enrollment:family", "none", "get", {"homeroom_a": 302, "admin": 302, "teacher": 403}),
    ("enrollment:survey-answer", "child", "get", GUARDIAN_PAGE),
    ("enrollment:survey-answer", "child", "post", GUARDIAN_PAGE),
    ("enrollment:application-edit", "child", "get", GUARDIAN_PAGE),
    ("enrollment:application-edit", "child", "post", GUARDIAN_PAGE),
    ("enrollment:opt-out", "child", "get", GUARDIAN_PAGE),
    ("enrollment:opt-out", "child", "post", GUARDIAN_PAGE),
    ("enrollment:application-detail", "app", "get", APP_PAGE),
    ("enrollment:application-withdraw", "app", "get", APP_PAGE),
    ("enrollment:application-withdraw", "app", "post", APP_PAGE),
    ("enrollment:application-approve", "app", "post", STAFF_APP_ACTION),
    ("enrollment:application-return", "app", "get", STAFF_APP_ACTION),
    ("enrollment:application-return", "app", "post", STAFF_APP_ACTION),
    ("enrollment:application-terminate", "app", "get", {**STAFF_APP_ACTION, "homeroom_a": 403}),
    ("enrollment:application-terminate", "app", "post", {**STAFF_APP_ACTION, "homeroom_a": 403}),
    ("enrollment:agreement-detail", "app", "get", APP_PAGE),
    ("enrollment:agreement-sign", "app", "get", {**APP_PAGE, "homeroom_a": 403, "admin": 403}),
    ("enrollment:agreement-sign", "app", "post", {**APP_PAGE, "homeroom_a": 403, "admin": 403}),
    ("enrollment:agreement-paper", "app", "post", STAFF_APP_ACTION),
    ("enrollment:class-list", "none", "get", {"guardian_x": 403, "teacher": 403}),
    ("enrollment:class-survey", "class", "get", CLASS_PAGE),
    ("enrollment:class-survey", "class", "post", CLASS_PAGE),
    ("enrollment:class-review", "class", "get", CLASS_PAGE),
    ("enrollment:class-bulk-approve", "class", "post", CLASS_PAGE),
    ("enrollment:class-submit", "class", "post", CLASS_PAGE),
    ("enrollment:paper-application", "class_child", "get", CLASS_PAGE),
    ("enrollment:paper-application", "class_child", "post", CLASS_PAGE),
    ("enrollment:paper-opt-out", "class_child", "post", CLASS_PAGE),
    ("enrollment:surveys", "none", "get", ADMIN_LIST),
    ("enrollment:surveys", "none", "post", ADMIN_LIST),
    ("enrollment:survey-open", "none", "post", ADMIN_LIST),
    ("enrollment:survey-figures", "survey", "get", ADMIN_OBJECT),
    ("enrollment:survey-close", "survey", "post", ADMIN_OBJECT),
    ("enrollment:submissions", "none", "get", ADMIN_LIST),
    ("enrollment:submission-detail", "submission", "get", ADMIN_OBJECT),
    ("enrollment:submission-approve", "submission", "post", ADMIN_OBJECT),
    ("enrollment:waivers", "none", "get", ADMIN_LIST),
    ("enrollment:waiver-decide", "waiver", "get", ADMIN_OBJECT),
    ("enrollment:waiver-decide", "waiver", "post", ADMIN_OBJECT),
    ("enrollment:agreement-template", "none", "get", ADMIN_LIST),
    ("enrollment:agreement-template", "none", "post", ADMIN_LIST),
]

CASES = [
    pytest.param(name, kind, method, persona, code, id=f"{name}-{method}-{persona}")
    for name, kind, method, expected in MATRIX
    for persona, code in expected.items()
]

# A POST body that would change something if it got through.
POST_DATA = {
    "reason": "理由",
    "answer": "decline",
    "action": "submit",
    "decision": "decline",
    "signed_name": "张伟",
    "consent": "on",
    "body": "新模板",
    "allow_reapply": "on",
    "select": [],
}


def state(scene):
    """Everything a wrong request could change."""
    scene.app.refresh_from_db()
    scene.waiver.refresh_from_db()
    scene.survey.refresh_from_db()
    counts = tuple(
        model.objects.count()
        for model in (
            m.Application,
            m.ApplicationEvent,
            m.Agreement,
            m.AgreementTemplate,
            m.OptOut,
            m.SurveyResponse,
            m.ClassSubmission,
            m.EnrollmentSettings,
        )
    )
    return (
        scene.app.status,
        scene.waiver.status,
        scene.survey.closed_at,
        counts,
    )


@pytest.mark.parametrize(("name", "kind", "method", "persona", "code"), CASES)
def test_wrong_persona_is_refused_and_nothing_is_written(
    client, world, scene, name, kind, method, persona, code
):
    url = reverse(name, args=url_args(scene, world, kind))
    user = getattr(world, persona)
    client.force_login(user.user if persona.startswith("guardian") else user)
    before = state(scene)

    response = getattr(client, method)(url, POST_DATA if method == "post" else None)

    assert response.status_code == code
    assert state(scene) == before


@pytest.mark.parametrize(
    ("name", "kind", "method"),
    sorted({(name, kind, method) for name, kind, method, _ in MATRIX}),
)
def test_anonymous_is_sent_to_log_in(client, world, scene, name, kind, method):
    url = reverse(name, args=url_args(scene, world, kind))
    before = state(scene)

    response = getattr(client, method)(url, POST_DATA if method == "post" else None)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert state(scene) == before


def test_other_school_admin_sees_only_their_own_school(client, world, scene):
    client.force_login(world.other_admin)
    html = client.get(reverse("enrollment:class-list")).text
    assert reverse("enrollment:class-review", args=[world.other_class.pk]) in html
    assert reverse("enrollment:class-review", args=[world.class_a.pk]) not in html


def test_another_family_does_not_see_the_child(client, world, scene):
    client.force_login(world.guardian_y.user)
    html = client.get(reverse("enrollment:family")).text
    assert "刘小红" in html and "张小明" not in html
