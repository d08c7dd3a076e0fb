"""Benchmark: allocate 3,000 students × 40 clubs × 3 ranks (the allocation's
speed target in BENCHMARKS.md).

Run from the project folder:

    .venv/bin/python bench/allocation.py                    # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/allocation.py

Data (seeded): 3,000 students, 10% in a priority group, each ranking 3
distinct clubs of 40 drawn by a skewed popularity (weight 1/(k+1)^0.8, so a
few clubs are wanted by many); capacities 55–85 seats, 2,800 in total (fewer
seats than students, as in a real school).

Measured in the same run, best of ``--rounds``:

- baseline — first come, first served (FCFS): students in a random arrival
  order each take their highest-ranked club that still has a seat (what a
  "click fastest" sign-up does);
- solver — ``scheduling.choice.solver.allocate`` (OR-Tools min-cost flow, the
  optimal assignment for the documented objective);
- full run — ``scheduling.choice.services.allocation_run`` on a throwaway test
  database: read applications and choices, solve, write the run and 3,000
  allocation rows.

Prints seconds (and ratios to the baseline) and satisfaction for both
methods: share placed at their 1st/2nd/3rd choice or none, total score
(3/2/1), priority-group children placed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afterschool.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from scheduling.choice.solver import RANK_SCORE, Applicant, allocate  # noqa: E402

STUDENTS, CLUBS, RANKS, SEATS = 3000, 40, 3, 2800


def make_data(seed: int = 2024) -> tuple[list[Applicant], dict[int, int]]:
    rng = random.Random(seed)
    weights = [1 / (k + 1) ** 0.8 for k in range(CLUBS)]
    applicants = []
    for i in range(STUDENTS):
        picks: list[int] = []
        while len(picks) < RANKS:
            club = rng.choices(range(CLUBS), weights=weights)[0]
            if club not in picks:
                picks.append(club)
        applicants.append(Applicant(i + 1, rng.random() < 0.10, tuple(picks)))
    caps = [rng.randint(55, 85) for _ in range(CLUBS)]
    # Scale to exactly SEATS seats in total.
    scale = SEATS / sum(caps)
    caps = [max(1, round(c * scale)) for c in caps]
    caps[0] += SEATS - sum(caps)
    return applicants, dict(enumerate(caps))


def fcfs(applicants, capacities, seed: int) -> dict[int, tuple[int, int]]:
    """First come, first served in a random arrival order."""
    order = list(applicants)
    random.Random(seed).shuffle(order)
    free = dict(capacities)
    placed = {}
    for a in order:
        for rank, club in enumerate(a.choices, start=1):
            if free.get(club, 0) > 0:
                free[club] -= 1
                placed[a.id] = (club, rank)
                break
    return placed


def figures(applicants, placed) -> dict[str, float]:
    n = len(applicants)
    counts = dict.fromkeys(RANK_SCORE, 0)
    for _club, rank in placed.values():
        counts[rank] += 1
    priority = [a for a in applicants if a.priority]
    return {
        "1st": counts[1] / n,
        "2nd": counts[2] / n,
        "3rd": counts[3] / n,
        "none": (n - len(placed)) / n,
        "score": sum(RANK_SCORE[r] for _c, r in placed.values()),
        "priority": f"{sum(1 for a in priority if a.id in placed)}/{len(priority)}",
        "priority_first": sum(1 for a in priority if placed.get(a.id, (0, 0))[1] == 1),
    }


def best(fn, rounds: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def full_run(applicants, capacities, rounds: int) -> float:
    """``allocation_run`` on a throwaway database with the same data."""
    from afterschool.models import (
        Role,
        Room,
        RoomKind,
        School,
        SchoolClass,
        SchoolYear,
        Student,
        Term,
        User,
    )
    from enrollment.models import Application, Status
    from scheduling.choice.services import allocation_run
    from scheduling.models import Club, ClubChoice

    school = School.objects.create(name="基准小学")
    year = SchoolYear.objects.create(school=school, start_year=2024)
    term = Term.objects.create(
        school=school,
        school_year=year,
        name="2024年秋季学期",
        first_day="2024-09-02",
        last_day="2025-01-17",
    )
    admin = User.objects.create(username="bench_admin", school=school, role=Role.ADMIN)
    classes = [
        SchoolClass.objects.create(school=school, school_year=year, grade=g, number=n)
        for g in range(1, 7)
        for n in range(1, 10)
    ]
    students = Student.objects.bulk_create(
        Student(
            school=school,
            school_class=classes[i % len(classes)],
            student_number=f"G{i:07d}",
            name=f"学生{i}",
            gender="M",
            is_migrant_child=a.priority,
        )
        for i, a in enumerate(applicants)
    )
    sid = {a.id: s.pk for a, s in zip(applicants, students, strict=True)}
    Application.objects.bulk_create(
        Application(
            student=s,
            term=term,
            status=Status.APPROVED,
            wants_featured_day=True,
            goes_home_alone=True,
            reason="基准",
            created_by=admin,
        )
        for s in students
    )
    clubs = {}
    for k, cap in capacities.items():
        room = Room.objects.create(school=school, name=f"场地{k}", kind=RoomKind.GYM, capacity=200)
        teacher = User.objects.create(username=f"bench_t{k}", school=school, role=Role.TEACHER)
        clubs[k] = Club.objects.create(
            school=school,
            term=term,
            name=f"社团{k}",
            category="other",
            min_grade=1,
            max_grade=6,
            capacity=cap,
            teacher=teacher,
            room=room,
            weekday=3,
            period="after",
        )
    ClubChoice.objects.bulk_create(
        (
            ClubChoice(
                student_id=sid[a.id],
                term=term,
                club=clubs[c],
                club_name=clubs[c].name,
                rank=r,
            )
            for a in applicants
            for r, c in enumerate(a.choices, start=1)
        ),
        batch_size=2000,
    )
    t, run = best(lambda: allocation_run(term=term, seed=1, by=admin), rounds)
    assert run.students == STUDENTS, run.students
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    applicants, capacities = make_data()

    t_base, base = best(lambda: fcfs(applicants, capacities, seed=1), args.rounds)
    t_solve, outcome = best(lambda: allocate(applicants, capacities, seed=1), args.rounds)

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bench-alloc-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        t_full = full_run(applicants, capacities, args.rounds)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if connection.vendor == "sqlite":
            shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"database: {connection.vendor}; {STUDENTS} students × {CLUBS} clubs × {RANKS} ranks, "
        f"{sum(capacities.values())} seats; best of {args.rounds} rounds"
    )
    print(f"baseline FCFS:        {t_base:.3f} s (1.0×)")
    print(f"solver (min-cost flow): {t_solve:.3f} s ({t_solve / t_base:.1f}× baseline)")
    print(f"full allocation_run:  {t_full:.3f} s ({t_full / t_base:.1f}× baseline)")
    print("| method | 1st | 2nd | 3rd | none | score | priority placed | priority at 1st |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, placed in (("FCFS baseline", base), ("optimal", outcome.placed)):
        fig = figures(applicants, placed)
        print(
            f"| {name} | {fig['1st']:.1%} | {fig['2nd']:.1%} | {fig['3rd']:.1%} | "
            f"{fig['none']:.1%} | {fig['score']} | {fig['priority']} | {fig['priority_first']} |"
        )


if __name__ == "__main__":
    main()
