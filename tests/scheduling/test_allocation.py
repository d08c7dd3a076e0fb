"""The allocation solver (scheduling/allocation.py) against a brute-force
optimum, and its rules: capacity, priority first, the seed, nobody unplaced
while a ranked club has a seat."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.choice.solver import Applicant, allocate, score_of, tie_break_values


def brute_force(applicants, capacities, seed, tie_range):
    """Every assignment (each student: one of their choices or none) within
    the capacities; the best by the objective's levels."""
    ties = tie_break_values(applicants, seed, tie_range)
    options = [[None, *range(len(a.choices))] for a in applicants]
    best = None
    for pick in itertools.product(*options):
        load: dict[int, int] = {}
        placed = {}
        for a, k in zip(applicants, pick, strict=True):
            if k is None:
                continue
            club = a.choices[k]
            load[club] = load.get(club, 0) + 1
            placed[a.id] = (club, k + 1)
        if any(n > capacities.get(c, 0) for c, n in load.items()):
            continue
        score = score_of(applicants, placed, ties)
        if best is None or score > best:
            best = score
    return best


@st.composite
def small_cases(draw):
    n_clubs = draw(st.integers(1, 3))
    clubs = list(range(100, 100 + n_clubs))
    capacities = {c: draw(st.integers(0, 3)) for c in clubs}
    n = draw(st.integers(1, 7))
    applicants = []
    for i in range(n):
        k = draw(st.integers(1, n_clubs))
        choices = draw(st.permutations(clubs))[:k]
        applicants.append(Applicant(i + 1, draw(st.booleans()), tuple(choices)))
    seed = draw(st.integers(0, 10**6))
    return applicants, capacities, seed


def unplaced_with_free_seat(applicants, capacities, outcome):
    load: dict[int, int] = {}
    for club, _rank in outcome.placed.values():
        load[club] = load.get(club, 0) + 1
    return [
        a.id
        for a in applicants
        if a.id not in outcome.placed
        and any(load.get(c, 0) < capacities.get(c, 0) for c in a.choices)
    ]


class TestOptimality:
    @settings(max_examples=150, deadline=None)
    @given(small_cases())
    def test_matches_brute_force_optimum(self, case):
        applicants, capacities, seed = case
        outcome = allocate(applicants, capacities, seed=seed, tie_range=8)
        assert outcome.score == brute_force(applicants, capacities, seed, 8)

    @settings(max_examples=150, deadline=None)
    @given(small_cases())
    def test_respects_capacity_and_choices(self, case):
        applicants, capacities, seed = case
        outcome = allocate(applicants, capacities, seed=seed)
        load: dict[int, int] = {}
        by_id = {a.id: a for a in applicants}
        for sid, (club, rank) in outcome.placed.items():
            load[club] = load.get(club, 0) + 1
            assert by_id[sid].choices[rank - 1] == club
        for club, n in load.items():
            assert n <= capacities[club]

    @settings(max_examples=150, deadline=None)
    @given(small_cases())
    def test_never_unplaced_while_a_ranked_club_has_a_seat(self, case):
        applicants, capacities, seed = case
        outcome = allocate(applicants, capacities, seed=seed)
        assert unplaced_with_free_seat(applicants, capacities, outcome) == []


class TestPriority:
    def test_priority_child_gets_the_oversubscribed_seat(self):
        # One seat in club 1; three children want only it; the one priority
        # child gets it whatever the seed.
        applicants = [
            Applicant(1, False, (1,)),
            Applicant(2, True, (1,)),
            Applicant(3, False, (1,)),
        ]
        for seed in range(20):
            outcome = allocate(applicants, {1: 1}, seed=seed)
            assert outcome.placed == {2: (1, 1)}

    def test_priority_child_gets_the_higher_choice(self):
        # Both rank club 1 then club 2, one seat each: the priority child
        # gets their first choice.
        applicants = [Applicant(1, False, (1, 2)), Applicant(2, True, (1, 2))]
        for seed in range(20):
            outcome = allocate(applicants, {1: 1, 2: 1}, seed=seed)
            assert outcome.placed == {2: (1, 1), 1: (2, 2)}

    def test_placing_more_children_beats_a_better_rank(self):
        # Child 1 ranks A then B; child 2 ranks only A: both are placed (1 in
        # B) rather than giving child 1 their first choice.
        applicants = [Applicant(1, False, (1, 2)), Applicant(2, False, (1,))]
        outcome = allocate(applicants, {1: 1, 2: 1}, seed=3)
        assert outcome.placed == {1: (2, 2), 2: (1, 1)}


class TestSeed:
    APPLICANTS = [Applicant(i, i % 5 == 0, (1, 2, 3)) for i in range(1, 31)]
    CAPS = {1: 8, 2: 8, 3: 8}

    def test_same_seed_same_result(self):
        a = allocate(self.APPLICANTS, self.CAPS, seed=42)
        b = allocate(list(reversed(self.APPLICANTS)), self.CAPS, seed=42)
        assert a.placed == b.placed

    def test_different_seeds_differ_only_among_ties(self):
        results = [allocate(self.APPLICANTS, self.CAPS, seed=s) for s in range(6)]
        # The objective's first three levels are the same for every seed …
        assert len({r.score[:3] for r in results}) == 1
        # … and the seed does change who gets the tied seats.
        assert len({frozenset(r.placed.items()) for r in results}) > 1

    def test_report_counts(self):
        outcome = allocate(self.APPLICANTS, self.CAPS, seed=1)
        counts = outcome.rank_counts()
        assert counts == {1: 8, 2: 8, 3: 8}
        assert len(outcome.placed) == 24
        # All 6 priority children (ids 5, 10 … 30) are placed, at their first choice.
        assert all(outcome.placed[i] == (1, 1) for i in range(5, 31, 5))


class TestEdges:
    def test_no_applicants_or_no_seats(self):
        assert allocate([], {1: 3}, seed=1).placed == {}
        assert allocate([Applicant(1, False, (1,))], {1: 0}, seed=1).placed == {}

    def test_large_case_is_fast_and_complete(self):
        import random

        rng = random.Random(0)
        applicants = [
            Applicant(i, rng.random() < 0.1, tuple(rng.sample(range(40), 3))) for i in range(3000)
        ]
        outcome = allocate(applicants, dict.fromkeys(range(40), 60), seed=5)
        assert len(outcome.placed) == 2400  # every seat filled
        assert unplaced_with_free_seat(applicants, dict.fromkeys(range(40), 60), outcome) == []
