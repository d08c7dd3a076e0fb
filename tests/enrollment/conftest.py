"""Enrollment fixtures: a term per school and helpers that drive an
application through the real services to any status."""

from __future__ import annotations

import pytest

from afterschool.models import User
from enrollment.applications.services import (
    application_save_draft,
    application_submit,
    application_terminate,
    application_withdraw,
)
from enrollment.models import Application, Status
from enrollment.review.services import (
    application_approve_homeroom,
    application_return,
    class_submit_to_school,
    school_approve_class,
)
from tests import factories as f


def complete_data(**overrides) -> dict:
    """A filled-in application form (what a guardian types)."""
    data = {
        "wants_noon": True,
        "wants_after_school": True,
        "wants_featured_day": False,
        "goes_home_alone": False,
        "pickup_name": "张伟",
        "pickup_relation": "父亲",
        "pickup_mobile": "13900000001",
        "health_notes": "",
        "emergency_name": "王芳",
        "emergency_mobile": "13900000009",
        "reason": "父母下班晚，无人接送。",
        "waiver_requested": False,
        "waiver_reason": "",
    }
    data.update(overrides)
    return data


def guardian_user(student) -> User:
    return student.guardians.first().user


def drive(student, term, status: str, *, homeroom: User, admin: User, **data) -> Application:
    """The application of ``student`` brought to ``status`` through the
    services, the way the roles would."""
    by = guardian_user(student)
    if status == Status.DRAFT:
        return application_save_draft(student=student, term=term, data=complete_data(**data), by=by)
    app = application_submit(student=student, term=term, data=complete_data(**data), by=by)
    if status == Status.SUBMITTED:
        return app
    if status == Status.RETURNED:
        return application_return(application=app, by=homeroom, reason="请补充健康状况")
    if status == Status.WITHDRAWN:
        return application_withdraw(application=app, by=by, reason="家里有人接送了")
    app = application_approve_homeroom(application=app, by=homeroom)
    if status == Status.APPROVED_BY_HOMEROOM:
        return app
    class_submit_to_school(school_class=student.school_class, term=term, by=homeroom)
    app.refresh_from_db()
    if status == Status.SUBMITTED_TO_SCHOOL:
        return app
    school_approve_class(submission=app.class_submission, by=admin)
    app.refresh_from_db()
    if status == Status.APPROVED:
        return app
    if status == Status.TERMINATED:
        return application_terminate(application=app, by=admin, reason="屡教不改")
    raise AssertionError(status)


@pytest.fixture
def term(world):
    return f.make_term(world.school)


@pytest.fixture
def other_term(world):
    return f.make_term(world.other_school)


@pytest.fixture
def to_status(world, term):
    """``to_status(status, student=world.child_x)`` → application in that status."""

    def make(status: str, student=None, **data) -> Application:
        student = student or world.child_x
        homeroom = student.school_class.homeroom_teacher
        return drive(student, term, status, homeroom=homeroom, admin=world.admin, **data)

    return make
