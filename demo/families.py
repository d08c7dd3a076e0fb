"""The demo school's students and their guardians (``build_students``).

About 1,080 students in classes of 42–48, each with a guardian (about 5% of
students share theirs with a sibling in a lower grade), the priority groups
and boarding at the seed's rates (一.3), valid ID numbers and mobiles, and a
guardian login for every family: not yet activated, except the two demo
families, who log in with the demo password.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from faker import Faker
from faker.providers.ssn.zh_CN import Provider as ChineseSsnProvider

from afterschool.idnumbers import id_check_char
from afterschool.models import Gender, Guardian, Guardianship, Role, Student, User
from demo.base import DemoSchool, demo_password_hash, seeded_faker, seeded_rng, set_roles, sync

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


def birth_date_range(grade: int, start_year: int) -> tuple[datetime.date, datetime.date]:
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
        rng = seeded_rng(f"class:{grade}:{number}")
        fake = seeded_faker(f"class:{grade}:{number}")
        first, last = birth_date_range(grade, demo.school_year.start_year)
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
    rng = seeded_rng("siblings")
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
    rng = seeded_rng("flags")
    fake = seeded_faker("flags")
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
    rng = seeded_rng("ids")
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
    rng = seeded_rng("mobiles")
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

    users = _sync_guardian_logins(families)
    _sync_guardians(demo, families, users)
    students = _sync_students(demo, children)
    demo.students = list(students.values())
    sync(
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


def _sync_guardian_logins(families: dict[str, _Family]) -> dict[tuple, User]:
    """A guardian login per family (username = mobile), in the guardian role.

    A not-yet-activated account gets an unusable password once; its
    activation letter (roster import) sets the real one.
    """
    demo_mobiles = {SIBLINGS_GUARDIAN_MOBILE, SINGLE_CHILD_GUARDIAN_MOBILE}
    password = demo_password_hash()
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
    users = sync(
        User,
        existing_users.values(),
        wanted_users,
        key=("username",),
        fields=("name", "mobile", "password"),
    )
    set_roles(
        {mobile: user for (mobile,), user in users.items()},
        dict.fromkeys(families, Role.GUARDIAN),
    )
    return users


def _sync_guardians(
    demo: DemoSchool, families: dict[str, _Family], users: dict[tuple, User]
) -> None:
    guardians = sync(
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


def _sync_students(demo: DemoSchool, children: list[_Child]) -> dict[tuple, Student]:
    return sync(
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
