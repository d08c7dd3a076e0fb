"""Who may see and change enrollment rows (STYLE.md §3), on top of
``afterschool.access``: every access helper of enrollment's private objects
(applications, agreements, surveys, class submissions, waiver requests,
print jobs) and the role sets the services check.

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

from afterschool.access import (
    can_see_student,
    get_class_for_user,
    get_student_for_user,
    students_for_user,
)
from afterschool.models import Role, SchoolClass, Student, Term, User
from enrollment.agreements.selectors import agreement_of
from enrollment.applications.selectors import applications_with_people
from enrollment.models import (
    Agreement,
    Application,
    ClassSubmission,
    PrintJob,
    Survey,
    WaiverRequest,
)

# Who reviews applications (seed 一.5 (3)–(4)), and who acts in the journey
# at all: the family, or staff on its behalf for paper forms (一.5 (2)).
STAFF_REVIEW = frozenset({Role.HOMEROOM, Role.ADMIN})
FAMILY_OR_STAFF = frozenset({Role.GUARDIAN, Role.HOMEROOM, Role.ADMIN})


def may_act_for_student(user: User, student: Student) -> bool:
    """Whether ``user`` may make a family's or a reviewer's move for
    ``student``: a guardian of theirs, their homeroom teacher or an admin of
    their school (``can_see_student``, limited to ``FAMILY_OR_STAFF``)."""
    return user.role in FAMILY_OR_STAFF and can_see_student(user, student)


def may_print_agreements(
    *, user: User, school_class: SchoolClass | None = None, grade: int | None = None
) -> bool:
    """Who may print a batch: an admin of the school any class or grade; a
    homeroom teacher their own class only (they may see every agreement of
    it, and no other)."""
    if user.role == Role.ADMIN:
        return bool(user.school_id) and (
            school_class is None or school_class.school_id == user.school_id
        )
    if user.role == Role.HOMEROOM and school_class is not None:
        return (
            school_class.school_id == user.school_id and school_class.homeroom_teacher_id == user.pk
        )
    return False


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


def get_agreement_for_user(user: User, application_pk: int) -> tuple[Application, Agreement]:
    """The application ``application_pk`` and its agreement (who signed or
    received it joined), if ``user`` may see the application and it has
    one; else ``Http404``."""
    app = get_application_for_user(user, application_pk)
    agreement = agreement_of(app)
    if agreement is None:
        raise Http404
    return app, agreement


def get_own_child_for_user(user: User, pk: int) -> Student:
    """A student for the guardian pages: 404 when ``user`` cannot see the
    student at all, 403 when staff who may see them open a guardian page."""
    student = get_student_for_user(user, pk)
    _require_role(user, {Role.GUARDIAN})
    return student


def _check_class_in_term(school_class: SchoolClass, term: Term | None) -> None:
    # Class pages work on the term's school year only: a class of another
    # school year (e.g. next year's, imported early) is not found.
    if term is not None and school_class.school_year_id != term.school_year_id:
        raise Http404


def get_review_class_for_user(user: User, pk: int, *, term: Term | None = None) -> SchoolClass:
    """A class for review pages: its homeroom teacher or a school admin;
    404 for other classes (or schools), 403 for guardians and other staff.
    With ``term``, also 404 when the class is not of the term's school year."""
    if user.role not in STAFF_REVIEW:
        raise PermissionDenied
    school_class = get_class_for_user(user, pk)
    _check_class_in_term(school_class, term)
    return school_class


def get_class_student_for_user(
    user: User, class_pk: int, student_pk: int, *, term: Term | None = None
) -> Student:
    """A student of a class the user reviews (homeroom/admin), else 404/403;
    with ``term``, 404 when the class is not of the term's school year."""
    school_class = get_review_class_for_user(user, class_pk)
    try:
        student = Student.objects.select_related("school_class", "school").get(
            pk=student_pk, school_class=school_class
        )
    except Student.DoesNotExist:
        raise Http404 from None
    _check_class_in_term(student.school_class, term)
    return student


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
