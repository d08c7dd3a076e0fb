"""Who may see and change scheduling's private objects (STYLE.md §3), built
on ``afterschool.access``.

``<x>s_for_user`` gives a queryset already scoped to what ``user`` may see;
``get_<x>_for_user`` the one row asked for, or ``Http404`` for anyone outside
(so an outsider cannot tell whether it exists). ``can_<act>`` answers for an
object already in hand; services check it so the rule holds for any caller.

Scope by role (DESIGN.md "Who uses it"):
- school administrator: every row of their own school;
- homeroom teacher: their classes' sessions, leave, absences and dismissals;
- teacher / volunteer: the sessions they supervise, the clubs they lead,
  the dismissal of a class they supervise that day, their own timetable;
- guardian: their own children's leave, absences and club choice.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from afterschool.access import (
    can_see_student,
    get_student_for_user,
    rooms_for_user,
    students_for_user,
)
from afterschool.models import Role, Room, SchoolClass, Student, Term, User
from afterschool.selectors import classes_in_year_of, pick_current_term, terms_of
from enrollment.models import Application
from scheduling.models import (
    ROTA_ROLES,
    Allocation,
    AllocationRun,
    Attendance,
    ChoiceWindow,
    Club,
    Dismissal,
    LeaveRequest,
    ServiceChange,
    ServiceChangeKind,
    Session,
    StaffUnavailability,
)


def _get(qs: QuerySet, pk: int):
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404 from None


# ---------------------------------------------------------------- terms


def _terms_with_schedule(school_id: int) -> QuerySet[Term]:
    """The school's terms, first day first, with the school and the term's
    settings joined (every scheduling page reads the settings)."""
    return terms_of(school_id).select_related("schedule")


def get_school_term(
    school_id: int | None, pk: int | str | None = None, *, today: datetime.date | None = None
) -> Term:
    """The term a page about school ``school_id`` works on: term ``pk`` of the
    school when one is asked for (``?term=``), else its current term
    (``afterschool.selectors.pick_current_term``: running today, else the next
    to start, else the latest). ``Http404`` when ``pk`` is not the school's or
    the school has no term (every scheduling page needs one). One query."""
    if school_id is None:
        raise Http404
    terms = _terms_with_schedule(school_id)
    if pk not in (None, ""):
        try:
            return terms.get(pk=int(pk))
        except (Term.DoesNotExist, TypeError, ValueError):
            raise Http404 from None
    term = pick_current_term(terms, today=today)
    if term is None:
        raise Http404
    return term


def page_term_for_user(user: User, pk: int | str | None = None) -> Term:
    """``afterschool.access.term_for_user`` for a staff page, with the term's
    settings joined: term ``pk`` of the user's school, else its current term;
    ``Http404`` when ``pk`` is not theirs or the school has no term."""
    return get_school_term(user.school_id if user.is_authenticated else None, pk)


def term_for_request(request) -> Term:
    """``page_term_for_user`` for the ``term`` asked for in the query string or
    the posted form."""
    return page_term_for_user(request.user, request.GET.get("term") or request.POST.get("term"))


# ---------------------------------------------------------------- calendar


def service_changes_for_user(user: User) -> QuerySet[ServiceChange]:
    """Service changes of the admin's school; nothing for others."""
    if not user.is_authenticated or not user.is_school_admin:
        return ServiceChange.objects.none()
    return ServiceChange.objects.filter(school_id=user.school_id)


def get_service_change_for_user(user: User, pk: int) -> ServiceChange:
    return _get(service_changes_for_user(user), pk)


def suspension_notices_for_user(
    user: User, today: datetime.date, days: int = 14
) -> list[ServiceChange]:
    """Upcoming suspension notices for a guardian's (or staff member's) schools,
    for the home page. Two queries for a guardian, one for staff."""
    if not user.is_authenticated:
        return []
    if user.school_id:
        schools = [user.school_id]
    else:
        schools = list(students_for_user(user).values_list("school_id", flat=True).distinct())
    return list(
        ServiceChange.objects.filter(
            school_id__in=schools,
            kind=ServiceChangeKind.SUSPENDED,
            date__range=(today, today + datetime.timedelta(days=days)),
        )
        .select_related("school")
        .order_by("date")
    )


# ---------------------------------------------------------------- rota and timetables


