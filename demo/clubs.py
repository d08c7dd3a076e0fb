"""Demo step: the demo school's clubs, selection windows, ranked choices and a
published allocation (the seed's 一.4(2): a weekly 特色课后服务日 of clubs the
students choose).

Which to show (a fixed rule, so a date always builds the same demo): while the
term is running and its first week is over, the grade windows of the first
week are closed and their allocation is published, and 三年级（2）班 (the demo
families' class) has a late window open now (from two days before the demo's
today to five days after) so the choice form can be tried; in a holiday, or
in the term's first week, the coming term's windows are open now and no
allocation has run yet.

``build(demo)`` is idempotent and deterministic: clubs are created through
``scheduling.clubs.services.club_save`` (so the room and clash rules hold) only when
missing; choices are drawn from a seeded stream for enrolled students who have
none yet; the allocation runs once with ``DEMO_SEED`` and is published.
Enrolled = an approved application with the featured day (``choice.
enrolled_applications``); without any (enrollment's demo step not loaded) the
clubs and windows are still built and the step prints a note.
"""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from afterschool.models import SchoolClass
from scheduling.choice.services import allocation_publish, allocation_run, enrolled_applications
from scheduling.clubs.services import club_save
from scheduling.models import AllocationRun, ChoiceWindow, Club, ClubCategory, ClubChoice
from scheduling.models import WindowScope as Scope

DEMO_SEED = 20240905
TZ = ZoneInfo("Asia/Shanghai")
CHOOSE_RATE = 0.9  # share of enrolled families who rank clubs

