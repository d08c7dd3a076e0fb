"""Club choice rules that write (DESIGN.md "Featured course"): selection
windows and a guardian's ranked choices. Allocation runs, publishing and
the waiting list are in ``scheduling.choice.allocation`` (re-exported here).

Keyword-only, typed; a refused rule raises ``ValidationError`` with Chinese
messages and writes nothing. Who may choose: a student enrolled in the term's
featured day — an application the school approved (enrollment ``Status.
APPROVED``) that asks for the featured day (``wants_featured_day``; seed 一.2
特色课后服务日 is a part families choose).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from afterschool.models import GRADE_NAMES, NoticeKind, SchoolClass, Student, Term, User
from afterschool.notices.services import (
    notify_guardians_of_students,
)
from afterschool.selectors import (
    students_of_class,
    students_of_year,
    with_year_class,
    year_class_annotations,
)
from enrollment.models import Application
from scheduling.choice.allocation import (
    METHOD,
    OBJECTIVE,
    allocation_move,
    allocation_notice_key,
    allocation_publish,
    allocation_result_seen,
    allocation_run,
    allocation_withdraw,
    waiting_list,
    waiting_order,
)
from scheduling.choice.common import enrolled_applications, not_enrolled_message
from scheduling.choice.solver import MAX_RANKS
from scheduling.models import (
    ChoiceWindow,
    Club,
    ClubChoice,
    WindowScope,
)

__all__ = [
    "METHOD",
    "OBJECTIVE",
    "WindowStatus",
    "allocation_move",
    "allocation_notice_key",
    "allocation_publish",
    "allocation_result_seen",
    "allocation_run",
    "allocation_withdraw",
    "choice_is_valid",
    "choice_window_delete",
    "choice_window_save",
    "club_choices_save",
    "club_choices_submit",
    "enrolled_applications",
    "not_enrolled_message",
    "waiting_list",
    "waiting_order",
    "window_for",
    "window_notify",
    "window_status",
    "window_students",
    "with_choice_context",
]


def _when(value: datetime.datetime) -> str:
    return date_format(timezone.localtime(value), "Y年n月j日 H:i")


# ---------------------------------------------------------------- windows


@dataclass
class WindowStatus:
    """Whether a student's selection window is open at ``now``; ``message`` is
    the Chinese sentence to show when it is not."""

    window: ChoiceWindow | None
    is_open: bool
    message: str


def window_for(
    *,
    student: Student,
    term: Term,
    windows: list[ChoiceWindow] | None = None,
    year_class: tuple[int | None, int | None] | None = None,
) -> ChoiceWindow | None:
    """The window that applies to ``student``: their class's, else their
    grade's, else the school's, else ``None``. Class and grade are the
    student's in the term's school year (``ClassMembership``; after a rollover
    ``Student.school_class`` is next year's class). ``windows``: the term's
    windows if already loaded (saves a query per student); ``year_class``:
    ``(class pk, grade)`` of that class if already read (``(None, None)``
    for a student without a class that year), else one query reads it."""
    if windows is None:
        windows = list(ChoiceWindow.objects.filter(term=term))
    if year_class is None:
        year_class = (
            with_year_class(Student.objects.filter(pk=student.pk), school_year=term.school_year_id)
            .values_list("year_class_id", "year_class_grade")
            .first()
        ) or (None, None)
    class_id, grade = year_class
    by_scope: dict[str, ChoiceWindow] = {}
    for w in windows:
        if w.scope == WindowScope.CLASS:
            if class_id is not None and w.school_class_id == class_id:
                by_scope["class"] = w
        elif w.scope == WindowScope.GRADE:
            if grade is not None and w.grade == grade:
                by_scope["grade"] = w
        elif w.scope == WindowScope.SCHOOL:
            by_scope["school"] = w
    return by_scope.get("class") or by_scope.get("grade") or by_scope.get("school")


def window_status(
    window: ChoiceWindow | None, now: datetime.datetime | None = None
) -> WindowStatus:
    """Open, not yet open (says when it opens) or closed (says when it closed)."""
    now = now or timezone.now()
    if window is None:
        return WindowStatus(None, False, _("学校尚未安排本学期的社团选课时间。"))
    if now < window.opens_at:
        return WindowStatus(
            window,
            False,
            _("社团选课尚未开始，将于 %(at)s 开放（截止 %(end)s）。")
            % {"at": _when(window.opens_at), "end": _when(window.closes_at)},
        )
    if now >= window.closes_at:
        return WindowStatus(
            window, False, _("社团选课已于 %(at)s 结束。") % {"at": _when(window.closes_at)}
        )
    return WindowStatus(
        window, True, _("社团选课开放中，截止 %(at)s。") % {"at": _when(window.closes_at)}
    )


def with_choice_context(applications: QuerySet[Application]) -> QuerySet[Application]:
    """``applications`` annotated with what a club-choice submission checks,
    so the lock query answers it too: ``year_class_id`` / ``year_class_grade``
    (the student's class in the term's school year,
    ``year_class_annotations``) and ``choice_window_opens`` /
    ``choice_window_closes`` of the window that applies to the student (the
    SQL form of ``window_for``: their class's, else their grade's, else the
    school's; ``None`` when there is none)."""
    year_class = year_class_annotations(student="student", school_year="term__school_year")
    # The class's number is not needed here: one subquery fewer on every submission.
    del year_class["year_class_number"]
    applications = applications.annotate(**year_class)
    applicable = (
        ChoiceWindow.objects.filter(term_id=OuterRef("term_id"))
        .filter(
            Q(scope=WindowScope.CLASS, school_class_id=OuterRef("year_class_id"))
            | Q(scope=WindowScope.GRADE, grade=OuterRef("year_class_grade"))
            | Q(scope=WindowScope.SCHOOL)
        )
        # The most specific first: "class" < "grade" < "school" in any
        # collation (tests/scheduling/test_choice.py pins it), cheaper to
        # compile than a CASE on the scope (this runs on every submission).
        .order_by("scope", "pk")
    )
    return applications.annotate(
        choice_window_opens=Subquery(applicable.values("opens_at")[:1]),
        choice_window_closes=Subquery(applicable.values("closes_at")[:1]),
    )


@transaction.atomic
def choice_window_save(
    *,
    term: Term,
    scope: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    by: User,
    grade: int | None = None,
    school_class: SchoolClass | None = None,
    window: ChoiceWindow | None = None,
) -> ChoiceWindow:
    """Create (``window=None``) or change a selection window of ``term``.

    ``scope``: ``WindowScope`` — school (no grade/class), grade (``grade``
    1–9), class (``school_class`` of the term's school). Raises
    ``ValidationError`` when the end is not after the start, the class is
    another school's, or that scope already has a window this term.
    """
    errors: list[str] = []
    if closes_at <= opens_at:
        errors.append(_("结束时间必须晚于开始时间。"))
    if scope == WindowScope.GRADE:
        if not grade or not 1 <= grade <= 9:
            errors.append(_("请选择年级。"))
        school_class = None
    elif scope == WindowScope.CLASS:
        if school_class is None or school_class.school_id != term.school_id:
            errors.append(_("请选择本校的班级。"))
        grade = None
    else:
        scope, grade, school_class = WindowScope.SCHOOL, None, None
    if errors:
        raise ValidationError(errors)
    same = ChoiceWindow.objects.filter(term=term, scope=scope)
    if scope == WindowScope.GRADE:
        same = same.filter(grade=grade)
    elif scope == WindowScope.CLASS:
        same = same.filter(school_class=school_class)
    if window is not None and window.pk:
        same = same.exclude(pk=window.pk)
    if same.exists():
        target = (
            GRADE_NAMES[grade]
            if scope == WindowScope.GRADE
            else str(school_class)
            if scope == WindowScope.CLASS
            else _("全校")
        )
        raise ValidationError(
            _("%(target)s 本学期已有选课时间，请修改原有设置。") % {"target": target}
        )
    if window is None:
        window = ChoiceWindow(term=term, created_by=by)
    window.scope = scope
    window.grade = grade
    window.school_class = school_class
    window.opens_at = opens_at
    window.closes_at = closes_at
    window.save()
    window_notify(window=window, kind=NoticeKind.CHOICE_WINDOW_OPEN)
    return window


def window_students(window: ChoiceWindow) -> QuerySet[Student]:
    """Ids of the students a window is for (a queryset of ids): the school's
    children of the term's school year, of the window's grade or class in
    that year (memberships, ``students_of_year`` / ``students_of_class``), so
    a window of a past term still reaches its children after a rollover."""
    term = window.term
    if window.scope == WindowScope.CLASS:
        qs = students_of_class(window.school_class_id)
    else:
        grade = window.grade if window.scope == WindowScope.GRADE else None
        qs = students_of_year(term.school_year_id, grade=grade)
    return qs.filter(school_id=term.school_id).values_list("pk", flat=True)


def window_notify(*, window: ChoiceWindow, kind: str) -> None:
    """Tell the guardians in ``window``'s scope that choosing opens (with
    its dates) or closes tomorrow (``kind``: NoticeKind CHOICE_WINDOW_OPEN /
    CHOICE_WINDOW_CLOSING). Once per window and dates."""
    span = {"opens": _when(window.opens_at), "closes": _when(window.closes_at)}
    if kind == NoticeKind.CHOICE_WINDOW_OPEN:
        title = _("社团选课：%(opens)s开始") % span
        body = _("请在%(opens)s至%(closes)s之间为孩子填报社团志愿。") % span
    else:
        title = _("社团选课明天截止")
        body = _("社团选课将于%(closes)s截止，还没填报志愿的请尽快填报。") % span
    notify_guardians_of_students(
        school=window.term.school_id,
        student_ids=window_students(window),
        kind=kind,
        title=title,
        body=body,
        link=reverse("scheduling:club-choose-index"),
        dedupe_key=f"window:{kind}:{window.pk}:{window.opens_at:%Y%m%d%H%M}:{window.closes_at:%Y%m%d%H%M}",
    )


def choice_window_delete(*, window: ChoiceWindow) -> None:
    window.delete()


# ---------------------------------------------------------------- choices


def _year_grade(application: Application, student: Student) -> int:
    """The student's grade in the term's school year, from an application
    annotated by ``with_choice_context``; the latest class's grade for a
    student without a class that year (who cannot be enrolled)."""
    grade = application.year_class_grade
    return grade if grade is not None else student.school_class.grade


def _checked_ranks(
    *, student: Student, term: Term | int, club_ids: list[int | None], grade: int
) -> tuple[list[int], dict[int, Club]]:
    """The ranked club ids of a submission (trailing empty ranks dropped) and
    their clubs, or ``ValidationError`` naming every broken rank rule: at most
    3 ranks, no gaps, no club twice, each club of ``term`` and open to
    ``grade`` (the student's in the term's school year)."""
    if len(club_ids) > MAX_RANKS:
        raise ValidationError(_("最多填报 %(n)s 个志愿。") % {"n": MAX_RANKS})
    chosen = list(club_ids)
    while chosen and chosen[-1] in (None, ""):
        chosen.pop()
    errors: list[str] = []
    if any(c in (None, "") for c in chosen):
        errors.append(_("请按顺序填写志愿：前一个志愿为空时不能填写后面的志愿。"))
    ids = [int(c) for c in chosen if c not in (None, "")]
    if len(set(ids)) != len(ids):
        errors.append(_("同一个社团不能重复填报。"))
    clubs = {c.pk: c for c in Club.objects.filter(pk__in=ids, term=term)}
    for cid in ids:
        club = clubs.get(cid)
        if club is None:
            errors.append(_("所选社团不属于本学期。"))
        elif not club.is_open_to_grade(grade):
            errors.append(
                _("%(club)s 只面向%(grades)s，%(name)s 所在年级不能选。")
                % {"club": club.name, "grades": club.grades_display, "name": student.name}
            )
    if errors:
        raise ValidationError(errors)
    return ids, clubs


@transaction.atomic
def club_choices_save(
    *,
    student: Student,
    term: Term,
    club_ids: list[int | None],
    by: User,
    now: datetime.datetime | None = None,
) -> list[ClubChoice]:
    """Replace ``student``'s ranked choices for ``term`` with ``club_ids``
    (first choice first; ``None`` for an empty rank; all empty clears them).

    Rules: only inside the student's selection window; only an
    enrolled student (approved application with the featured day); at most 3
    ranks, filled from the first without gaps; no club twice; each club of
    this term and open to the student's grade. Raises ``ValidationError`` with
    Chinese messages; nothing is written then.

    Concurrency: the student's application row is locked (``SELECT … FOR
    UPDATE``) before the old choices are deleted and the new ones inserted, so
    two submissions at once run one after the other: the later one wins whole,
    nothing is lost or duplicated (and the unique constraints back it up).
    """
    application = with_choice_context(
        enrolled_applications(term).select_for_update(of=("self",)).filter(student=student)
    ).first()
    return _replace_choices(
        application=application,
        student=student,
        term_id=term.pk,
        club_ids=club_ids,
        by=by,
        now=now,
    )


@transaction.atomic
def club_choices_submit(
    *,
    applications: QuerySet[Application],
    club_ids: list[int | None],
    by: User,
    now: datetime.datetime | None = None,
) -> tuple[Application, list[ClubChoice]] | None:
    """``club_choices_save`` for the guardian's POST, in fewer queries.

    ``applications``: a lazy queryset of at most one enrolled application
    (``scheduling.access.choosing_application_for_user``: access rule applied,
    ``select_for_update``, the student joined, annotated by
    ``with_choice_context``). It is evaluated here, inside this transaction,
    so the lock holds until the choices are written, and it answers the lock,
    the window and "any old choices?" in one query: a first submission is
    three queries (that one, the clubs, the insert), a changed one four (the
    old choices deleted). Returns ``(application, saved choices)``, or
    ``None`` when the queryset finds nothing (the caller then says why).
    Raises ``ValidationError`` as ``club_choices_save`` does, writing nothing.
    """
    application = applications.first()
    if application is None:
        return None
    saved = _replace_choices(
        application=application,
        student=application.student,
        term_id=application.term_id,
        club_ids=club_ids,
        by=by,
        now=now,
    )
    return application, saved


def _replace_choices(
    *,
    application: Application | None,
    student: Student,
    term_id: int,
    club_ids: list[int | None],
    by: User,
    now: datetime.datetime | None,
) -> list[ClubChoice]:
    """The rules and the write of ``club_choices_save``, given the student's
    locked application annotated by ``with_choice_context`` (or ``None``)
    and the term's id (the hot path does not load the term)."""
    if application is None:
        raise ValidationError(not_enrolled_message(student))
    window = None
    if application.choice_window_opens is not None:
        window = ChoiceWindow(
            opens_at=application.choice_window_opens, closes_at=application.choice_window_closes
        )
    status = window_status(window, now)
    if not status.is_open:
        raise ValidationError(status.message)
    ids, clubs = _checked_ranks(
        student=student, term=term_id, club_ids=club_ids, grade=_year_grade(application, student)
    )
    # Always delete, even when the locked read saw no old choices: on
    # PostgreSQL a submission that waited for the lock keeps the annotations
    # of its first read, so it would miss the choices the other one just saved.
    ClubChoice.objects.filter(student=student, term_id=term_id).delete()
    rows = [
        ClubChoice(
            student=student,
            term_id=term_id,
            club=clubs[cid],
            club_name=clubs[cid].name,
            rank=rank,
            chosen_by=by,
        )
        for rank, cid in enumerate(ids, start=1)
    ]
    if rows:
        # No savepoint around it: the application lock above serialises
        # submissions for the student, and the unique constraints would turn
        # any slip into an error that rolls the whole submission back.
        ClubChoice.objects.bulk_create(rows)
    return rows


def choice_is_valid(choice: ClubChoice, grade: int) -> bool:
    """A choice still counts: its club exists and is open to ``grade``."""
    return choice.club is not None and choice.club.is_open_to_grade(grade)
