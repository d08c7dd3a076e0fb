"""Reads for club choice, allocation reports and rosters; each in a fixed
number of queries whatever the size (tests pin the counts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from afterschool.models import Student, Term
from afterschool.selectors import class_order, with_year_class
from scheduling.choice.services import (
    WindowStatus,
    choice_is_valid,
    enrolled_applications,
    not_enrolled_message,
    waiting_order,
    window_for,
    window_status,
)
from scheduling.models import (
    Allocation,
    AllocationChange,
    AllocationRun,
    AllocationState,
    ChoiceWindow,
    Club,
    ClubChoice,
)


def windows_of(term: Term) -> QuerySet[ChoiceWindow]:
    return ChoiceWindow.objects.filter(term=term).select_related("school_class")


def clubs_with_demand(term: Term) -> QuerySet[Club]:
    """The term's clubs with ``first_choices`` and ``all_choices`` counted
    (current demand), room and teacher joined: one query."""
    return (
        Club.objects.filter(term=term)
        .select_related("room", "teacher")
        .annotate(
            first_choices=Count("choices", filter=Q(choices__rank=1)),
            all_choices=Count("choices"),
        )
        .order_by("category", "name")
    )


@dataclass
class ChoiceRow:
    rank: int
    name: str
    club: Club | None
    valid: bool


@dataclass
class ChoicePage:
    """What a guardian sees for one child: the window, the clubs open to the
    child's grade with their demand, the saved choices (invalid ones marked)
    and the published result if any."""

    student: Student
    term: Term
    status: WindowStatus
    clubs: list[Club]
    choices: list[ChoiceRow]
    invalid: list[ChoiceRow]
    allocation: Allocation | None
    published: AllocationRun | None
    # Where the allocated club stands in the choices as saved now (None: no
    # longer among them). The allocation's own ``rank`` is the choice it
    # was when the run placed the child; after a re-ranking the two differ.
    result_rank_now: int | None = None

    @property
    def result_rank_changed(self) -> bool:
        """Whether the choices were re-ranked since the allocation, so the
        page names the rank it had then (分配时) beside the rank now."""
        a = self.allocation
        return a is not None and a.rank is not None and a.rank != self.result_rank_now


def published_run(term: Term) -> AllocationRun | None:
    return (
        AllocationRun.objects.filter(term=term, published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .first()
    )


def choice_page(*, student: Student, term: Term) -> ChoicePage:
    """Six queries: windows, the child's enrolment and class in the term's
    school year (one query), clubs with demand, choices, published run, the
    child's allocation in it. Window and clubs follow that year's class and
    grade (``ClassMembership``), not the latest class, which after a
    rollover is next year's. A child without an approved featured-day
    application sees the window as closed to them, with the reason
    (``not_enrolled_message``)."""
    windows = list(windows_of(term))
    class_id, year_grade, enrolled = (
        with_year_class(Student.objects.filter(pk=student.pk), school_year=term.school_year_id)
        .annotate(enrolled=Exists(enrolled_applications(term).filter(student=OuterRef("pk"))))
        .values_list("year_class_id", "year_class_grade", "enrolled")
        .get()
    )
    # A child without a class that year (who cannot be enrolled) is shown
    # the clubs of its latest grade.
    grade = year_grade if year_grade is not None else student.school_class.grade
    window = window_for(
        student=student, term=term, windows=windows, year_class=(class_id, year_grade)
    )
    if enrolled:
        status = window_status(window)
    else:
        status = WindowStatus(window, is_open=False, message=not_enrolled_message(student))
    clubs = [c for c in clubs_with_demand(term) if c.is_open_to_grade(grade)]
    rows = []
    for ch in ClubChoice.objects.filter(student=student, term=term).select_related("club"):
        rows.append(ChoiceRow(ch.rank, ch.club_name, ch.club, choice_is_valid(ch, grade)))
    run = published_run(term)
    allocation = None
    if run is not None:
        allocation = (
            Allocation.objects.filter(run=run, student=student)
            .select_related("club__room", "club__teacher")
            .first()
        )
    now_rank = None
    if allocation is not None and allocation.club_id is not None:
        now_rank = next(
            (r.rank for r in rows if r.club is not None and r.club.pk == allocation.club_id), None
        )
    return ChoicePage(
        student=student,
        term=term,
        status=status,
        clubs=clubs,
        choices=rows,
        invalid=[r for r in rows if not r.valid],
        allocation=allocation,
        published=run,
        result_rank_now=now_rank,
    )


# ---------------------------------------------------------------- reports


def runs_of(term: Term) -> QuerySet[AllocationRun]:
    return AllocationRun.objects.filter(term=term).select_related("created_by")


@dataclass
class ClubLine:
    club: Club
    placed: int = 0
    by_rank: Counter = field(default_factory=Counter)
    waiting: list[Allocation] = field(default_factory=list)

    @property
    def free(self) -> int:
        return max(self.club.capacity - self.placed, 0)

    @property
    def rank_counts(self) -> tuple[int, int, int]:
        """Seats taken by 1st, 2nd and 3rd choices. (Templates cannot read
        ``by_rank``: ``by_rank.1`` looks up the string "1", which a Counter
        with int keys answers with 0.)"""
        return self.by_rank[1], self.by_rank[2], self.by_rank[3]


@dataclass
class RunReport:
    run: AllocationRun
    clubs: list[ClubLine]
    unplaced: list[Allocation]
    changes: list[AllocationChange]

    @property
    def unplaced_priority(self) -> int:
        return sum(1 for a in self.unplaced if a.is_priority)


def run_report(run: AllocationRun) -> RunReport:
    """Per club: seats taken by rank got, free seats and the waiting list (see
    ``services.waiting_order`` for its order); who got none; the changes since.
    Three queries: clubs, allocations with students, changes."""
    clubs = list(Club.objects.filter(term_id=run.term_id).select_related("teacher", "room"))
    lines = {c.pk: ClubLine(c) for c in clubs}
    unplaced: list[Allocation] = []
    allocations = list(
        Allocation.objects.filter(run=run).select_related("student__school_class", "club")
    )
    for a in allocations:
        if a.state == AllocationState.PLACED and a.club_id in lines:
            lines[a.club_id].placed += 1
            lines[a.club_id].by_rank[a.rank] += 1
        elif a.state == AllocationState.UNPLACED:
            unplaced.append(a)
            for cid in a.choices:
                line = lines.get(cid)
                if line and line.club.is_open_to_grade(a.student.school_class.grade):
                    line.waiting.append(a)
    for line in lines.values():
        line.waiting.sort(key=lambda a, pk=line.club.pk: waiting_order(a, pk))
    unplaced.sort(
        key=lambda a: (a.student.school_class.grade, a.student.school_class.number, a.student.name)
    )
    changes = list(
        AllocationChange.objects.filter(allocation__run=run)
        .select_related("allocation__student", "from_club", "to_club", "by")
        .order_by("-at", "-pk")
    )
    return RunReport(run, sorted(lines.values(), key=lambda x: x.club.name), unplaced, changes)


# ---------------------------------------------------------------- rosters


def club_roster(club: Club) -> tuple[AllocationRun | None, list[Allocation]]:
    """The placed students of ``club`` in the term's published run, by class
    then name, with class joined. Two queries."""
    run = published_run(club.term)
    if run is None:
        return None, []
    rows = list(
        Allocation.objects.filter(run=run, club=club, state=AllocationState.PLACED)
        .select_related("student__school_class")
        .order_by(
            "student__school_class__grade",
            "student__school_class__number",
            *class_order("student__"),
        )
    )
    return run, rows


def roster_counts(run: AllocationRun | None) -> dict[int, int]:
    """Placed students per club id in ``run``: one query."""
    if run is None:
        return {}
    return dict(
        Allocation.objects.filter(run=run, state=AllocationState.PLACED)
        .values_list("club_id")
        .annotate(n=Count("pk"))
        .values_list("club_id", "n")
    )


def allocations_by_student(run: AllocationRun | None, student_ids: list[int]) -> dict[int, Club]:
    """The published club of each of ``student_ids`` (for home pages)."""
    if run is None:
        return {}
    out: dict[int, Club] = {}
    for a in Allocation.objects.filter(
        run=run, student_id__in=student_ids, state=AllocationState.PLACED
    ).select_related("club"):
        out[a.student_id] = a.club
    return out


def waiting_list_of(report: RunReport, club: Club) -> list[Allocation]:
    """The waiting list of ``club`` in a report already built."""
    for line in report.clubs:
        if line.club.pk == club.pk:
            return line.waiting
    return []


def group_by_class(rows: list[Allocation]) -> dict[str, list[Allocation]]:
    grouped: dict[str, list[Allocation]] = defaultdict(list)
    for a in rows:
        grouped[a.student.school_class.display_name].append(a)
    return dict(grouped)
