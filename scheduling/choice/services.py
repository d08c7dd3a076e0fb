"""Club choice and allocation rules that write (DESIGN.md "Featured course"):
selection windows, a guardian's ranked choices, allocation runs,
publishing, and changes afterwards filled from the waiting list.

Keyword-only, typed; a refused rule raises ``ValidationError`` with Chinese
messages and writes nothing. Who may choose: a student enrolled in the term's
featured day — an application the school approved (enrollment ``Status.
APPROVED``) that asks for the featured day (``wants_featured_day``; seed 一.2
特色课后服务日 is a part families choose).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
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
from django.utils.translation import gettext_lazy

from afterschool.models import GRADE_NAMES, NoticeKind, SchoolClass, Student, Term, User
from afterschool.notices.services import (
    notices_mark_read_for_event,
    notify_guardians_of_students,
)
from afterschool.selectors import (
    students_of_class,
    students_of_year,
    with_year_class,
    year_class_annotations,
)
from enrollment.models import Application, Status
from scheduling.choice.solver import MAX_RANKS, RANK_SCORE, Applicant, Outcome, allocate
from scheduling.models import (
    Allocation,
    AllocationChange,
    AllocationChangeKind,
    AllocationRun,
    AllocationState,
    ChoiceWindow,
    Club,
    ClubChoice,
    WindowScope,
)

OBJECTIVE = gettext_lazy(
    "按志愿分配，不按填报先后：①在名额内尽可能多地让学生参加社团，并优先照顾"
    "优先保障群体（进城务工人员随迁子女、留守儿童、残疾儿童、家庭经济困难）的学生；"
    "②优先保障群体的学生尽量得到更靠前的志愿；③让全体学生的志愿满足得最好"
    "（第一志愿3分、第二志愿2分、第三志愿1分）；④条件完全相同的学生争同一个名额时，"
    "按本次记录的抽签号决定，用同一个抽签号重新分配，结果完全相同。"
)

# How the result is computed, for the report's appendix (not the page a
# school admin reads first).
METHOD = gettext_lazy(
    "计算方法：把学生、志愿和社团名额建成一个网络，用最小费用流（Google OR-Tools）"
    "一次求出满足上述①—③的最优方案；抽签号作为随机种子，只在同样最优的方案之间"
    "决定取舍，因此同一抽签号必得同一结果。"
)


def enrolled_applications(term: Term | int) -> QuerySet[Application]:
    """Approved applications of ``term`` (a Term or its id) that include the
    featured day."""
    return Application.objects.filter(term=term, status=Status.APPROVED, wants_featured_day=True)


def not_enrolled_message(student: Student) -> str:
    """Why a child without an approved featured-day application cannot
    choose (the page says it instead of showing the form)."""
    return _("%(name)s 尚未获批参加本学期特色课后服务日，不能选社团。") % {"name": student.name}


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
    applications = applications.annotate(
        **year_class_annotations(student="student", school_year="term__school_year")
    )
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
    *, student: Student, term: Term, club_ids: list[int | None], grade: int
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
        application=application, student=student, term=term, club_ids=club_ids, by=by, now=now
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
    ``select_for_update``, student, class and term joined, annotated by
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
        term=application.term,
        club_ids=club_ids,
        by=by,
        now=now,
    )
    return application, saved


def _replace_choices(
    *,
    application: Application | None,
    student: Student,
    term: Term,
    club_ids: list[int | None],
    by: User,
    now: datetime.datetime | None,
) -> list[ClubChoice]:
    """The rules and the write of ``club_choices_save``, given the student's
    locked application annotated by ``with_choice_context`` (or ``None``)."""
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
        student=student, term=term, club_ids=club_ids, grade=_year_grade(application, student)
    )
    # Always delete, even when the locked read saw no old choices: on
    # PostgreSQL a submission that waited for the lock keeps the annotations
    # of its first read, so it would miss the choices the other one just saved.
    ClubChoice.objects.filter(student=student, term=term).delete()
    rows = [
        ClubChoice(
            student=student,
            term=term,
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


# ---------------------------------------------------------------- allocation


@transaction.atomic
def allocation_run(*, term: Term, seed: int, by: User | None) -> AllocationRun:
    """Allocate the term's clubs from the enrolled students' valid choices and
    store the run (seed, objective, figures) with one ``Allocation`` per
    student who has a valid choice. Optimal for ``OBJECTIVE`` (see
    ``scheduling.choice.solver``); re-running with the same seed on the same
    choices gives the same result. Choices whose club was deleted or no longer
    takes the student's grade are left out (and shown to the guardian).

    Raises ``ValidationError`` when the term has no clubs.
    """
    list(Term.objects.select_for_update().filter(pk=term.pk).values_list("pk", flat=True))
    clubs = {c.pk: c for c in Club.objects.filter(term=term)}
    if not clubs:
        raise ValidationError(_("本学期还没有社团，无法分配。"))
    apps = list(enrolled_applications(term).select_related("student__school_class"))
    students = {a.student_id: a.student for a in apps}
    applicants = _applicants(term, clubs, students)
    outcome = allocate(applicants, {pk: c.capacity for pk, c in clubs.items()}, seed=seed)
    counts = outcome.rank_counts()
    priority = [a for a in applicants if a.priority]
    run = AllocationRun.objects.create(
        term=term,
        seed=seed,
        objective=str(OBJECTIVE),
        tie_range=outcome.tie_range,
        created_by=by,
        students=len(applicants),
        no_choice=len(students) - len(applicants),
        got_first=counts[1],
        got_second=counts[2],
        got_third=counts[3],
        got_none=len(applicants) - len(outcome.placed),
        priority_students=len(priority),
        priority_placed=sum(1 for a in priority if a.id in outcome.placed),
        total_score=sum(RANK_SCORE[r] for _c, r in outcome.placed.values()),
        seconds=outcome.seconds,
    )
    Allocation.objects.bulk_create(_allocation_rows(run, applicants, outcome), batch_size=1000)
    return run


def _applicants(
    term: Term, clubs: dict[int, Club], students: dict[int, Student]
) -> list[Applicant]:
    """The solver's input: each student with a valid choice (its club exists
    and takes their grade), choices in rank order. One query (the choices)."""
    by_student: dict[int, list[ClubChoice]] = defaultdict(list)
    for ch in ClubChoice.objects.filter(term=term, student_id__in=students).order_by(
        "student_id", "rank"
    ):
        by_student[ch.student_id].append(ch)
    applicants: list[Applicant] = []
    for sid, student in students.items():
        grade = student.school_class.grade
        valid = [
            ch.club_id
            for ch in by_student.get(sid, [])
            if ch.club_id in clubs and clubs[ch.club_id].is_open_to_grade(grade)
        ]
        if valid:
            applicants.append(Applicant(sid, student.is_priority, tuple(valid[:MAX_RANKS])))
    return applicants


def _allocation_rows(
    run: AllocationRun, applicants: list[Applicant], outcome: Outcome
) -> list[Allocation]:
    """One unsaved ``Allocation`` per applicant: the club and rank they got,
    or none (on the waiting lists)."""
    rows = []
    for a in applicants:
        got = outcome.placed.get(a.id)
        # The waiting-list order among equal ranks: this student's seeded
        # draw for their first choice (higher first), then id.
        tie = outcome.tie_values[(a.id, a.choices[0])]
        rows.append(
            Allocation(
                run=run,
                student_id=a.id,
                club_id=got[0] if got else None,
                rank=got[1] if got else None,
                state=AllocationState.PLACED if got else AllocationState.UNPLACED,
                is_priority=a.priority,
                choices=list(a.choices),
                tie_order=tie,
            )
        )
    return rows


@transaction.atomic
def allocation_publish(*, run: AllocationRun) -> AllocationRun:
    """Publish ``run``: guardians see their child's club from it (the term's
    latest published run counts)."""
    run.published_at = timezone.now()
    run.save(update_fields=["published_at"])
    placed = (
        Allocation.objects.filter(run=run, state=AllocationState.PLACED)
        .select_related("club")
        .order_by("club_id")
    )
    by_club: dict[int, list[int]] = {}
    clubs: dict[int, str] = {}
    for a in placed:
        by_club.setdefault(a.club_id, []).append(a.student_id)
        clubs[a.club_id] = a.club.name
    school_id = run.term.school_id
    for club_id, ids in by_club.items():
        notify_guardians_of_students(
            school=school_id,
            student_ids=ids,
            kind=NoticeKind.ALLOCATION_PUBLISHED,
            title=_("社团分配结果：%(club)s") % {"club": clubs[club_id]},
            body=_("孩子被分到「%(club)s」。详情请查看社团选课页面。") % {"club": clubs[club_id]},
            link=reverse("scheduling:club-choose-index"),
            dedupe_key=allocation_notice_key(run_id=run.pk, club_id=club_id),
        )
    return run


def allocation_notice_key(*, run_id: int, club_id: int) -> str:
    """The ``dedupe_key`` of the notice telling guardians that ``run`` put
    their child in club ``club_id`` (``allocation_publish``)."""
    return f"allocation:{run_id}:{club_id}"


def allocation_result_seen(*, allocation: Allocation, by: User) -> int:
    """``by`` (a guardian) has seen ``allocation``'s result on the child's
    club page: their notice of it counts as read, so its 未读 mark and the
    home to-do 「社团分配结果已公布」 clear (``overview.todo.selectors``).
    Nothing for an allocation without a club. Returns the notices marked."""
    if allocation.club_id is None or allocation.state != AllocationState.PLACED:
        return 0
    return notices_mark_read_for_event(
        user=by,
        dedupe_key=allocation_notice_key(run_id=allocation.run_id, club_id=allocation.club_id),
    )


def _lock_run(run: AllocationRun) -> None:
    list(AllocationRun.objects.select_for_update().filter(pk=run.pk).values_list("pk", flat=True))


def _seats_taken(run: AllocationRun, club: Club) -> int:
    return Allocation.objects.filter(run=run, club=club, state=AllocationState.PLACED).count()


def waiting_order(allocation: Allocation, club_id: int) -> tuple:
    """Sort key of the waiting list of club ``club_id``: the rank the student
    gave it, priority group first, then the run's seeded order (higher draw
    first), then id."""
    return (
        allocation.choices.index(club_id),
        not allocation.is_priority,
        -allocation.tie_order,
        allocation.pk,
    )


def waiting_list(run: AllocationRun, club: Club) -> list[Allocation]:
    """Unplaced students of ``run`` who ranked ``club`` (and whose grade it
    still takes), in ``waiting_order``."""
    waiting = []
    for a in Allocation.objects.filter(run=run, state=AllocationState.UNPLACED).select_related(
        "student__school_class"
    ):
        if club.pk in a.choices and club.is_open_to_grade(a.student.school_class.grade):
            waiting.append(a)
    waiting.sort(key=lambda a: waiting_order(a, club.pk))
    return waiting


def _fill_seat(run: AllocationRun, club: Club, by: User | None) -> Allocation | None:
    """Give a free seat of ``club`` to the first on its waiting list; recorded."""
    if _seats_taken(run, club) >= club.capacity:
        return None
    waiting = waiting_list(run, club)
    if not waiting:
        return None
    nxt = waiting[0]
    nxt.club = club
    nxt.rank = nxt.choices.index(club.pk) + 1
    nxt.state = AllocationState.PLACED
    nxt.from_waiting_list = True
    nxt.save(update_fields=["club", "rank", "state", "from_waiting_list"])
    AllocationChange.objects.create(
        allocation=nxt, kind=AllocationChangeKind.FILLED, to_club=club, by=by
    )
    return nxt


@transaction.atomic
def allocation_withdraw(
    *, allocation: Allocation, by: User | None, note: str = ""
) -> Allocation | None:
    """``allocation``'s student leaves their club; the freed seat goes to the
    first student on that club's waiting list. Returns the allocation that got
    the seat, or ``None``. Raises ``ValidationError`` if not placed."""
    _lock_run(allocation.run)
    allocation.refresh_from_db()
    if allocation.state != AllocationState.PLACED:
        raise ValidationError(_("该学生当前没有分配社团。"))
    club = allocation.club
    allocation.state = AllocationState.WITHDRAWN
    allocation.save(update_fields=["state"])
    AllocationChange.objects.create(
        allocation=allocation, kind=AllocationChangeKind.WITHDRAWN, from_club=club, by=by, note=note
    )
    return _fill_seat(allocation.run, club, by)


@transaction.atomic
def allocation_move(
    *, allocation: Allocation, club: Club, by: User | None, note: str = ""
) -> Allocation | None:
    """Move ``allocation``'s student to ``club`` (a club of the run's term
    with a free seat and open to their grade); the seat they leave goes to the
    first on that club's waiting list. Returns who got the freed seat, or
    ``None``. Raises ``ValidationError`` (nothing written) when the club is
    full, of another term or not for the grade."""
    run = allocation.run
    _lock_run(run)
    allocation.refresh_from_db()
    student = allocation.student
    if club.term_id != run.term_id:
        raise ValidationError(_("所选社团不属于本学期。"))
    if allocation.club_id == club.pk and allocation.state == AllocationState.PLACED:
        raise ValidationError(_("该学生已在 %(club)s。") % {"club": club.name})
    if not club.is_open_to_grade(student.school_class.grade):
        raise ValidationError(
            _("%(club)s 只面向%(grades)s。") % {"club": club.name, "grades": club.grades_display}
        )
    if _seats_taken(run, club) >= club.capacity:
        raise ValidationError(
            _("%(club)s 已满（%(cap)s 人）。") % {"club": club.name, "cap": club.capacity}
        )
    old = allocation.club if allocation.state == AllocationState.PLACED else None
    allocation.club = club
    allocation.rank = allocation.choices.index(club.pk) + 1 if club.pk in allocation.choices else 0
    allocation.state = AllocationState.PLACED
    allocation.save(update_fields=["club", "rank", "state"])
    AllocationChange.objects.create(
        allocation=allocation,
        kind=AllocationChangeKind.MOVED,
        from_club=old,
        to_club=club,
        by=by,
        note=note,
    )
    return _fill_seat(run, old, by) if old is not None else None
