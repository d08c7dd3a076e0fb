"""Who may see what: one helper per private object (STYLE.md §3).

Views never fetch a user-supplied id directly; they call ``get_<x>_for_user``,
which raises ``Http404`` for anyone outside (so an outsider cannot tell whether
a record exists) and ``PermissionDenied`` (403) for those who may look but not
change. Querysets from ``<x>_for_user`` are already scoped to what the user may
see.

Scope by role (DESIGN.md "Who uses it"):
- school administrator: every row of their own school;
- homeroom teacher: the students of the classes they lead;
- teacher / volunteer: no student list of their own yet (sessions and clubs
  come with scheduling);
- guardian: their own children, at whatever school;
- a superuser (back office) sees everything through the Django admin only.
"""

from __future__ import annotations

import datetime
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponseNotAllowed

from afterschool.models import (
    Guardian,
    Role,
    Room,
    RosterUpload,
    School,
    SchoolClass,
    Student,
    Term,
    User,
)
from afterschool.selectors import current_term


def students_for_user(user: User) -> QuerySet[Student]:
    """Students ``user`` may see, with class and school joined."""
    qs = Student.objects.select_related("school_class", "school")
    if not user.is_authenticated:
        return qs.none()
    if user.is_school_admin:
        return qs.filter(school_id=user.school_id)
    if user.role == Role.HOMEROOM and user.school_id:
        return qs.filter(school_id=user.school_id, school_class__homeroom_teacher=user)
    if user.role == Role.GUARDIAN:
        return qs.filter(guardians__user=user).distinct()
    return qs.none()


def can_see_student(user: User, student: Student) -> bool:
    """Whether ``user`` may see and act for ``student``: the same rule as
    ``students_for_user``, for a student already in hand (services check it
    so the rule holds for any caller, not only views). A guardian costs one
    query; the other roles none."""
    if not user.is_authenticated:
        return False
    if user.is_school_admin:
        return user.school_id == student.school_id
    if user.role == Role.HOMEROOM:
        return (
            user.school_id == student.school_id
            and student.school_class.homeroom_teacher_id == user.pk
        )
    if user.role == Role.GUARDIAN:
        return Guardian.objects.filter(user=user, guardianships__student=student).exists()
    return False


def get_student_for_user(user: User, pk: int) -> Student:
    """The student ``pk`` if ``user`` may see them, else ``Http404``."""
    try:
        return students_for_user(user).get(pk=pk)
    except Student.DoesNotExist:
        raise Http404 from None


def classes_for_user(user: User) -> QuerySet[SchoolClass]:
    """Classes ``user`` may see: the whole school for an admin, own classes
    for a homeroom teacher, nothing for others."""
    qs = SchoolClass.objects.select_related("homeroom_teacher", "room", "school_year")
    if not user.is_authenticated or not user.school_id:
        return qs.none()
    if user.is_school_admin:
        return qs.filter(school_id=user.school_id)
    if user.role == Role.HOMEROOM:
        return qs.filter(school_id=user.school_id, homeroom_teacher=user)
    return qs.none()


def is_admin_of(user: User, school_id: int | None) -> bool:
    """Whether ``user`` is a school administrator of school ``school_id``
    (services check it before an admin-only write, whoever calls them)."""
    return user.is_authenticated and user.is_school_admin and user.school_id == school_id


def can_see_class(user: User, school_class: SchoolClass) -> bool:
    """Whether ``user`` may see and act for ``school_class``: the rule of
    ``classes_for_user`` for a class already in hand (an admin of its school,
    or its homeroom teacher). No query."""
    if not user.is_authenticated or not user.school_id:
        return False
    if user.school_id != school_class.school_id:
        return False
    if user.is_school_admin:
        return True
    return user.role == Role.HOMEROOM and school_class.homeroom_teacher_id == user.pk