# name, category, grades, capacity, teacher username, room name, popularity
CLUBS: tuple[tuple[str, str, tuple[int, int], int, str, str, int], ...] = (
    ("足球社", ClubCategory.SPORTS, (3, 6), 40, "teacher1", "田径操场", 9),
    ("篮球社", ClubCategory.SPORTS, (4, 6), 30, "teacher2", "篮球场", 7),
    ("乒乓球社", ClubCategory.SPORTS, (2, 6), 30, "volunteer1", "室内体育馆", 6),
    ("合唱团", ClubCategory.MUSIC, (2, 6), 45, "teacher3", "音乐教室一", 4),
    ("舞蹈社", ClubCategory.DANCE, (1, 4), 30, "teacher8", "音乐教室二", 7),
    ("创意美术", ClubCategory.ART, (1, 3), 40, "teacher5", "美术教室一", 6),
    ("国画社", ClubCategory.ART, (4, 6), 40, "teacher6", "美术教室二", 4),
    ("软笔书法", ClubCategory.CALLIGRAPHY, (3, 6), 40, "teacher7", "书法教室", 3),
    ("硬笔书法", ClubCategory.CALLIGRAPHY, (1, 3), 40, "hr_1_1", "东教学楼101", 3),
    ("绘本阅读", ClubCategory.READING, (1, 2), 45, "volunteer2", "图书室", 5),
    ("经典诵读", ClubCategory.READING, (3, 6), 40, "hr_3_1", "阅览室", 2),
    ("科学小实验", ClubCategory.SCIENCE, (3, 6), 40, "teacher9", "科学实验室", 8),
    ("编程入门", ClubCategory.SCIENCE, (4, 6), 40, "teacher10", "计算机教室", 9),
    ("航模社", ClubCategory.SCIENCE, (4, 6), 30, "hr_4_1", "舞蹈教室", 6),
    ("戏剧社", ClubCategory.OTHER, (3, 6), 40, "teacher11", "西教学楼101", 4),
    ("心理游戏", ClubCategory.OTHER, (1, 3), 40, "teacher12", "东教学楼102", 3),
    ("围棋社", ClubCategory.OTHER, (2, 6), 40, "volunteer3", "多功能厅", 4),
    ("剪纸社", ClubCategory.ART, (2, 5), 40, "hr_2_1", "东教学楼201", 3),
    ("折纸社", ClubCategory.ART, (1, 2), 40, "volunteer4", "东教学楼103", 4),
    ("魔方益智", ClubCategory.OTHER, (3, 6), 40, "hr_5_1", "西教学楼102", 3),
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def build_clubs(demo) -> dict[str, Club]:
    """The 20 clubs of ``CLUBS`` on the term's featured day, created when missing."""
    term = demo.term
    existing = {c.name: c for c in Club.objects.filter(term=term)}
    for name, category, (lo, hi), cap, teacher, room, _pop in CLUBS:
        if name in existing:
            continue
        existing[name] = club_save(
            term=term,
            name=name,
            category=category,
            min_grade=lo,
            max_grade=hi,
            capacity=cap,
            teacher=demo.staff[teacher],
            room=demo.rooms[room],
            description=f"{name}：每周一次，特色课后服务日开展。",
        )
    return existing


def allocation_shown(demo) -> bool:
    """The module docstring's rule: the term is running and its first week
    (the grade windows) is over on the demo's today."""
    return demo.term_running and demo.today > demo.term.first_day + datetime.timedelta(days=5)


def build_windows(demo) -> None:
    """Grades 3–6 choose in the first week; grades 1–2 a day later (their
    letters go home later); 三年级（2）班 (the demo families' class) has its own
    window open now (module docstring). In a holiday the grade windows opened
    two days before the demo's today."""
    term = demo.term
    start = term.first_day
    if not allocation_shown(demo):
        start = min(start, demo.today - datetime.timedelta(days=2))
    wanted = [
        (Scope.GRADE, g, None, _at(start, 8), _at(start + datetime.timedelta(days=4), 20))
        for g in (3, 4, 5, 6)
    ] + [
        (
            Scope.GRADE,
            g,
            None,
            _at(start + datetime.timedelta(days=1), 8),
            _at(start + datetime.timedelta(days=5), 20),
        )
        for g in (1, 2)
    ]
    demo_class = SchoolClass.objects.filter(school_year=demo.school_year, grade=3, number=2).first()
    if demo_class is not None:
        wanted.append(
            (
                Scope.CLASS,
                None,
                demo_class,
                _at(demo.today - datetime.timedelta(days=2), 8),
                _at(demo.today + datetime.timedelta(days=5), 20),
            )
        )
    have = {
        (w.scope, w.grade, w.school_class_id): w for w in ChoiceWindow.objects.filter(term=term)
    }
    new, changed = [], []
    for s, g, c, o, e in wanted:
        window = have.get((s, g, c.pk if c else None))
        if window is None:
            new.append(
                ChoiceWindow(term=term, scope=s, grade=g, school_class=c, opens_at=o, closes_at=e)
            )
        elif (window.opens_at, window.closes_at) != (o, e):
            window.opens_at, window.closes_at = o, e
            changed.append(window)
    ChoiceWindow.objects.bulk_create(new)
    if changed:
        ChoiceWindow.objects.bulk_update(changed, ["opens_at", "closes_at"])


def build_choices(demo, clubs: dict[str, Club]) -> int:
    """Ranked choices for about 90% of enrolled students who have none yet,
    drawn by club popularity among the clubs open to their grade."""
    term = demo.term
    rng = random.Random(f"sunshine-2024:club-choices:{term.pk}")
    popularity = {name: pop for name, *_rest, pop in CLUBS}
    students = [
        a.student
        for a in enrolled_applications(term)
        .select_related("student__school_class")
        .order_by("student__student_number")
    ]
    chosen = set(
        ClubChoice.objects.filter(term=term).values_list("student_id", flat=True).distinct()
    )
    rows = []
    for student in students:
        # Draw for everyone (same stream whatever was already written).
        grade = student.school_class.grade
        open_clubs = [c for c in clubs.values() if c.is_open_to_grade(grade)]
        takes = rng.random() < CHOOSE_RATE
        how_many = rng.choice((1, 2, 3, 3, 3))
        picks: list[Club] = []
        pool = sorted(open_clubs, key=lambda c: c.name)
        while pool and len(picks) < how_many:
            club = rng.choices(pool, weights=[popularity.get(c.name, 1) for c in pool])[0]
            picks.append(club)
            pool.remove(club)
        if not takes or student.pk in chosen:
            continue
        rows += [
            ClubChoice(student=student, term=term, club=c, club_name=c.name, rank=r)
            for r, c in enumerate(picks, start=1)
        ]
    ClubChoice.objects.bulk_create(rows)
    return len(students)


def build(demo) -> None:
    """Clubs, windows, choices and a published allocation for the demo term."""
    if demo.term is None:
        return
    clubs = build_clubs(demo)
    build_windows(demo)
    enrolled = build_choices(demo, clubs)
    if not enrolled:
        print("社团演示：尚无获批参加特色课后服务日的学生，未生成志愿与分配结果。")
        return
    if (
        allocation_shown(demo)
        and not AllocationRun.objects.filter(term=demo.term, seed=DEMO_SEED).exists()
    ):
        run = allocation_run(term=demo.term, seed=DEMO_SEED, by=demo.staff.get("admin"))
        allocation_publish(run=run)