def sessions_for_user(user: User) -> QuerySet[Session]:
    """Sessions ``user`` may see and take the roll of: the school's for its
    admin, else the ones they supervise or of the classes they lead."""
    qs = Session.objects.select_related("school_class", "room", "supervisor", "term")
    if not user.is_authenticated or not user.is_staff_member or not user.school_id:
        return qs.none()
    if user.is_school_admin:
        return qs.filter(school_class__school_id=user.school_id)
    return qs.filter(Q(supervisor=user) | Q(school_class__homeroom_teacher=user))


def get_session_for_user(user: User, pk: int) -> Session:
    return _get(sessions_for_user(user), pk)


def can_take_roll(user: User, session: Session) -> bool:
    """Who may take a basic session's roll: its supervisor, the class's
    homeroom teacher, or the school's admin (DESIGN.md "Who uses it").
    ``session.school_class`` should be loaded."""
    if not user.is_authenticated or not user.school_id:
        return False
    if session.supervisor_id == user.pk:
        return True
    if user.school_id != session.school_class.school_id:
        return False
    return user.is_school_admin or session.school_class.homeroom_teacher_id == user.pk


def unavailabilities_for_user(user: User) -> QuerySet[StaffUnavailability]:
    """Unavailability of the admin's school's staff; nothing for others."""
    qs = StaffUnavailability.objects.select_related("person")
    if not user.is_authenticated or not user.is_school_admin:
        return qs.none()
    return qs.filter(person__school_id=user.school_id)


def get_unavailability_for_user(user: User, pk: int) -> StaffUnavailability:
    return _get(unavailabilities_for_user(user), pk)


def staff_for_user(user: User) -> QuerySet[User]:
    """Staff whose timetable ``user`` may see: the whole school's staff for an
    admin, themselves for other staff, nobody for others."""
    if not user.is_authenticated or not user.is_staff_member:
        return User.objects.none()
    qs = User.objects.filter(school_id=user.school_id, role__in=[Role.ADMIN, *ROTA_ROLES])
    if user.is_school_admin:
        return qs
    return qs.filter(pk=user.pk)


def get_person_for_user(user: User, pk: int) -> User:
    return _get(staff_for_user(user), pk)


def get_room_for_user(user: User, pk: int) -> Room:
    """Room ``pk`` of the user's school for any staff member
    (``afterschool.access.rooms_for_user``: its timetable hangs on the door)."""
    return _get(rooms_for_user(user), pk)


# ---------------------------------------------------------------- clubs


def clubs_for_user(user: User) -> QuerySet[Club]:
    """Clubs ``user`` may see (edit, roster, roll): every club of the school
    for its admin, the clubs they lead for other staff, none for guardians."""
    qs = Club.objects.select_related("teacher", "room", "term__school")
    if not user.is_authenticated or not user.is_staff_member:
        return qs.none()
    qs = qs.filter(school_id=user.school_id)
    if user.is_school_admin:
        return qs
    return qs.filter(teacher=user)


def get_club_for_user(user: User, pk: int) -> Club:
    return _get(clubs_for_user(user), pk)


def can_take_club_roll(user: User, club: Club) -> bool:
    """Who may take a club meeting's roll: its teacher or the school's admin."""
    if not user.is_authenticated or user.school_id != club.school_id:
        return False
    return club.teacher_id == user.pk or user.is_school_admin


# ---------------------------------------------------------------- club choice


def get_choosing_student_for_user(user: User, pk: int) -> Student:
    """The child ``pk`` for their guardian or their school's admin (choosing on
    a family's behalf); 404 for everyone else, homeroom teachers included."""
    if not user.is_authenticated or user.role not in (Role.GUARDIAN, Role.ADMIN):
        raise Http404
    return get_student_for_user(user, pk)


