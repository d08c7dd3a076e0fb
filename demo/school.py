"""The demo school 阳光实验小学 (XX县): realistic data for every page.

``load_demo()`` builds, in order: the school, the 2024 school year and its
autumn term, rooms of every kind, staff (admins, 24 homeroom teachers, club
and subject teachers, volunteers) and the ``root`` superuser, 24 classes,
about 1,080 students with their guardians (about 5% of students share a
guardian with a sibling), and activated logins for two demo families.

Deterministic and idempotent: every step draws from its own seeded random
stream (so adding a step later does not reshuffle the others) and writes by
natural key (school name, username, 学籍号, mobile …), creating what is
missing and updating in place what differs. A second run writes no row.

Later issues extend the demo by adding a ``build_<thing>(demo)`` step and
calling it from ``load_demo``.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from faker import Faker
from faker.providers.ssn.zh_CN import Provider as ChineseSsnProvider

from afterschool.idnumbers import id_check_char
from afterschool.models import (
    GRADE_NAMES,
    Gender,
    Guardian,
    Guardianship,
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
from afterschool.services import role_groups_ensure, user_set_role

SEED = "sunshine-2024"
DEMO_PASSWORD = "demo12345"
# A fixed salt makes the demo password's hash the same on every run, so a
# second run writes nothing; the password itself is public (README).
_DEMO_SALT = "demo-school-salt"

SCHOOL_NAME = "阳光实验小学"
COUNTY = "XX县"
START_YEAR = 2024
TERM_NAME = "2024年秋季学期"
TERM_FIRST_DAY = datetime.date(2024, 9, 2)
TERM_LAST_DAY = datetime.date(2025, 1, 17)

GRADES = range(1, 7)
CLASSES_PER_GRADE = 4
CLASS_SIZE = (42, 48)
# Students born in XX县 carry a real county's area code so numbers look right.
LOCAL_AREA_CODE = "130925"

# Rates of the priority groups and boarding among students (the seed's 一.3).
MIGRANT_RATE = 0.08
LEFT_BEHIND_RATE = 0.05
DISABLED_RATE = 0.01
HARDSHIP_RATE = 0.03
BOARDER_RATE = 0.03
SIBLING_RATE = 0.05

# The two demo families log in with these mobiles (fixed so the README holds).
SIBLINGS_GUARDIAN_MOBILE = "13800138001"
SINGLE_CHILD_GUARDIAN_MOBILE = "13800138002"
# Where their children sit: (grade, class number).
SIBLINGS_CLASSES = ((3, 2), (1, 3))
SINGLE_CHILD_CLASS = (3, 2)

# Mainland mobile prefixes in use (1[3-9]…), for guardians' numbers.
MOBILE_PREFIXES = tuple(
    [f"13{d}" for d in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159", "166"]
    + ["173", "175", "176", "177", "178", "191", "193", "195", "198", "199"]
    + [f"18{d}" for d in range(10)]
)

# Given names of children born 2012–2018 (Faker's lists lean to their grandparents).
BOY_NAME_PARTS = ("子浩宇俊梓博一明嘉睿思天泽晨皓奕铭逸", "轩然航熙豪文诺杰宸阳辰宁涛凯琛昊瑞")
GIRL_NAME_PARTS = ("梓欣雨思一子诗语可紫佳若梦芷依雅", "涵怡桐萱诺琪彤晴瑶妍琳菲萌璐悦蕾")


@dataclass(frozen=True)
class DemoLogin:
    """One printed demo login: role label, username, password, what to try."""

    role: str
    username: str
    password: str
    hint: str


@dataclass
class DemoSchool:
    """What ``load_demo`` built, for the command's report and for later steps."""

    school: School
    school_year: SchoolYear | None = None
    term: Term | None = None
    rooms: dict[str, Room] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    classes: dict[tuple[int, int], SchoolClass] = field(default_factory=dict)
    students: list[Student] = field(default_factory=list)
    guardians: dict[str, Guardian] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def _rng(step: str) -> random.Random:
    """The seeded random stream of one build step."""
    return random.Random(f"{SEED}:{step}")


def _faker(step: str) -> Faker:
    fake = Faker("zh_CN")
    fake.seed_instance(f"{SEED}:{step}")
    return fake


def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD, salt=_DEMO_SALT)


