"""Who may see which billing object: one helper per private object
(STYLE.md §3), each built on ``afterschool.access``.

A school admin sees the whole school; a homeroom teacher the statements
and fee sheets of the classes they lead (``classes_for_user``); a guardian
their own children's statements (``students_for_user``); everyone else
nothing. ``get_*`` helpers raise ``Http404`` to outsiders and
``PermissionDenied`` (403) to those who may look but not change.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from afterschool.access import (
    classes_for_user,
    get_class_for_user,
    students_for_user,
    term_for_user,
)
from afterschool.models import Role, SchoolClass, Term, User
from billing.models import FeeSheetJob, FeeStatement, RefundBatch, Waiver


def billing_term_for_user(user: User, pk: int | str | None = None) -> Term:
    """The term a billing page works on (``afterschool.access.term_for_user``:
    term ``pk`` of the user's school, else the current one); ``Http404`` when
    it is not theirs or the school has no term."""
    term = term_for_user(user, pk)
    if term is None:
        raise Http404
    return term


def is_billing_staff(user: User) -> bool:
    """Staff who see statements and fee sheets: the school admin and
    homeroom teachers (of their own classes)."""
    return user.is_authenticated and (
        user.is_school_admin or (user.role == Role.HOMEROOM and bool(user.school_id))
    )


def billing_staff_required(view):
    """Decorator: only ``is_billing_staff`` users; others get 403. Use after
    ``login_required``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_billing_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def guardian_required(view):
    """Decorator: only guardians (the family's own fees); others get 403.
    Use after ``login_required``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_guardian:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def statements_for_user(user: User) -> QuerySet[FeeStatement]:
    """Statements ``user`` may see, with student, class and term joined: the
    admin's school; a homeroom teacher's classes (the class billed, so a
    child who changed class keeps the old statements with the old class); a
    guardian's children."""
    qs = FeeStatement.objects.select_related("student", "school_class", "term")
    if not user.is_authenticated:
        return qs.none()
    if user.is_school_admin:
        return qs.filter(school_id=user.school_id)
    if user.role == Role.HOMEROOM:
        return qs.filter(school_class__in=classes_for_user(user))
    if user.role == Role.GUARDIAN:
        return qs.filter(student__in=students_for_user(user))
    return qs.none()


def get_statement_for_user(user: User, pk: int, *, change: bool = False) -> FeeStatement:
    """The statement ``pk`` if ``user`` may see it, else ``Http404``; with
    ``change`` (recording a payment) ``PermissionDenied`` unless the user is
    the school's admin."""
    try:
        statement = statements_for_user(user).get(pk=pk)
    except FeeStatement.DoesNotExist:
        raise Http404 from None
    if change and not user.is_school_admin:
        raise PermissionDenied
    return statement


def waivers_for_user(user: User) -> QuerySet[Waiver]:
    """Waivers of the admin's school, with student, class and author joined;
    nothing for anyone else."""
    qs = Waiver.objects.select_related("student", "student__school_class", "created_by")
    if not user.is_authenticated or not user.is_school_admin:
        return qs.none()
    return qs.filter(term__school_id=user.school_id)


def fee_sheet_class_for_user(
    user: User, term: Term, class_pk: int | str | None
) -> SchoolClass | None:
    """The class a fee sheet covers: class ``class_pk`` if ``user`` may see it
    (``Http404`` otherwise); without one, the whole school (``None``) for the
    admin and the teacher's first class of ``term``'s school year for a
    homeroom teacher (``Http404`` when they lead none)."""
    if class_pk:
        return get_class_for_user(user, class_pk)
    if user.is_school_admin:
        return None
    own = list(classes_for_user(user).filter(school_year_id=term.school_year_id)[:1])
    if not own:
        raise Http404
    return own[0]


def get_fee_sheet_job_for_user(user: User, pk: int, *, with_pdf: bool = False) -> FeeSheetJob:
    """Fee sheet job ``pk`` for an admin of its school, else ``Http404``
    (the school's sheet is the admin's). The PDF bytes are loaded only
    when ``with_pdf``."""
    qs = FeeSheetJob.objects.select_related("term", "requested_by")
    if not with_pdf:
        qs = qs.defer("pdf")
    job = qs.filter(pk=pk).first()
    if job is None or not user.is_school_admin or job.school_id != user.school_id:
        raise Http404
    return job


def get_refund_batch_for_user(user: User, pk: int) -> RefundBatch:
    """Refund batch ``pk`` for an admin of its school, else ``Http404``."""
    batch = (
        RefundBatch.objects.select_related("term", "created_by", "approved_by")
        .filter(pk=pk)
        .first()
    )
    if batch is None or not user.is_school_admin or batch.school_id != user.school_id:
        raise Http404
    return batch