def choosing_application_for_user(
    user: User, pk: int, term_pk: int | str | None
) -> QuerySet[Application]:
    """For the club-choice submission, as one lazy query: child ``pk``'s
    enrolled application for term ``term_pk`` (approved, with the featured
    day) if ``user`` may choose for the child (``get_choosing_student_for_user``'s
    rule), ``SELECT … FOR UPDATE``, with the student joined and
    ``choice_window_*`` annotated
    (``scheduling.choice.services.with_choice_context``). Empty in every
    other case (outsider, no such term, not enrolled): the caller then takes
    the full path, whose helpers answer 404 or say why. Evaluate it inside
    the transaction that writes (``club_choices_submit`` does)."""
    from scheduling.choice.services import enrolled_applications, with_choice_context

    if not user.is_authenticated or user.role not in (Role.GUARDIAN, Role.ADMIN):
        return Application.objects.none()
    try:
        term_id = int(term_pk)
    except (TypeError, ValueError):
        return Application.objects.none()
    allowed = students_for_user(user).filter(pk=pk).values("pk")
    return with_choice_context(
        enrolled_applications(term_id)
        .filter(student_id__in=allowed)
        # Only the student joined: each join costs PostgreSQL planning time
        # on every submission (the term is used by id, the class by
        # with_choice_context's year-class annotations).
        .select_related("student")
        .select_for_update(of=("self",))
    ).order_by("pk")


def choice_windows_for_user(user: User) -> QuerySet[ChoiceWindow]:
    """Selection windows of the admin's school's terms; nothing for others."""
    qs = ChoiceWindow.objects.select_related("term")
    if not user.is_authenticated or not user.is_school_admin:
        return qs.none()
    return qs.filter(term__school_id=user.school_id)


def get_choice_window_for_user(user: User, pk: int) -> ChoiceWindow:
    return _get(choice_windows_for_user(user), pk)


def allocation_runs_for_user(user: User) -> QuerySet[AllocationRun]:
    """Allocation runs of the admin's school's terms; nothing for others."""
    qs = AllocationRun.objects.select_related("term__school", "created_by")
    if not user.is_authenticated or not user.is_school_admin:
        return qs.none()
    return qs.filter(term__school_id=user.school_id)


def get_allocation_run_for_user(user: User, pk: int) -> AllocationRun:
    return _get(allocation_runs_for_user(user), pk)


def allocations_for_user(user: User) -> QuerySet[Allocation]:
    """Allocation entries (one student's result in a run) of the admin's
    school; nothing for others."""
    qs = Allocation.objects.select_related("run__term", "student__school_class", "club")
    if not user.is_authenticated or not user.is_school_admin:
        return qs.none()
    return qs.filter(run__term__school_id=user.school_id)


def get_allocation_for_user(user: User, pk: int) -> Allocation:
    return _get(allocations_for_user(user), pk)


# ---------------------------------------------------------------- leave, absences


def is_guardian_of(user: User, student: Student) -> bool:
    """A guardian of ``student`` (who asks and cancels leave)."""
    return user.is_authenticated and user.role == Role.GUARDIAN and can_see_student(user, student)


def can_decide_leave(user: User, student: Student) -> bool:
    """The class's homeroom teacher or the school's admin
    (``can_see_student`` for staff)."""
    return user.is_authenticated and user.role != Role.GUARDIAN and can_see_student(user, student)


def uses_leave_pages(user: User) -> bool:
    """Whether ``user`` works with leave and absences at all: a school admin,
    a homeroom teacher or a guardian (teachers and volunteers see rolls)."""
    return user.is_school_admin or user.role in (Role.HOMEROOM, Role.GUARDIAN)


def leave_requests_for_user(user: User) -> QuerySet[LeaveRequest]:
    """Leave requests ``user`` may see: a guardian their children's, a
    homeroom teacher their classes', an admin the school's; newest first,
    with student, class and decider joined."""
    qs = LeaveRequest.objects.select_related("student__school_class", "decided_by", "term")
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(student__in=students_for_user(user).values("pk"))


def get_leave_for_user(user: User, pk: int) -> LeaveRequest:
    return _get(leave_requests_for_user(user), pk)


def attendances_for_user(user: User) -> QuerySet[Attendance]:
    """Roll marks ``user`` may see: an admin the school's, a homeroom teacher
    their classes', a guardian their children's (``students_for_user``)."""
    if not user.is_authenticated:
        return Attendance.objects.none()
    return Attendance.objects.filter(student__in=students_for_user(user).values("pk"))


# ---------------------------------------------------------------- dismissal


