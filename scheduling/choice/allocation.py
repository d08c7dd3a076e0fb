"""Club allocation rules that write (DESIGN.md "Featured course"): an
allocation run by the solver, publishing it, and changes afterwards filled
from the waiting list. Keyword-only; a refused rule raises
``ValidationError`` with Chinese messages and writes nothing."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from afterschool.models import NoticeKind, Student, Term, User
from afterschool.notices.services import (
    notices_mark_read_for_event,
    notify_guardians_of_students,
)
from scheduling.choice.common import enrolled_applications
from scheduling.choice.solver import MAX_RANKS, RANK_SCORE, Applicant, Outcome, allocate
from scheduling.models import (
    Allocation,
    AllocationChange,
    AllocationChangeKind,
    AllocationRun,
    AllocationState,
    Club,
    ClubChoice,
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
