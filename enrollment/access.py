"""Who may see and change enrollment rows (STYLE.md §3), on top of
``afterschool.access``.

- guardian: applications, opt-outs and agreements of their own children;
- homeroom teacher: those of the classes they lead;
- school admin: those of their own school;
- anyone else: nothing.

``get_*_for_user`` raise ``Http404`` when the row is outside what the user
may see, and ``PermissionDenied`` (403) when they may see it but the action
is for another role (a guardian opening a review action, a homeroom teacher
opening a school action).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from afterschool.access import get_class_for_user, get_student_for_user, students_for_user
from afterschool.models import Role, SchoolClass, Student, User
from enrollment.models import Application, ClassSubmission, PrintJob, Survey, WaiverRequest
from enrollment.selectors import applications_with_people
from enrollment.services import may_print_agreements


def _require_role(user: User, roles: Iterable[str] | None) -> None:
    if roles is not None and user.role not in set(roles):
        raise PermissionDenied


def applications_for_user(user: User) -> QuerySet[Application]:
    """Applications ``user`` may see (student, class, term, waiver joined)."""
    students = students_for_user(user)
    qs = Application.objects.filter(student__in=students.values("pk"))
    return applications_with_people(qs)


def get_application_for_user(
    user: User, pk: int, *, roles: Iterable[str] | None = None
) -> Application:
    """The application ``pk`` if ``user`` may see it, else ``Http404``; when
    ``roles`` is given and the user's role is not among them, 403."""
    try:
        app = applications_for_user(user).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None
    _require_role(user, roles)
    return app


def get_own_child_for_user(user: User, pk: int) -> Student:
    """A student for the guardian pages: 404 when ``user`` cannot see the
    student at all, 403 when staff who may see them open a guardian page."""
    student = get_student_for_user(user, pk)
    _require_role(user, {Role.GUARDIAN})
    return student


def get_review_class_for_user(user: User, pk: int) -> SchoolClass:
    """A class for review pages: its homeroom teacher or a school admin;
    404 for other classes (or schools), 403 for guardians and other staff."""
    if user.role not in {Role.HOMEROOM, Role.ADMIN}:
        raise PermissionDenied
    return get_class_for_user(user, pk)


def get_class_student_for_user(user: User, class_pk: int, student_pk: int) -> Student:
    """A student of a class the user reviews (homeroom/admin), else 404/403."""
    school_class = get_review_class_for_user(user, class_pk)
    try:
        return Student.objects.select_related("school_class", "school").get(
            pk=student_pk, school_class=school_class
        )
    except Student.DoesNotExist:
        raise Http404 from None


def get_submission_for_user(user: User, pk: int) -> ClassSubmission:
    """A class submission: admins of its school only; 404 to others of the
    school's staff who are not admins is replaced by 403, outsiders 404."""
    try:
        submission = ClassSubmission.objects.select_related("school_class", "term").get(pk=pk)
    except ClassSubmission.DoesNotExist:
        raise Http404 from None
    if submission.school_class.school_id != user.school_id:
        raise Http404
    _require_role(user, {Role.ADMIN})
    return submission


def get_waiver_for_user(user: User, pk: int) -> WaiverRequest:
    """A waiver request: admins of the student's school decide; 404 outside."""
    try:
        waiver = WaiverRequest.objects.select_related(
            "application__student__school_class", "application__term"
        ).get(pk=pk)
    except WaiverRequest.DoesNotExist:
        raise Http404 from None
    if waiver.application.student.school_id != user.school_id:
        raise Http404
    _require_role(user, {Role.ADMIN})
    return waiver


def get_survey_for_user(user: User, pk: int) -> Survey:
    """A survey of the user's school for staff (admin, homeroom); 404 outside."""
    try:
        survey = Survey.objects.select_related("term", "school").get(pk=pk)
    except Survey.DoesNotExist:
        raise Http404 from None
    if not user.school_id or survey.school_id != user.school_id:
        raise Http404
    _require_role(user, {Role.ADMIN, Role.HOMEROOM})
    return survey


def get_print_job_for_user(user: User, pk: int, *, with_pdf: bool = False) -> PrintJob:
    """A print job and its file: only for someone of the requester's school
    who may see every agreement in it now (an admin of the school; the
    homeroom teacher of a class job's class); 404 to everyone else. The PDF
    bytes are loaded only when ``with_pdf``."""
    qs = PrintJob.objects.select_related("school_class", "term", "requested_by")
    if not with_pdf:
        qs = qs.defer("pdf")
    try:
        job = qs.get(pk=pk)
    except PrintJob.DoesNotExist:
        raise Http404 from None
    if not user.school_id or job.school_id != user.school_id:
        raise Http404
    if not may_print_agreements(user=user, school_class=job.school_class, grade=job.grade):
        raise Http404
    return job
