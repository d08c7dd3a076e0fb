"""Club allocation (社团分配): an optimal assignment of students to clubs by
their ranked choices, solved as a min-cost flow with OR-Tools.

No database here: ``allocate()`` takes plain data so tests can compare it
with a brute-force optimum and the benchmark can run it on 3,000 students.

The objective (the product rule "allocation is by rank, not by speed of clicking";
DESIGN.md "Priority"), lexicographic — each level matters more than all the
levels below it together:

1. **Places**: maximise (students placed + priority-group students placed).
   Because the sets of students that can be placed together form a matroid
   (a transversal matroid), some assignment places both the most students and
   the most priority-group students at once, so this sum is maximal exactly
   when both counts are: nobody is left out to make room for a better rank,
   and where a club is oversubscribed a priority child is placed before
   another child.
2. **Priority ranks**: maximise the rank score of priority-group children
   (1st choice = 3, 2nd = 2, 3rd = 1): where a club is oversubscribed, a
   priority child gets their higher choice first.
3. **Satisfaction**: maximise everyone's rank score (3/2/1).
4. **Tie-break**: maximise a sum of small random numbers drawn per
   (student, choice) from ``random.Random(seed)``, students in id order — so
   among equally good assignments the seed decides, and the same seed on the
   same choices gives the same result.

Any optimum of level 1 places every student for whom some ranked club still
has a seat (otherwise placing them would raise the count), which is the
"never unplaced while a ranked club has a seat" rule.

The levels are folded into one integer weight per (student, club) arc with
multipliers sized from the number of students, so the flow is solved once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.graph.python import min_cost_flow

RANK_SCORE = {1: 3, 2: 2, 3: 1}
MAX_RANKS = 3
# OR-Tools' cost scaling multiplies arc costs by the number of nodes; keep the
# largest arc cost times the node count well inside int64.
_COST_LIMIT = 2**62


@dataclass(frozen=True)
class Applicant:
    """One student's input: ``choices`` are club ids, first choice first."""

    id: int
    priority: bool
    choices: tuple[int, ...]


@dataclass
class Outcome:
    """The result: ``placed`` maps student id → (club id, rank 1..3); students
    missing from it got no club. ``score`` is the tuple of the objective's
    levels (places, priority rank score, rank score, tie-break)."""

    placed: dict[int, tuple[int, int]]
    score: tuple[int, int, int, int]
    tie_range: int
    seconds: float
    tie_values: dict[tuple[int, int], int] = field(repr=False)

    def rank_counts(self) -> dict[int, int]:
        counts = dict.fromkeys(RANK_SCORE, 0)
        for _club, rank in self.placed.values():
            counts[rank] += 1
        return counts


def tie_break_values(
    applicants: Sequence[Applicant], seed: int, tie_range: int
) -> dict[tuple[int, int], int]:
    """The seeded random number in ``[0, tie_range)`` of each (student id,
    club id) choice; students in id order, choices in rank order."""
    rng = random.Random(seed)
    values: dict[tuple[int, int], int] = {}
    for a in sorted(applicants, key=lambda a: a.id):
        for club in a.choices:
            values[(a.id, club)] = rng.randrange(tie_range)
    return values


def _multipliers(n: int, tie_range: int) -> tuple[int, int, int, int]:
    """Units of the four levels such that each level outweighs everything below
    it summed over ``n`` students (each student contributes one arc at most)."""
    u4 = 1
    u3 = n * (tie_range - 1) + 1
    u2 = n * (RANK_SCORE[1] * u3 + (tie_range - 1)) + 1
    u1 = n * (RANK_SCORE[1] * u2 + RANK_SCORE[1] * u3 + (tie_range - 1)) + 1
    return u1, u2, u3, u4


