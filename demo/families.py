"""The demo school's students and their guardians (``build_students``).

About 1,080 students in classes of 42–48, each with a guardian (about 5% of
students share theirs with a sibling in a lower grade), the priority groups
and boarding at the seed's rates (一.3), valid ID numbers and mobiles, and a
guardian login for every family: not yet activated, except the two demo
families, who log in with the demo password.

Every child is drawn by its identity — the year it started 一年级, its class
number, its place in the class — from streams of its own, never from the
year being built: 三年级（2）班 of 2026 is 四年级（2）班 of 2027, with the same
name, ID number and family. So a database built for another school year
gets the same children moved up a grade (and the new 一年级), never a second
school of them.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from faker import Faker
from faker.providers.ssn.zh_CN import Provider as ChineseSsnProvider

from afterschool.idnumbers import id_check_char
from afterschool.models import Gender, Guardian, Guardianship, Role, Student, User
from demo.base import (
    CLASSES_PER_GRADE,
    GRADES,
    DemoSchool,
    demo_password_hash,
    seeded_faker,
    seeded_rng,
    set_roles,
    sync,
)

CLASS_SIZE = (42, 48)
# Students born in XX县 carry a real county's area code so numbers look right.
LOCAL_AREA_CODE = "130925"

# Rates of the priority groups and boarding among students (the seed's 一.3).
MIGRANT_RATE = 0.08
LEFT_BEHIND_RATE = 0.05
DISABLED_RATE = 0.01
HARDSHIP_RATE = 0.03
BOARDER_RATE = 0.03
# Share of children with an older brother or sister at the school (about
# half of them still there at the same time: ~5% of students share a guardian).
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
    # The child the family was drawn for (cohort, class number, index): its
    # own random streams (flags, mobile) are seeded by it.
    key: tuple
    guardian_name: str
    relation: str
    mobile: str = ""
    is_migrant: bool = False
    is_left_behind: bool = False
    is_hardship: bool = False


@dataclass
class _Child:
    """One child of the demo school by its identity: ``cohort`` (the year it
    started 一年级), its class ``number`` (classes keep their number as they
    move up) and its ``index`` in the class. The same identity is the same
    child in every school year the demo is built for."""

    cohort: int
    number: int
    index: int
    surname: str
    given_name: str
    gender: str
    birth_date: datetime.date
    family: _Family
    grade: int = 0  # in the class it sits in for this build (set when placed)
    graduate: bool = False  # 六年级 of the previous school year, gone since
    is_boarder: bool = False
    is_disabled: bool = False
    id_number: str = ""

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.cohort, self.number, self.index)

    @property
    def name(self) -> str:
        return self.surname + self.given_name


def birth_date_range(grade: int, start_year: int) -> tuple[datetime.date, datetime.date]:
    """Children start grade 1 in the September after they turn six: for the
    2024 year grade 1 was born 2017-09-01 … 2018-08-31."""
    last_year = start_year - 6 - (grade - 1)
    return datetime.date(last_year - 1, 9, 1), datetime.date(last_year, 8, 31)


def cohort_of(grade: int, start_year: int) -> int:
    """The year the children of ``grade`` in the school year ``start_year``
    started 一年级 (三年级 of 2026 started in 2024)."""
    return start_year - grade + 1


def _child_given_name(rng: random.Random, fake: Faker, gender: str) -> str:
    if rng.random() < 0.1:
        return fake.first_name_male() if gender == Gender.MALE else fake.first_name_female()
    first, second = BOY_NAME_PARTS if gender == Gender.MALE else GIRL_NAME_PARTS
    a = rng.choice(first)
    b = rng.choice(second.replace(a, ""))
    return a + b if rng.random() < 0.85 else b


def _new_family(rng: random.Random, fake: Faker, surname: str, key: tuple) -> _Family:
    relation = rng.choices(["母亲", "父亲", "祖母", "祖父", "外祖母"], weights=[50, 35, 8, 4, 3])[0]
    if relation in {"父亲", "祖父"}:
        name = surname + fake.first_name_male()
    else:
        name = fake.last_name() + fake.first_name_female()
    return _Family(key=key, guardian_name=name, relation=relation)


def _draw_class(cohort: int, number: int) -> list[_Child]:
    """The children of class ``number`` of the ``cohort`` (one seeded stream
    per cohort and class, whatever the year built): 42–48 of them, names,
    genders, birth dates and the family each was born into."""
    rng = seeded_rng(f"cohort:{cohort}:{number}")
    fake = seeded_faker(f"cohort:{cohort}:{number}")
    first, last = birth_date_range(1, cohort)
    span = (last - first).days
    children = []
    for index in range(rng.randint(*CLASS_SIZE)):
        gender = Gender.MALE if rng.random() < 0.52 else Gender.FEMALE
        surname = fake.last_name()
        children.append(
            _Child(
                cohort=cohort,
                number=number,
                index=index,
                surname=surname,
                given_name=_child_given_name(rng, fake, gender),
                gender=gender,
                birth_date=first + datetime.timedelta(days=rng.randint(0, span)),
                family=_new_family(rng, fake, surname, (cohort, number, index)),
            )
        )
    return children


class _Cohorts:
    """Classes of any cohort, drawn once on demand (an older sibling may be
    in a cohort that has left the school or is not built this year)."""

    def __init__(self) -> None:
        self._classes: dict[tuple[int, int], list[_Child]] = {}

    def klass(self, cohort: int, number: int) -> list[_Child]:
        if (cohort, number) not in self._classes:
            self._classes[(cohort, number)] = _draw_class(cohort, number)
        return self._classes[(cohort, number)]

    def child(self, key: tuple[int, int, int]) -> _Child:
        return self.klass(key[0], key[1])[key[2]]

    def root(self, child: _Child) -> _Child:
        """The eldest of ``child``'s brothers and sisters (``_older_sibling``
        followed up), ``child`` itself when it has none: whose family and
        surname the children share."""
        while (older := _older_sibling(child.key)) is not None:
            child = self.child(older)
        return child


def _older_sibling(key: tuple[int, int, int]) -> tuple[int, int, int] | None:
    """The identity of ``key``'s older brother or sister at the school, if
    any: about ``SIBLING_RATE`` of children have one, one to five years
    ahead, in any class. Drawn from the child's own stream, so the family
    ties are the same in every year built."""
    rng = seeded_rng(f"sibling:{key[0]}:{key[1]}:{key[2]}")
    if rng.random() >= SIBLING_RATE:
        return None
    years_ahead = rng.randint(1, 5)
    number = rng.randint(1, CLASSES_PER_GRADE)
    return (key[0] - years_ahead, number, rng.randrange(CLASS_SIZE[0]))


def _draw_children(demo: DemoSchool, cohorts: _Cohorts) -> list[_Child]:
    """The children of this build, each placed in its class: every class of
    the school year shown (its cohort's class of that number), and, when the
    previous term is in the previous school year, that year's 六年级, who
    have graduated since. Siblings share the eldest's family and surname."""
    year = demo.school_year.start_year
    children = []
    for grade, number in sorted(demo.classes):
        for child in cohorts.klass(cohort_of(grade, year), number):
            child.grade = grade
            children.append(child)
    if demo.previous_classes:
        for grade, number in sorted(demo.previous_classes):
            if grade != max(GRADES):
                continue
            for child in cohorts.klass(cohort_of(grade, year - 1), number):
                child.grade, child.graduate = grade, True
                children.append(child)
    for child in children:
        root = cohorts.root(child)
        child.family, child.surname = root.family, root.surname
    return children


def _set_demo_families(children: list[_Child]) -> None:
    """The two demo families, placed by hand in the year shown: a child in
    三年级（2）班 and one in 一年级（3）班 share 13800138001; the second child
    of 三年级（2）班 is 13800138002's only child. Each gets a family of its
    own, so no drawn sibling joins it."""
    by_class: dict[tuple[int, int], list[_Child]] = {}
    for child in children:
        if not child.graduate:
            by_class.setdefault((child.grade, child.number), []).append(child)
    older, younger = (by_class[c][0] for c in SIBLINGS_CLASSES)
    family = dataclasses.replace(older.family, mobile=SIBLINGS_GUARDIAN_MOBILE)
    older.family = younger.family = family
    younger.surname = older.surname
    only = by_class[SINGLE_CHILD_CLASS][1]
    only.family = dataclasses.replace(only.family, mobile=SINGLE_CHILD_GUARDIAN_MOBILE)


def _draw_flags(children: list[_Child]) -> None:
    """Priority groups per family (migrant and left-behind exclude each other;
    a left-behind child lives with grandparents), disability and boarding per
    child, each from the family's or child's own stream. Boarders are in
    grades 3–6, more often left-behind children."""
    families = {id(c.family): c.family for c in children}
    surnames = {}
    for child in children:
        surnames.setdefault(id(child.family), child.surname)
    for family in sorted(families.values(), key=lambda f: (f.key, f.mobile)):
        rng = seeded_rng(f"flags:{family.key}")
        fake = seeded_faker(f"flags:{family.key}")
        roll = rng.random()
        family.is_migrant = roll < MIGRANT_RATE
        family.is_left_behind = MIGRANT_RATE <= roll < MIGRANT_RATE + LEFT_BEHIND_RATE
        family.is_hardship = rng.random() < HARDSHIP_RATE
        if family.is_left_behind and family.relation in {"母亲", "父亲"}:
            family.relation = rng.choices(["祖母", "祖父", "外祖母"], weights=[5, 3, 2])[0]
            family.guardian_name = (
                surnames[id(family)] + fake.first_name_male()
                if family.relation == "祖父"
                else fake.last_name() + fake.first_name_female()
            )
    for child in children:
        rng = seeded_rng(f"child:{child.key}")
        child.is_disabled = rng.random() < DISABLED_RATE
        # Grades 3–6 are two-thirds of the school and left-behind children
        # board five times as often: overall about BOARDER_RATE.
        chance = BOARDER_RATE * 1.25 * (5 if child.family.is_left_behind else 1)
        child.is_boarder = rng.random() < chance and child.grade >= 3


def _draw_id_numbers(children: list[_Child], cohorts: _Cohorts) -> None:
    """18-digit ID numbers: birthplace area code (XX县, or elsewhere for a
    child of a migrant family), the birth date, a sequence whose last digit
    is odd for boys and even for girls, and the GB 11643 check character.
    Drawn from the child's own stream and its birth family (not a demo
    family placed by hand), so its 学籍号 is the same in every year built; a
    clash (same birthday) is settled in identity order within the cohort."""
    elsewhere = [
        code
        for code in ChineseSsnProvider.area_codes
        if code[:2] < "70" and code[4:] not in {"00", "01"} and code != LOCAL_AREA_CODE
    ]
    used: set[str] = set()
    for child in sorted(children, key=lambda c: c.key):
        rng = seeded_rng(f"id:{child.key}")
        born_into = cohorts.root(child).family
        # The flags of the birth family: drawn as _draw_flags draws them.
        migrant = seeded_rng(f"flags:{born_into.key}").random() < MIGRANT_RATE
        area = rng.choice(elsewhere) if migrant else LOCAL_AREA_CODE
        seq = rng.randrange(0, 1000)
        if (seq % 2 == 1) != (child.gender == Gender.MALE):
            seq = (seq + 1) % 1000
        while True:
            first17 = f"{area}{child.birth_date:%Y%m%d}{seq:03d}"
            id_number = first17 + id_check_char(first17)
            if id_number not in used:
                break
            seq = (seq + 2) % 1000
        used.add(id_number)
        child.id_number = id_number


def _draw_mobiles(children: list[_Child]) -> None:
    """A mobile per family from the family's own stream (the demo families
    keep theirs); a clash draws again."""
    used = {SIBLINGS_GUARDIAN_MOBILE, SINGLE_CHILD_GUARDIAN_MOBILE}
    families = {id(c.family): c.family for c in children}
    for family in sorted(families.values(), key=lambda f: (f.key, f.mobile)):
        if family.mobile:
            continue
        rng = seeded_rng(f"mobile:{family.key}")
        while True:
            mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if mobile not in used:
                break
        used.add(mobile)
        family.mobile = mobile


def build_students(demo: DemoSchool) -> None:
    """About 1,080 students (学籍号 = "G" + ID number) in the classes of the
    year shown, and, when the previous term is in the previous school year,
    that year's 六年级 (graduated since; their latest class stays theirs),
    with one guardian each, siblings sharing theirs, and a guardian login
    (username = mobile) for every guardian: not yet activated (unusable
    password), except the two demo families, who log in with the demo
    password.

    A child is the same child in every school year built (``_Child``): a
    database built for another school year keeps its students, who move up
    a class, and only the new 一年级 is added. Each child's guardians are
    exactly the ones drawn (a demo family's child of an earlier build goes
    back to its own family)."""
    cohorts = _Cohorts()
    children = _draw_children(demo, cohorts)
    _set_demo_families(children)
    _draw_flags(children)
    _draw_id_numbers(children, cohorts)
    _draw_mobiles(children)

    families: dict[str, _Family] = {}
    for child in children:
        families.setdefault(child.family.mobile, child.family)

    users = _sync_guardian_logins(families)
    _sync_guardians(demo, families, users)
    students = _sync_students(demo, children)
    demo.students = [students[("G" + c.id_number,)] for c in children if not c.graduate]
    wanted = [
        Guardianship(
            student=students[("G" + child.id_number,)],
            guardian=demo.guardians[child.family.mobile],
            relation=child.family.relation,
        )
        for child in children
    ]
    existing = list(Guardianship.objects.filter(student__school=demo.school))
    drawn = {g.student_id for g in wanted}
    keep = {(g.student_id, g.guardian_id) for g in wanted}
    stale = [
        g.pk
        for g in existing
        if g.student_id in drawn and (g.student_id, g.guardian_id) not in keep
    ]
    if stale:
        Guardianship.objects.filter(pk__in=stale).delete()
    sync(
        Guardianship,
        [g for g in existing if g.pk not in set(stale)],
        wanted,
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
                school_class=(demo.previous_classes if child.graduate else demo.classes)[
                    (child.grade, child.number)
                ],
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