def get_class_for_user(user: User, pk: int) -> SchoolClass:
    """The class ``pk`` if ``user`` may see it, else ``Http404``."""
    try:
        return classes_for_user(user).get(pk=int(pk))
    except (SchoolClass.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def rooms_for_user(user: User) -> QuerySet[Room]:
    """Rooms of the user's school, for any staff member."""
    if not user.is_authenticated or not user.is_staff_member:
        return Room.objects.none()
    return Room.objects.filter(school_id=user.school_id)


def guardians_for_user(user: User) -> QuerySet[Guardian]:
    """Guardians of the user's school (admin) or of their class (homeroom)."""
    if not user.is_authenticated or not user.school_id:
        return Guardian.objects.none()
    if user.is_school_admin:
        return Guardian.objects.filter(school_id=user.school_id)
    if user.role == Role.HOMEROOM:
        return Guardian.objects.filter(
            school_id=user.school_id, students__school_class__homeroom_teacher=user
        ).distinct()
    return Guardian.objects.none()


def get_guardian_for_user(user: User, pk: int) -> Guardian:
    """The guardian ``pk`` if ``user`` may see them (``guardians_for_user``),
    else ``Http404``."""
    try:
        return guardians_for_user(user).get(pk=pk)
    except Guardian.DoesNotExist:
        raise Http404 from None


def can_edit_guardian_contact(user: User, guardian: Guardian) -> bool:
    """Whether ``user`` may change how ``guardian`` is reached (the WeCom
    parent userid): the school's admin, a homeroom teacher of one of the
    guardian's children (``guardians_for_user``), or the guardian's own
    login. At most one query."""
    if not user.is_authenticated:
        return False
    if guardian.user_id is not None and guardian.user_id == user.pk:
        return True
    if user.is_school_admin:
        return user.school_id == guardian.school_id
    if user.role == Role.HOMEROOM:
        return guardians_for_user(user).filter(pk=guardian.pk).exists()
    return False


def roster_uploads_for_user(user: User) -> QuerySet[RosterUpload]:
    """Roster uploads of the admin's own school; nothing for anyone else."""
    if not user.is_authenticated or not user.is_school_admin:
        return RosterUpload.objects.none()
    return RosterUpload.objects.filter(school_id=user.school_id)


def get_roster_upload_for_user(user: User, pk: int) -> RosterUpload:
    """The upload ``pk`` if it belongs to ``user``'s school (admin), else Http404."""
    try:
        return roster_uploads_for_user(user).get(pk=pk)
    except RosterUpload.DoesNotExist:
        raise Http404 from None


def terms_for_user(user: User) -> QuerySet[Term]:
    """Terms of the user's school (any staff member; guardians reach terms
    through their children's applications)."""
    if not user.is_authenticated or not user.school_id:
        return Term.objects.none()
    return Term.objects.filter(school_id=user.school_id).select_related("school")


def get_term_for_user(user: User, pk: int | str) -> Term:
    """The term ``pk`` of the user's school, else ``Http404`` (also for a
    ``pk`` that is not a number)."""
    try:
        return terms_for_user(user).get(pk=int(pk))
    except (Term.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def term_for_user(
    user: User, pk: int | str | None = None, *, today: datetime.date | None = None
) -> Term | None:
    """The term a page works on: term ``pk`` of the user's school when one is
    asked for (``?term=``; ``Http404`` if it is not theirs), else the school's
    current term (``afterschool.selectors.current_term``); ``None`` when the
    school has no term. Views decide what ``None`` shows."""
    if pk not in (None, ""):
        return get_term_for_user(user, pk)
    return current_term(school=user.school_id if user.is_authenticated else None, today=today)


def school_admin_required(view):
    """Decorator: only a school administrator of some school; others get 403.

    Use after ``login_required`` so anonymous users are sent to log in first.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_school_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    """Decorator: any staff member of a school (admin, homeroom, teacher,
    volunteer); guardians get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def get_notice_for_user(user: User, pk: int):
    """A notice of ``user``'s own (anyone else's: 404)."""
    from afterschool.models import Notice

    try:
        return Notice.objects.get(pk=pk, recipient_id=user.pk)
    except Notice.DoesNotExist as exc:
        raise Http404 from exc


def may_write_announcements(user: User) -> bool:
    """Whether ``user`` has an announcements page: a school's admin (the
    whole school, a grade, a class) or a homeroom teacher (their own
    classes). No query."""
    return (
        user.is_authenticated
        and user.school_id is not None
        and (user.is_school_admin or user.role == Role.HOMEROOM)
    )


def may_announce(user: User, *, audience: str, school_class: SchoolClass | None) -> bool:
    """Whether ``user`` may send an announcement to ``audience``
    (``AnnouncementAudience``): the school's admin to any audience of their
    school; a homeroom teacher only to one class they lead. No query."""
    from afterschool.models import AnnouncementAudience

    if not may_write_announcements(user):
        return False
    if school_class is not None and school_class.school_id != user.school_id:
        return False
    if user.is_school_admin:
        return True
    return (
        audience == AnnouncementAudience.CLASS
        and school_class is not None
        and school_class.homeroom_teacher_id == user.pk
    )


def announcements_for_user(user: User):
    """Announcements ``user`` may follow: every one of the admin's school; a
    homeroom teacher's those to a class they lead; nothing for others."""
    from afterschool.models import Announcement, AnnouncementAudience

    if not may_write_announcements(user):
        return Announcement.objects.none()
    qs = Announcement.objects.filter(school_id=user.school_id)
    if user.is_school_admin:
        return qs
    return qs.filter(audience=AnnouncementAudience.CLASS, school_class__homeroom_teacher=user)


def get_announcement_for_user(user: User, pk: int):
    """An announcement of ``announcements_for_user`` (else 404)."""
    from afterschool.models import Announcement

    try:
        return announcements_for_user(user).get(pk=pk)
    except Announcement.DoesNotExist as exc:
        raise Http404 from exc


# ------------------------------------------------------------ county supervisor


def schools_for_supervisor(user: User) -> QuerySet[School]:
    """Schools of the supervisor's county (``Role.SUPERVISOR`` with a
    ``county``), ordered by name; nothing for anyone else (a school admin of
    the county included: the county's figures are the bureau's view)."""
    if not user.is_authenticated or not user.is_supervisor:
        return School.objects.none()
    return School.objects.filter(supervising_county_id=user.county_id).order_by("name")


def get_school_for_supervisor(user: User, pk: int | str) -> School:
    """The school ``pk`` if it belongs to the supervisor's county, else
    ``Http404`` (also for another county's school, so a supervisor cannot tell
    whether it exists, and for a ``pk`` that is not a number)."""
    try:
        return schools_for_supervisor(user).get(pk=int(pk))
    except (School.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def supervisor_required(view):
    """Decorator: only a county supervisor; everyone else gets 403. The
    supervisor's pages are read-only: any method but GET/HEAD is refused with
    405 before the view runs, so a supervisor's POST writes nothing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_supervisor:
            raise PermissionDenied
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request, *args, **kwargs)

    return wrapper