def _sync(
    model: type[models.Model],
    existing: Iterable[models.Model],
    wanted: Sequence[models.Model],
    *,
    key: Sequence[str],
    fields: Sequence[str],
) -> dict[tuple, models.Model]:
    """Make the rows ``wanted`` exist: create those whose natural ``key`` is not
    among ``existing``, update ``fields`` of those that differ, leave the rest.

    Returns ``{key tuple: saved row}`` for every wanted row, with primary keys.
    """

    def key_of(obj):
        return tuple(getattr(obj, k) for k in key)

    attnames = [model._meta.get_field(f).attname for f in fields]
    by_key = {key_of(obj): obj for obj in existing}
    to_create, to_update = [], []
    for obj in wanted:
        current = by_key.get(key_of(obj))
        if current is None:
            to_create.append(obj)
            continue
        # Compare foreign keys by id (``school_id``), not by fetching the row.
        changed = [a for a in attnames if getattr(current, a) != getattr(obj, a)]
        for a in changed:
            setattr(current, a, getattr(obj, a))
        if changed:
            to_update.append(current)
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, list(fields), batch_size=500)
    # SQLite >= 3.35 and PostgreSQL return the new ids from a bulk insert.
    assert all(obj.pk is not None for obj in to_create)
    for obj in to_create:
        by_key[key_of(obj)] = obj
    return {key_of(obj): by_key[key_of(obj)] for obj in wanted}


# --- the school, its year and term ------------------------------------------------


FEE_DOCUMENT = "X教发【2024】X号"