def choose_tie_range(n_students: int, n_nodes: int, wanted: int = 1000) -> int:
    """The largest tie-break range ≤ ``wanted`` whose weights still fit OR-Tools'
    int64 costs for this size (1000 for a school of 3,000)."""
    tie_range = wanted
    while tie_range > 1:
        u1, u2, u3, _ = _multipliers(n_students, tie_range)
        biggest = 2 * u1 + RANK_SCORE[1] * (u2 + u3) + tie_range
        if biggest * (n_nodes + 1) < _COST_LIMIT:
            return tie_range
        tie_range //= 2
    raise ValueError("too many students for one allocation")


def score_of(
    applicants: Sequence[Applicant],
    placed: dict[int, tuple[int, int]],
    tie_values: dict[tuple[int, int], int],
) -> tuple[int, int, int, int]:
    """The objective's four levels for an assignment (see the module doc)."""
    by_id = {a.id: a for a in applicants}
    places = pri_score = score = tie = 0
    for sid, (club, rank) in placed.items():
        a = by_id[sid]
        places += 2 if a.priority else 1
        if a.priority:
            pri_score += RANK_SCORE[rank]
        score += RANK_SCORE[rank]
        tie += tie_values[(sid, club)]
    return places, pri_score, score, tie


def allocate(
    applicants: Sequence[Applicant],
    capacities: dict[int, int],
    *,
    seed: int,
    tie_range: int | None = None,
) -> Outcome:
    """Assign each applicant to at most one of their ranked clubs, at most
    ``capacities[club]`` students per club, optimally for the module's
    objective.

    ``applicants``: distinct ids, 1–3 distinct club ids each (clubs missing
    from ``capacities`` are ignored). ``capacities``: free seats per club id.
    ``seed``: any integer; it only decides between equally good assignments.
    Raises ``ValueError`` if the solver does not report an optimum.
    """
    # One function (about 65 lines): the network's arc lists are built, solved
    # and read back together.
    started = time.perf_counter()
    applicants = sorted(applicants, key=lambda a: a.id)
    n = len(applicants)
    clubs = sorted(c for c, cap in capacities.items() if cap > 0)
    n_nodes = n + len(clubs) + 2
    if tie_range is None:
        tie_range = choose_tie_range(max(n, 1), n_nodes)
    ties = tie_break_values(applicants, seed, tie_range)
    if n == 0 or not clubs:
        return Outcome({}, (0, 0, 0, 0), tie_range, time.perf_counter() - started, ties)
    u1, u2, u3, u4 = _multipliers(n, tie_range)

    source, sink = 0, 1
    student_node = {a.id: 2 + i for i, a in enumerate(applicants)}
    club_node = {c: 2 + n + j for j, c in enumerate(clubs)}
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []
    choice_arcs: list[tuple[int, int, int, int]] = []  # (arc index, student, club, rank)

    def arc(t: int, h: int, cap: int, cost: int) -> None:
        tails.append(t)
        heads.append(h)
        caps.append(cap)
        costs.append(cost)

    for a in applicants:
        node = student_node[a.id]
        arc(source, node, 1, 0)
        arc(node, sink, 1, 0)  # unplaced
        for rank, club in enumerate(a.choices[:MAX_RANKS], start=1):
            if club not in club_node:
                continue
            score = RANK_SCORE[rank]
            weight = (
                u1 * (2 if a.priority else 1)
                + u2 * (score if a.priority else 0)
                + u3 * score
                + u4 * ties[(a.id, club)]
            )
            choice_arcs.append((len(tails), a.id, club, rank))
            arc(node, club_node[club], 1, -weight)
    for club in clubs:
        arc(club_node[club], sink, capacities[club], 0)

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise ValueError(f"min-cost flow did not solve: {status}")
    placed: dict[int, tuple[int, int]] = {}
    for index, sid, club, rank in choice_arcs:
        if flow.flow(index) == 1:
            placed[sid] = (club, rank)
    outcome_score = score_of(applicants, placed, ties)
    return Outcome(placed, outcome_score, tie_range, time.perf_counter() - started, ties)