def dismissal_classes_for_user(user: User, date: datetime.date) -> QuerySet[SchoolClass]:
    """Classes whose dismissal ``user`` may record on ``date``: an admin all of
    the school's, a homeroom teacher theirs, anyone supervising one of the
    class's sessions that day."""
    qs = SchoolClass.objects.select_related("homeroom_teacher")
    if not user.is_authenticated or not user.is_staff_member or not user.school_id:
        return qs.none()
    # The classes of ``date``'s school year: last year's classes keep their
    # children (ClassMembership), who are collected from this year's.
    qs = classes_in_year_of(qs.filter(school_id=user.school_id), date)
    if user.is_school_admin:
        return qs
    return qs.filter(
        Q(homeroom_teacher=user) | Q(sessions__date=date, sessions__supervisor=user)
    ).distinct()


def get_class_for_dismissal(user: User, pk: int, date: datetime.date) -> SchoolClass:
    return _get(dismissal_classes_for_user(user, date), pk)


def get_dismissal_for_user(user: User, pk: int) -> Dismissal:
    """The dismissal ``pk`` if ``user`` may record the dismissal of its class
    on its day, else ``Http404``."""
    dismissal = _get(Dismissal.objects.select_related("student__school_class"), pk)
    get_class_for_dismissal(user, dismissal.student.school_class_id, dismissal.date)
    return dismissal


def can_dismiss(user: User, student: Student, date: datetime.date) -> bool:
    """The class's homeroom teacher, the school admin, or whoever supervises
    one of the class's sessions that day."""
    if not user.is_authenticated or user.school_id != student.school_id:
        return False
    if user.is_school_admin or student.school_class.homeroom_teacher_id == user.pk:
        return True
    return Session.objects.filter(
        school_class_id=student.school_class_id, date=date, supervisor=user
    ).exists()


# ---------------------------------------------------------------- pickup people


def get_pickup_student_for_guardian(user: User, pk: int) -> Student:
    """A child of the guardian ``user`` (whose pickup people they keep);
    anyone else: 404."""
    from afterschool.access import get_student_for_user

    student = get_student_for_user(user, pk)
    if not is_guardian_of(user, student):
        raise Http404
    return student


def is_teacher_of(user: User, student: Student) -> bool:
    """The child's teachers: the school's admin, the class's homeroom
    teacher, or a supervisor of one of the class's sessions."""
    if not user.is_authenticated or not user.is_staff_member:
        return False
    if user.school_id != student.school_id:
        return False
    if user.is_school_admin or student.school_class.homeroom_teacher_id == user.pk:
        return True
    return Session.objects.filter(school_class_id=student.school_class_id, supervisor=user).exists()


def get_pickup_person_for_teacher(user: User, pk: int):
    """A pickup person whose photo ``user`` may see (one of the child's
    teachers, ``is_teacher_of``); anyone else, guardians included: 404."""
    from afterschool.models import PickupPerson

    person = PickupPerson.objects.select_related("student__school_class").filter(pk=pk).first()
    if person is None or not is_teacher_of(user, person.student):
        raise Http404
    return person


def get_pickup_person_for_guardian(user: User, pk: int):
    """A pickup person of one of the guardian ``user``'s children (else 404)."""
    from afterschool.models import PickupPerson

    person = PickupPerson.objects.select_related("student").filter(pk=pk).first()
    if person is None or not is_guardian_of(user, person.student):
        raise Http404
    return person


# ---------------------------------------------------------------- homework

HOMEWORK_ROLES = frozenset({Role.ADMIN, Role.HOMEROOM, Role.TEACHER})


def homework_classes_for_user(user: User) -> QuerySet[SchoolClass]:
    """Classes ``user`` may publish homework for (作业公示): every class of
    their school for its admin, homeroom and subject teachers (a subject
    teacher teaches several classes) of this school year; nothing for
    volunteers and guardians."""
    if not user.is_authenticated or not user.school_id or user.role not in HOMEWORK_ROLES:
        return SchoolClass.objects.none()
    return classes_in_year_of(
        SchoolClass.objects.select_related("school_year").filter(school_id=user.school_id)
    )


def can_publish_homework(user: User, school_class: SchoolClass) -> bool:
    """The rule of ``homework_classes_for_user`` for a class in hand. No query."""
    return (
        user.is_authenticated
        and user.role in HOMEWORK_ROLES
        and user.school_id is not None
        and user.school_id == school_class.school_id
    )


def get_homework_class_for_user(user: User, pk: int | str) -> SchoolClass:
    """The class ``pk`` if ``user`` may publish its homework, else ``Http404``."""
    try:
        return homework_classes_for_user(user).get(pk=int(pk))
    except (SchoolClass.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