def build_school() -> DemoSchool:
    """阳光实验小学 of XX县 (created or refreshed by name)."""
    (school,) = _sync(
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
    return DemoSchool(school=school)


def build_school_year(demo: DemoSchool) -> None:
    """School year 2024—2025 and its autumn term 2024-09-02 … 2025-01-17."""
    demo.school_year, _ = SchoolYear.objects.get_or_create(
        school=demo.school, start_year=START_YEAR
    )
    (demo.term,) = _sync(
        Term,
        Term.objects.filter(school=demo.school, name=TERM_NAME),
        [
            Term(
                school=demo.school,
                school_year=demo.school_year,
                name=TERM_NAME,
                first_day=TERM_FIRST_DAY,
                last_day=TERM_LAST_DAY,
            )
        ],
        key=("name",),
        fields=("school_year", "first_day", "last_day"),
    ).values()


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
    synced = _sync(
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
    fake = _faker("staff")
    password = _demo_password_hash()
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
    synced = _sync(
        User,
        User.objects.filter(username__in=[u.username for u in wanted]),
        wanted,
        key=("username",),
        fields=("name", "school", "password", "is_active", "is_staff", "is_superuser"),
    )
    demo.staff = {username: user for (username,), user in synced.items()}
    role_groups_ensure()
    _set_roles({u: demo.staff[u] for u, _, _ in people}, {u: r for u, r, _ in people})


def _set_roles(users: dict[str, User], roles: dict[str, Role]) -> None:
    """``user_set_role`` for each user not already in the role and its group."""
    role_group = {str(r.label): r.value for r in Role}
    in_group = set(
        User.groups.through.objects.filter(
            user_id__in=[u.pk for u in users.values()], group__name__in=role_group
        ).values_list("user_id", "group__name")
    )
    for username, user in users.items():
        role = roles[username]
        if user.role != role or (user.pk, str(role.label)) not in in_group:
            user_set_role(user=user, role=role)


# --- classes ------------------------------------------------------------------------


def build_classes(demo: DemoSchool) -> None:
    """一年级（1）班 … 六年级（4）班, each with its homeroom teacher and classroom."""
    wanted = [
        SchoolClass(
            school=demo.school,
            school_year=demo.school_year,
            grade=g,
            number=n,
            homeroom_teacher=demo.staff[homeroom_username(g, n)],
            room=demo.rooms[classroom_name(g, n)],
        )
        for g in GRADES
        for n in range(1, CLASSES_PER_GRADE + 1)
    ]
    synced = _sync(
        SchoolClass,
        SchoolClass.objects.filter(school_year=demo.school_year),
        wanted,
        key=("grade", "number"),
        fields=("homeroom_teacher", "room"),
    )
    demo.classes = dict(synced)


# --- students and guardians ---------------------------------------------------------


@dataclass
class _Family:
    guardian_name: str
    relation: str
    mobile: str = ""
    is_migrant: bool = False
    is_left_behind: bool = False
    is_hardship: bool = False


@dataclass
class _Child:
    grade: int
    number: int
    surname: str
    given_name: str
    gender: str
    birth_date: datetime.date
    family: _Family
    is_boarder: bool = False
    is_disabled: bool = False
    id_number: str = ""

    @property
    def name(self) -> str:
        return self.surname + self.given_name


def birth_date_range(
    grade: int, start_year: int = START_YEAR
) -> tuple[datetime.date, datetime.date]:
    """Children start grade 1 in the September after they turn six: for the
    2024 year grade 1 was born 2017-09-01 … 2018-08-31."""
    last_year = start_year - 6 - (grade - 1)
    return datetime.date(last_year - 1, 9, 1), datetime.date(last_year, 8, 31)


def _child_given_name(rng: random.Random, fake: Faker, gender: str) -> str:
    if rng.random() < 0.1:
        return fake.first_name_male() if gender == Gender.MALE else fake.first_name_female()
    first, second = BOY_NAME_PARTS if gender == Gender.MALE else GIRL_NAME_PARTS
    a = rng.choice(first)
    b = rng.choice(second.replace(a, ""))
    return a + b if rng.random() < 0.85 else b


def _new_family(rng: random.Random, fake: Faker, surname: str) -> _Family:
    relation = rng.choices(["母亲", "父亲", "祖母", "祖父", "外祖母"], weights=[50, 35, 8, 4, 3])[0]
    if relation in {"父亲", "祖父"}:
        name = surname + fake.first_name_male()
    else:
        name = fake.last_name() + fake.first_name_female()
    return _Family(guardian_name=name, relation=relation)


def _draw_children(demo: DemoSchool) -> list[_Child]:
    """Every class's students: sizes 42–48, names, genders, birth dates, a
    family each (siblings are joined later)."""
    children = []
    for grade, number in demo.classes:
        rng = _rng(f"class:{grade}:{number}")
        fake = _faker(f"class:{grade}:{number}")
        first, last = birth_date_range(grade)
        span = (last - first).days
        for _ in range(rng.randint(*CLASS_SIZE)):
            gender = Gender.MALE if rng.random() < 0.52 else Gender.FEMALE
            surname = fake.last_name()
            children.append(
                _Child(
                    grade=grade,
                    number=number,
                    surname=surname,
                    given_name=_child_given_name(rng, fake, gender),
                    gender=gender,
                    birth_date=first + datetime.timedelta(days=rng.randint(0, span)),
                    family=_new_family(rng, fake, surname),
                )
            )
    return children


def _join_siblings(children: list[_Child]) -> None:
    """About ``SIBLING_RATE`` of students share a guardian with a brother or
    sister in a lower grade; the two demo families are placed by hand."""
    rng = _rng("siblings")
    by_class: dict[tuple[int, int], list[_Child]] = {}
    for child in children:
        by_class.setdefault((child.grade, child.number), []).append(child)

    def join(older: _Child, younger: _Child) -> None:
        younger.family = older.family
        younger.surname = older.surname

    # Demo family 1: a child in 三年级（2）班 and one in 一年级（3）班.
    older, younger = (by_class[c][0] for c in SIBLINGS_CLASSES)
    join(older, younger)
    older.family.mobile = SIBLINGS_GUARDIAN_MOBILE
    # Demo family 2: an only child in 三年级（2）班.
    by_class[SINGLE_CHILD_CLASS][1].family.mobile = SINGLE_CHILD_GUARDIAN_MOBILE

    taken = {id(by_class[c][i]) for c, i in ((SIBLINGS_CLASSES[0], 0), (SIBLINGS_CLASSES[1], 0))}
    taken.add(id(by_class[SINGLE_CHILD_CLASS][1]))
    pairs = round(len(children) * SIBLING_RATE / 2) - 1
    while pairs > 0:
        older, younger = rng.sample(children, 2)
        if older.grade <= younger.grade or {id(older), id(younger)} & taken:
            continue
        join(older, younger)
        taken |= {id(older), id(younger)}
        pairs -= 1


def _draw_flags(children: list[_Child]) -> None:
    """Priority groups per family (migrant and left-behind exclude each other;
    a left-behind child lives with grandparents), disability and boarding per
    child. Boarders are in grades 3–6, more often left-behind children."""
    rng = _rng("flags")
    fake = _faker("flags")
    seen: set[int] = set()
    for child in children:
        family = child.family
        if id(family) not in seen:
            seen.add(id(family))
            roll = rng.random()
            family.is_migrant = roll < MIGRANT_RATE
            family.is_left_behind = MIGRANT_RATE <= roll < MIGRANT_RATE + LEFT_BEHIND_RATE
            family.is_hardship = rng.random() < HARDSHIP_RATE
            if family.is_left_behind and family.relation in {"母亲", "父亲"}:
                family.relation = rng.choices(["祖母", "祖父", "外祖母"], weights=[5, 3, 2])[0]
                family.guardian_name = (
                    child.surname + fake.first_name_male()
                    if family.relation == "祖父"
                    else fake.last_name() + fake.first_name_female()
                )
        child.is_disabled = rng.random() < DISABLED_RATE
        if child.grade >= 3:
            # Grades 3–6 are two-thirds of the school and left-behind children
            # board five times as often: overall about BOARDER_RATE.
            chance = BOARDER_RATE * 1.25 * (5 if family.is_left_behind else 1)
            child.is_boarder = rng.random() < chance


def _draw_id_numbers(children: list[_Child]) -> None:
    """18-digit ID numbers: birthplace area code (XX县, or elsewhere for a
    migrant child), the birth date, a sequence whose last digit is odd for
    boys and even for girls, and the GB 11643 check character."""
    rng = _rng("ids")
    elsewhere = [
        code
        for code in ChineseSsnProvider.area_codes
        if code[:2] < "70" and code[4:] not in {"00", "01"} and code != LOCAL_AREA_CODE
    ]
    used: set[str] = set()
    for child in children:
        area = rng.choice(elsewhere) if child.family.is_migrant else LOCAL_AREA_CODE
        while True:
            seq = rng.randrange(0, 1000)
            if (seq % 2 == 1) != (child.gender == Gender.MALE):
                seq = (seq + 1) % 1000
            first17 = f"{area}{child.birth_date:%Y%m%d}{seq:03d}"
            id_number = first17 + id_check_char(first17)
            if id_number not in used:
                break
        used.add(id_number)
        child.id_number = id_number


def _draw_mobiles(children: list[_Child]) -> None:
    rng = _rng("mobiles")
    used = {SIBLINGS_GUARDIAN_MOBILE, SINGLE_CHILD_GUARDIAN_MOBILE}
    for child in children:
        family = child.family
        if family.mobile:
            continue
        while True:
            mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if mobile not in used:
                break
        used.add(mobile)
        family.mobile = mobile


def build_students(demo: DemoSchool) -> None:
    """About 1,080 students (学籍号 = "G" + ID number) with one guardian each,
    siblings sharing theirs, and a guardian login (username = mobile) for
    every guardian: not yet activated (unusable password), except the two
    demo families, who log in with the demo password."""
    children = _draw_children(demo)
    _join_siblings(children)
    _draw_flags(children)
    _draw_id_numbers(children)
    _draw_mobiles(children)

    families: dict[str, _Family] = {}
    for child in children:
        families.setdefault(child.family.mobile, child.family)

    # Guardian logins. A not-yet-activated account gets an unusable password
    # once; its activation letter (roster import) sets the real one.
    demo_mobiles = {SIBLINGS_GUARDIAN_MOBILE, SINGLE_CHILD_GUARDIAN_MOBILE}
    password = _demo_password_hash()
    existing_users = {u.username: u for u in User.objects.filter(username__in=list(families))}
    wanted_users = []
    for mobile, family in families.items():
        if mobile in demo_mobiles:
            user_password = password
        elif mobile in existing_users:
            user_password = existing_users[mobile].password
        else:
            user_password = make_password(None)
        wanted_users.append(
            User(
                username=mobile,
                name=family.guardian_name,
                mobile=mobile,
                password=user_password,
                is_active=True,
            )
        )
    users = _sync(
        User,
        existing_users.values(),
        wanted_users,
        key=("username",),
        fields=("name", "mobile", "password"),
    )
    _set_roles(
        {mobile: user for (mobile,), user in users.items()},
        dict.fromkeys(families, Role.GUARDIAN),
    )

    guardians = _sync(
        Guardian,
        Guardian.objects.filter(school=demo.school),
        [
            Guardian(
                school=demo.school,
                name=family.guardian_name,
                mobile=mobile,
                user=users[(mobile,)],
            )
            for mobile, family in families.items()
        ],
        key=("mobile",),
        fields=("name", "user"),
    )
    demo.guardians = {mobile: g for (mobile,), g in guardians.items()}

    students = _sync(
        Student,
        Student.objects.filter(school=demo.school),
        [
            Student(
                school=demo.school,
                student_number="G" + child.id_number,
                name=child.name,
                gender=child.gender,
                birth_date=child.birth_date,
                id_number=child.id_number,
                school_class=demo.classes[(child.grade, child.number)],
                is_boarder=child.is_boarder,
                is_migrant_child=child.family.is_migrant,
                is_left_behind=child.family.is_left_behind,
                is_disabled=child.is_disabled,
                is_financial_hardship=child.family.is_hardship,
            )
            for child in children
        ],
        key=("student_number",),
        fields=(
            "name",
            "gender",
            "birth_date",
            "id_number",
            "school_class",
            "is_boarder",
            "is_migrant_child",
            "is_left_behind",
            "is_disabled",
            "is_financial_hardship",
        ),
    )
    demo.students = list(students.values())

    _sync(
        Guardianship,
        Guardianship.objects.filter(student__school=demo.school),
        [
            Guardianship(
                student=students[("G" + child.id_number,)],
                guardian=demo.guardians[child.family.mobile],
                relation=child.family.relation,
            )
            for child in children
        ],
        key=("student_id", "guardian_id"),
        fields=("relation",),
    )


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
def load_demo() -> DemoSchool:
    """Build or refresh the demo school; returns what was built, with logins.

    One transaction: a failure leaves the database as it was.
    """
    demo = build_school()
    build_school_year(demo)
    build_rooms(demo)
    build_staff(demo)
    build_classes(demo)
    build_students(demo)
    build_logins(demo)
    return demo
