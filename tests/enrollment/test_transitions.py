"""application_transition: every allowed move, every refused one (message and
nothing written), reasons, and the re-apply setting."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from afterschool.models import Role
from enrollment.applications.services import TRANSITIONS, application_submit, application_transition
from enrollment.models import Application, ApplicationEvent, EnrollmentSettings, Status
from enrollment.review.services import application_return

ALL = list(Status.values)
# Statuses reachable as a starting point through the services.
STARTS = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RETURNED,
    Status.APPROVED_BY_HOMEROOM,
    Status.SUBMITTED_TO_SCHOOL,
    Status.APPROVED,
    Status.WITHDRAWN,
    Status.TERMINATED,
]
ALLOWED = sorted(TRANSITIONS)
REFUSED = [(a, b) for a in STARTS for b in ALL if a != b and (a, b) not in TRANSITIONS]


def persona(world, role):
    return {
        Role.GUARDIAN: world.guardian_x.user,
        Role.HOMEROOM: world.homeroom_a,
        Role.ADMIN: world.admin,
        Role.TEACHER: world.teacher,
        Role.VOLUNTEER: world.volunteer,
    }[role]


def snapshot(app):
    app.refresh_from_db()
    return (app.status, app.updated_at, ApplicationEvent.objects.filter(application=app).count())


@pytest.fixture
def allow_reapply(term):
    EnrollmentSettings.objects.create(term=term, allow_reapply_after_withdrawal=True)


class TestAllowedTransitions:
    @pytest.mark.parametrize(
        ("frm", "to", "role"),
        [(frm, to, role) for (frm, to) in ALLOWED for role in sorted(TRANSITIONS[frm, to])],
    )
    def test_allowed_move_saves_status_and_writes_event(
        self, world, term, to_status, allow_reapply, frm, to, role
    ):
        app = to_status(frm)
        by = persona(world, role)
        events_before = app.events.count()

        result = application_transition(application=app, to=to, by=by, reason="书面理由")

        app.refresh_from_db()
        assert app.status == to == result.status
        assert app.events.count() == events_before + 1
        event = app.events.order_by("-pk").first()
        assert (event.from_status, event.to_status, event.by_id) == (frm, to, by.pk)
        assert event.reason == "书面理由"


class TestRefusedTransitions:
    @pytest.mark.parametrize(("frm", "to"), REFUSED)
    def test_move_outside_table_is_refused_and_writes_nothing(
        self, world, term, to_status, frm, to
    ):
        app = to_status(frm)
        before = snapshot(app)

        with pytest.raises(ValidationError) as exc:
            application_transition(application=app, to=to, by=world.admin, reason="x")

        message = exc.value.messages[0]
        assert "不能" in message or "只有" in message or "须" in message or "请由" in message
        assert snapshot(app) == before

    @pytest.mark.parametrize(
        ("frm", "to", "role"),
        [
            (frm, to, role)
            for (frm, to) in ALLOWED
            for role in [Role.GUARDIAN, Role.HOMEROOM, Role.ADMIN, Role.TEACHER, Role.VOLUNTEER]
            if role not in TRANSITIONS[frm, to]
        ],
    )
    def test_wrong_role_is_refused_and_writes_nothing(
        self, world, term, to_status, allow_reapply, frm, to, role
    ):
        app = to_status(frm)
        before = snapshot(app)

        with pytest.raises(ValidationError):
            application_transition(application=app, to=to, by=persona(world, role), reason="x")

        assert snapshot(app) == before

    def test_homeroom_cannot_return_what_the_school_has(self, world, term, to_status):
        app = to_status(Status.SUBMITTED_TO_SCHOOL)
        before = snapshot(app)

        with pytest.raises(ValidationError) as exc:
            application_return(application=app, by=world.homeroom_a, reason="补材料")

        assert exc.value.messages == ["已提交学校审核的申请不能退回给家长，请由学校退回。"]
        assert snapshot(app) == before

    def test_school_approval_before_class_submission_is_refused(self, world, term, to_status):
        app = to_status(Status.APPROVED_BY_HOMEROOM)
        before = snapshot(app)

        with pytest.raises(ValidationError) as exc:
            application_transition(application=app, to=Status.APPROVED, by=world.admin)

        assert exc.value.messages == ["申请须先以班为单位上报学校，学校才能批准。"]
        assert snapshot(app) == before

    def test_terminated_is_final(self, world, term, to_status):
        app = to_status(Status.TERMINATED)
        before = snapshot(app)

        with pytest.raises(ValidationError) as exc:
            application_transition(application=app, to=Status.APPROVED, by=world.admin)

        assert exc.value.messages == ["该学生的课后服务资格已终止，申请不能再变更。"]
        assert snapshot(app) == before

    def test_generic_refusal_names_both_statuses(self, world, term, to_status):
        app = to_status(Status.DRAFT)

        with pytest.raises(ValidationError) as exc:
            application_transition(application=app, to=Status.APPROVED, by=world.admin)

        assert exc.value.messages == ["申请状态为“草稿”，不能变为“学校已批准”。"]


class TestScope:
    @pytest.mark.parametrize("persona_name", ["homeroom_b", "other_admin", "guardian_y"])
    def test_staff_or_family_of_another_student_is_refused(
        self, world, term, to_status, persona_name
    ):
        app = to_status(Status.SUBMITTED)
        before = snapshot(app)
        user = getattr(world, persona_name)
        user = getattr(user, "user", user)
        to = Status.WITHDRAWN if persona_name == "guardian_y" else Status.APPROVED_BY_HOMEROOM

        with pytest.raises(ValidationError) as exc:
            application_transition(application=app, to=to, by=user, reason="x")

        assert exc.value.messages == ["您无权处理该学生的申请。"]
        assert snapshot(app) == before


class TestReasons:
    @pytest.mark.parametrize(
        ("frm", "to", "role", "message"),
        [
            (
                Status.SUBMITTED,
                Status.RETURNED,
                Role.HOMEROOM,
                "退回申请必须填写理由，家长会看到这条理由。",
            ),
            (
                Status.SUBMITTED,
                Status.WITHDRAWN,
                Role.GUARDIAN,
                "退出课后服务须书面说明，请填写退出说明。",
            ),
            (Status.APPROVED, Status.TERMINATED, Role.ADMIN, "终止资格必须填写理由。"),
        ],
    )
    def test_move_without_reason_is_refused(self, world, term, to_status, frm, to, role, message):
        app = to_status(frm)
        before = snapshot(app)

        with pytest.raises(ValidationError) as exc:
            application_transition(application=app, to=to, by=persona(world, role), reason="   ")

        assert exc.value.messages == [message]
        assert snapshot(app) == before

    def test_return_reason_is_shown_to_the_family(self, world, term, to_status):
        app = to_status(Status.RETURNED)
        assert app.last_reason == "请补充健康状况"
        assert app.events.order_by("-pk").first().reason == "请补充健康状况"


class TestReapplyAfterWithdrawal:
    def test_refused_when_the_term_does_not_allow_it(self, world, term, to_status):
        app = to_status(Status.WITHDRAWN)
        before = snapshot(app)

        with pytest.raises(ValidationError) as exc:
            application_submit(student=world.child_x, term=term, data={}, by=world.guardian_x.user)

        assert exc.value.messages == ["本学期已退出课后服务，按学校规定本学期不能再次申请。"]
        assert snapshot(app) == before

    def test_allowed_when_the_term_allows_it(self, world, term, to_status, allow_reapply):
        from tests.enrollment.conftest import complete_data

        to_status(Status.WITHDRAWN)

        app = application_submit(
            student=world.child_x, term=term, data=complete_data(), by=world.guardian_x.user
        )

        assert app.status == Status.SUBMITTED
        assert Application.objects.filter(student=world.child_x, term=term).count() == 1
        assert list(app.events.values_list("to_status", flat=True)) == [
            Status.SUBMITTED,
            Status.WITHDRAWN,
            Status.DRAFT,
            Status.SUBMITTED,
        ]
