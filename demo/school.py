"""The demo school 阳光实验小学 (XX县) and its people: the first step of ``load_demo``.

``load_school(today)`` builds, in order: the school, the terms around
``today`` (``demo.base.demo_terms``: the term running today or, in a holiday,
the coming one, and the one before it) with their school years, rooms of
every kind, staff (admins, 24 homeroom teachers, club and subject teachers,
volunteers) and the ``root`` superuser, 24 classes (and the previous term's
school year's 24 when it is the year before), about 1,080 students with their
guardians (``demo.families``; plus last year's graduated 六年级 then), and the
logins the command prints.

Deterministic and idempotent: every step draws from its own seeded random
stream (so adding a step later does not reshuffle the others) and writes by
natural key (school name, username, 学籍号, mobile …) through
``demo.base.sync``, creating what is missing and updating in place what
differs. A second run writes no row.

The later apps' steps (``demo.enrollment``, ``demo.scheduling``,
``demo.clubs``, ``demo.billing``) run after this one: ``demo.load.load_demo``.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from afterschool.models import (
    GRADE_NAMES,
    Role,
    Room,
    RoomKind,
    School,
    SchoolClass,
    SchoolYear,
    Term,
    User,
)
from afterschool.services import role_groups_ensure
from demo.base import (
    CLASSES_PER_GRADE,
    DEMO_PASSWORD,
    GRADES,
    DemoLogin,
    DemoSchool,
    TermSpan,
    demo_password_hash,
    demo_terms,
    demo_today,
    seeded_faker,
    set_roles,
    sync,
)
from demo.families import (
    SIBLINGS_GUARDIAN_MOBILE,
    SINGLE_CHILD_GUARDIAN_MOBILE,
    build_students,
)

SCHOOL_NAME = "阳光实验小学"
COUNTY = "XX县"


# --- the school, its year and term ------------------------------------------------


FEE_DOCUMENT = "X教发【2024】X号"


def build_school(today: datetime.date) -> DemoSchool:
    """阳光实验小学 of XX县 (created or refreshed by name), built around ``today``."""
    (school,) = sync(
        School,
        School.objects.filter(name=SCHOOL_NAME),
        [
            School(
                name=SCHOOL_NAME,
                short_name="阳光实小",
                county=COUNTY,
                address="XX县城关镇阳光路88号",
                phone="0317-6123456",
                # The county's fee document (seed 一.7); letters and agreements quote it.
                fee_document=FEE_DOCUMENT,
            )
        ],
        key=("name",),
        fields=("short_name", "county", "address", "phone", "fee_document"),
    ).values()
    return DemoSchool(school=school, today=today)


def _sync_term(demo: DemoSchool, span: TermSpan) -> Term:
    school_year, _ = SchoolYear.objects.get_or_create(
        school=demo.school, start_year=span.start_year
    )
    (term,) = sync(
        Term,
        Term.objects.filter(school=demo.school, name=span.name),
        [
            Term(
                school=demo.school,
                school_year=school_year,
                name=span.name,
                first_day=span.first_day,
                last_day=span.last_day,
            )
        ],
        key=("name",),
        fields=("school_year", "first_day", "last_day"),
    ).values()
    return term


def build_school_year(demo: DemoSchool) -> None:
    """The term shown on ``demo.today`` and the one before, with their school
    years (``demo.base.demo_terms``): on 2026-12-02, autumn 2026
    (2026-09-07 … 2027-01-22, school year 2026—2027) after spring 2026."""
    terms = demo_terms(demo.today)
    demo.previous_term = _sync_term(demo, terms.previous)
    demo.term = _sync_term(demo, terms.shown)
    demo.school_year = demo.term.school_year
    demo.previous_school_year = demo.previous_term.school_year
    demo.term_running = terms.running


# --- rooms --------------------------------------------------------------------------


def classroom_name(grade: int, number: int) -> str:
    """Grades 1–3 in the east building, 4–6 in the west; floor = grade within
    the building (primary teaching buildings have at most four floors)."""
    building = "东教学楼" if grade <= 3 else "西教学楼"
    floor = grade if grade <= 3 else grade - 3
    return f"{building}{floor}{number:02d}"


SPECIAL_ROOMS: tuple[tuple[str, RoomKind, int], ...] = (
    ("图书室", RoomKind.LIBRARY, 60),
    ("阅览室", RoomKind.READING_ROOM, 50),
    ("田径操场", RoomKind.PLAYGROUND, 400),
    ("篮球场", RoomKind.PLAYGROUND, 120),
    ("室内体育馆", RoomKind.GYM, 150),
    ("音乐教室一", RoomKind.MUSIC, 50),
    ("音乐教室二", RoomKind.MUSIC, 50),
    ("美术教室一", RoomKind.ART, 48),
    ("美术教室二", RoomKind.ART, 48),
    ("书法教室", RoomKind.FUNCTION_ROOM, 48),
    ("舞蹈教室", RoomKind.FUNCTION_ROOM, 40),
    ("科学实验室", RoomKind.FUNCTION_ROOM, 48),
    ("计算机教室", RoomKind.FUNCTION_ROOM, 50),
    ("多功能厅", RoomKind.FUNCTION_ROOM, 200),
)


def build_rooms(demo: DemoSchool) -> None:
    """24 classrooms (one per class) and the special rooms, every RoomKind."""
    wanted = [
        Room(school=demo.school, name=classroom_name(g, n), kind=RoomKind.CLASSROOM, capacity=50)
        for g in GRADES
        for n in range(1, CLASSES_PER_GRADE + 1)
    ]
    wanted += [
        Room(school=demo.school, name=name, kind=kind, capacity=capacity)
        for name, kind, capacity in SPECIAL_ROOMS
    ]
    synced = sync(
        Room,
        Room.objects.filter(school=demo.school),
        wanted,
        key=("name",),
        fields=("kind", "capacity"),
    )
    demo.rooms = {name: room for (name,), room in synced.items()}


# --- staff --------------------------------------------------------------------------

# What teacher1, teacher2 … teach: the clubs of later steps go by this.
TEACHER_SUBJECTS = (
    "体育",
    "体育",
    "音乐",
    "音乐",
    "美术",
    "美术",
    "书法",
    "舞蹈",
    "科学",
    "信息技术",
    "英语",
    "心理健康",
)
VOLUNTEER_COUNT = 5


def homeroom_username(grade: int, number: int) -> str:
    return f"hr_{grade}_{number}"


def build_staff(demo: DemoSchool) -> None:
    """Two school admins, a homeroom teacher per class (hr_<grade>_<number>),
    twelve club and subject teachers (teacher1…), five volunteers of the
    parent committee and community (volunteer1…) and the ``root`` superuser.

    Every staff login has the demo password. Roles via ``user_set_role``.
    """
    people = _draw_staff()
    password = demo_password_hash()
    wanted = [
        User(
            username=username,
            name=name,
            school=demo.school,
            role=role,
            password=password,
            is_active=True,
        )
        for username, role, name in people
    ]
    wanted.append(
        User(
            username="root",
            name="系统管理员",
            school=None,
            role="",
            password=password,
            is_active=True,
            is_staff=True,
            is_superuser=True,
        )
    )
    synced = sync(
        User,
        User.objects.filter(username__in=[u.username for u in wanted]),
        wanted,
        key=("username",),
        fields=("name", "school", "password", "is_active", "is_staff", "is_superuser"),
    )
    demo.staff = {username: user for (username,), user in synced.items()}
    role_groups_ensure()
    set_roles({u: demo.staff[u] for u, _, _ in people}, {u: r for u, r, _ in people})


def _draw_staff() -> list[tuple[str, Role, str]]:
    """(username, role, name) of every staff member but root; no name twice."""
    fake = seeded_faker("staff")
    used_names: set[str] = set()

    def unique_name(make) -> str:
        while (name := make()) in used_names:
            pass
        used_names.add(name)
        return name

    people: list[tuple[str, Role, str]] = [
        ("admin", Role.ADMIN, unique_name(fake.name)),
        ("admin2", Role.ADMIN, unique_name(fake.name)),
    ]
    for g in GRADES:
        for n in range(1, CLASSES_PER_GRADE + 1):
            # Most primary homeroom teachers are women.
            make = fake.name_female if fake.random.random() < 0.8 else fake.name_male
            people.append((homeroom_username(g, n), Role.HOMEROOM, unique_name(make)))
    for i in range(1, len(TEACHER_SUBJECTS) + 1):
        people.append((f"teacher{i}", Role.TEACHER, unique_name(fake.name)))
    for i in range(1, VOLUNTEER_COUNT + 1):
        people.append((f"volunteer{i}", Role.VOLUNTEER, unique_name(fake.name)))
    return people


# --- classes ------------------------------------------------------------------------


def _sync_classes(demo: DemoSchool, year: SchoolYear) -> dict[tuple[int, int], SchoolClass]:
    wanted = [
        SchoolClass(
            school=demo.school,
            school_year=year,
            grade=g,
            number=n,
            homeroom_teacher=demo.staff[homeroom_username(g, n)],
            room=demo.rooms[classroom_name(g, n)],
        )
        for g in GRADES
        for n in range(1, CLASSES_PER_GRADE + 1)
    ]
    return dict(
        sync(
            SchoolClass,
            SchoolClass.objects.filter(school_year=year),
            wanted,
            key=("grade", "number"),
            fields=("homeroom_teacher", "room"),
        )
    )


def build_classes(demo: DemoSchool) -> None:
    """一年级（1）班 … 六年级（4）班, each with its homeroom teacher and
    classroom; the same classes in the previous term's school year when it
    is the year before (the school rolled over in between: the children
    moved up a class, the teachers and rooms stayed with their grade)."""
    demo.classes = _sync_classes(demo, demo.school_year)
    demo.previous_classes = {}
    if demo.previous_school_year != demo.school_year:
        demo.previous_classes = _sync_classes(demo, demo.previous_school_year)


# --- the printed logins -------------------------------------------------------------


def build_logins(demo: DemoSchool) -> None:
    """The logins the command prints and the README lists."""
    siblings = demo.guardians[SIBLINGS_GUARDIAN_MOBILE]
    single = demo.guardians[SINGLE_CHILD_GUARDIAN_MOBILE]
    hr = homeroom_username(3, 2)
    demo.logins = [
        DemoLogin("学校管理员", "admin", DEMO_PASSWORD, "导入名册、管理班级、学生和场地"),
        DemoLogin(
            "班主任",
            hr,
            DEMO_PASSWORD,
            f"{GRADE_NAMES[3]}（2）班的学生和家长；其他班主任为 hr_<年级>_<班号>",
        ),
        DemoLogin(
            "教师", "teacher1", DEMO_PASSWORD, f"{TEACHER_SUBJECTS[0]}教师：社团和课后服务看护"
        ),
        DemoLogin("志愿者", "volunteer1", DEMO_PASSWORD, "家委会志愿者看护"),
        DemoLogin(
            "家长（两个孩子）",
            siblings.mobile,
            DEMO_PASSWORD,
            f"{siblings.name}：两个孩子，三年级和一年级",
        ),
        DemoLogin(
            "家长（一个孩子）", single.mobile, DEMO_PASSWORD, f"{single.name}：孩子在三年级（2）班"
        ),
        DemoLogin("后台超级用户", "root", DEMO_PASSWORD, "Django 后台 /admin/"),
    ]


@transaction.atomic
def load_school(today: datetime.date | None = None) -> DemoSchool:
    """Build or refresh the demo school and its people around ``today``
    (``demo.base.demo_today``: ``DEMO_TODAY`` or the local date when None);
    returns what was built, with logins (the later apps' steps are not run).

    One transaction: a failure leaves the database as it was.
    """
    demo = build_school(demo_today(today))
    build_school_year(demo)
    build_rooms(demo)
    build_staff(demo)
    build_classes(demo)
    build_students(demo)
    build_logins(demo)
    return demo
