"""Helpers for the club-choice tests: clubs, enrolment (an approved
application with the featured day), open windows."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from afterschool.models import Role, RoomKind
from enrollment.models import Application, Status
from scheduling.models import ChoiceWindow, Club, ClubCategory, WindowScope
from tests import factories as f

_seq = itertools.count(1)


def make_club(term, *, name=None, grades=(1, 6), capacity=30, teacher=None, category=None):
    """A club on the featured slot in its own new room, with its own teacher."""
    n = next(_seq)
    school = term.school
    room = f.make_room(school, f"功能室{n}", RoomKind.FUNCTION_ROOM, 200)
    teacher = teacher or f.make_user(school, Role.TEACHER, f"club_teacher_{n}", name=f"社团老师{n}")
    return Club.objects.create(
        school=school,
        term=term,
        name=name or f"社团{n}",
        category=category or ClubCategory.SCIENCE,
        min_grade=grades[0],
        max_grade=grades[1],
        capacity=capacity,
        teacher=teacher,
        room=room,
        weekday=3,
        period="after",
    )


def enroll(student, term, *, featured=True, status=Status.APPROVED):
    """An application of ``student`` for ``term`` (approved by default)."""
    admin = f.make_user(student.school, Role.ADMIN, f"enr_admin_{next(_seq)}")
    return Application.objects.create(
        student=student,
        term=term,
        status=status,
        wants_after_school=True,
        wants_featured_day=featured,
        goes_home_alone=True,
        reason="父母下班晚",
        created_by=admin,
    )


def open_window(term, *, scope=WindowScope.SCHOOL, grade=None, school_class=None, days=7):
    now = timezone.now()
    return ChoiceWindow.objects.create(
        term=term,
        scope=scope,
        grade=grade,
        school_class=school_class,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=days),
    )


def enroll_every_class(term):
    """One pupil 在册生 per class of ``term`` with an approved application for
    both periods, so ``sessions_generate`` (which skips classes nobody is
    enrolled in) makes every class's sessions. Idempotent; returns ``term``."""
    from afterschool.models import Student
    from scheduling.calendar.selectors import term_classes

    for school_class in term_classes(term):
        kid = Student.objects.filter(school_class=school_class, name="在册生").first()
        kid = kid or f.make_student(school_class, "在册生")
        if not Application.objects.filter(student=kid, term=term).exists():
            app = enroll(kid, term, featured=True)
            app.wants_noon = True
            app.save(update_fields=["wants_noon"])
    return term
