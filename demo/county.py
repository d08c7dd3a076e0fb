"""The demo county: XX县教体局 owns the demo school and a second, small
school (城关第二小学: two classes of eight, half enrolled, with its
timetable, rota and the rolls of its last service days up to yesterday),
with a supervisor login and the regional platform's API token; plus a week
of published homework (作业公示) in the demo school.

Self-contained and idempotent: everything is found by its natural key
(names, usernames, 学籍号, class + day + subject) and written only when
missing or different; the second school follows the demo school's term
(same name and dates), whatever year the demo runs in.
"""

from __future__ import annotations

import datetime
import random

from afterschool.models import (
    ClassMembership,
    County,
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
from billing.models import FeePolicy
from demo.base import (
    DEMO_PASSWORD,
    DemoLogin,
    DemoSchool,
    demo_password_hash,
    seeded_faker,
    set_roles,
)
from demo.calendar import enter_unknown_years
from demo.scheduling import ROLL_DAYS, build_rolls
from enrollment.models import Application, Status
from overview.county.services import county_token_issue, token_hash
from scheduling.calendar.days import service_days
from scheduling.models import Homework, Session
from scheduling.rota import services as rota

COUNTY_NAME = "XX县教体局"
SECOND_SCHOOL = "城关第二小学"
SUPERVISOR = "county"
SECOND_ADMIN = "cg2_admin"
# The demo's API token (README); a real county gets a random one, shown once.
DEMO_API_TOKEN = "demo-county-token"
SECOND_CLASSES = ((3, 1), (5, 1))
STUDENTS_PER_CLASS = 8
# The second school's staff: a homeroom teacher per class and a 家委会
# volunteer; the rota shares the sessions among the three.
SECOND_STAFF = (
    ("cg2_hr_3_1", Role.HOMEROOM, "周老师"),
    ("cg2_hr_5_1", Role.HOMEROOM, "吴老师"),
    ("cg2_volunteer1", Role.VOLUNTEER, "郑阿姨"),
)
SECOND_HOMEROOMS = ("cg2_hr_3_1", "cg2_hr_5_1")  # of SECOND_CLASSES, in order

# One week of homework of 三年级（2）班 (grade 3: at most 60 written minutes a
# day); Thursday passes the cap so the flag shows.
HOMEWORK_WEEK = [
    [("语文", "抄写生字并组词", True, 20), ("数学", "口算练习一页", True, 20)],
    [("语文", "朗读课文三遍", False, 15), ("数学", "练习册第3页", True, 25)],
    [("英语", "听读单词", False, 10), ("数学", "应用题4道", True, 30)],
    [("语文", "小作文《我的老师》", True, 40), ("数学", "练习册第5页", True, 30)],
    [("科学", "观察植物并记录", False, 20)],
]


def _user(username: str, school: School | None, role: Role, name: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"school": school, "name": name, "password": demo_password_hash(), **extra},
    )
    changed = [
        k for k, v in {"school": school, "name": name, **extra}.items() if getattr(user, k) != v
    ]
    for k in changed:
        setattr(user, k, {"school": school, "name": name, **extra}[k])
    if changed:
        user.save(update_fields=changed)
    set_roles({username: user}, {username: role})
    return user


def build_county(demo: DemoSchool) -> County:
    county, _ = County.objects.get_or_create(name=COUNTY_NAME)
    if demo.school.supervising_county_id != county.pk:
        demo.school.supervising_county = county
        demo.school.save(update_fields=["supervising_county"])
    _user(SUPERVISOR, None, Role.SUPERVISOR, "XX县教体局督导", county=county)
    if county.api_token_hash != token_hash(DEMO_API_TOKEN):
        county_token_issue(county=county, token=DEMO_API_TOKEN)
    return county


def build_second_school(demo: DemoSchool, county: County) -> Term:
    """城关第二小学: its year and term (the demo term's name and dates), fee
    policy, admin, two homeroom teachers and a volunteer, two classes of
    eight students in their own classrooms, half of them enrolled for both
    periods. Returns the school's term."""
    school, _ = School.objects.get_or_create(
        name=SECOND_SCHOOL,
        defaults={"county": demo.school.county, "supervising_county": county},
    )
    if school.supervising_county_id != county.pk:
        school.supervising_county = county
        school.save(update_fields=["supervising_county"])
    if school.fee_document != demo.school.fee_document:
        school.fee_document = demo.school.fee_document
        school.save(update_fields=["fee_document"])
    start = demo.term.school_year.start_year
    year, _ = SchoolYear.objects.get_or_create(school=school, start_year=start)
    term, _ = Term.objects.get_or_create(
        school=school,
        name=demo.term.name,
        defaults={
            "school_year": year,
            "first_day": demo.term.first_day,
            "last_day": demo.term.last_day,
        },
    )
    if (term.first_day, term.last_day) != (demo.term.first_day, demo.term.last_day):
        term.first_day, term.last_day = demo.term.first_day, demo.term.last_day
        term.save(update_fields=["first_day", "last_day"])
    FeePolicy.objects.get_or_create(term=term, school=school)
    admin = _user(SECOND_ADMIN, school, Role.ADMIN, "孙校长")
    staff = {username: _user(username, school, role, name) for username, role, name in SECOND_STAFF}
    for (grade, number), homeroom in zip(SECOND_CLASSES, SECOND_HOMEROOMS, strict=True):
        room, _ = Room.objects.get_or_create(
            school=school,
            name=f"教学楼{grade}{number:02d}",
            defaults={"kind": RoomKind.CLASSROOM, "capacity": 45},
        )
        school_class, _ = SchoolClass.objects.get_or_create(
            school=school,
            school_year=year,
            grade=grade,
            number=number,
            defaults={"room": room, "homeroom_teacher": staff[homeroom]},
        )
        if (school_class.room_id, school_class.homeroom_teacher_id) != (
            room.pk,
            staff[homeroom].pk,
        ):
            school_class.room, school_class.homeroom_teacher = room, staff[homeroom]
            school_class.save(update_fields=["room", "homeroom_teacher"])
        # The class's children by their cohort (the year they started
        # 一年级), so a build for another school year finds the same
        # children one grade up instead of adding new ones.
        birth_year = start - 5 - grade
        fake = seeded_faker(f"county:{birth_year}:{number}")
        # Its own generator, so the children's names stay as they were.
        fake_guardian = seeded_faker(f"county-guardian:{birth_year}:{number}")
        for i in range(STUDENTS_PER_CLASS):
            name = fake.name()
            number_ = f"L130925{birth_year}09010{number}{i:02d}"
            student, _ = Student.objects.get_or_create(
                school=school,
                student_number=number_,
                defaults={
                    "name": name,
                    "gender": "M" if i % 2 else "F",
                    "birth_date": datetime.date(birth_year, 9, 1),
                    "school_class": school_class,
                    "is_left_behind": i == 0,
                },
            )
            if student.school_class_id != school_class.pk:
                student.school_class = school_class  # moved up a grade since
                student.save(update_fields=["school_class"])
            ClassMembership.objects.get_or_create(student=student, school_class=school_class)
            # Each child has a guardian on record (no login yet: reached by
            # SMS or 企业微信 until they activate).
            guardian, _ = Guardian.objects.get_or_create(
                school=school,
                mobile=f"1370{birth_year % 100:02d}{number:02d}{i:03d}",
                defaults={"name": fake_guardian.name()},
            )
            Guardianship.objects.get_or_create(
                student=student, guardian=guardian, defaults={"relation": "母亲"}
            )
            if i % 2 == 0:
                app, _ = Application.objects.get_or_create(
                    student=student,
                    term=term,
                    defaults={
                        "status": Status.APPROVED,
                        "wants_noon": True,
                        "wants_after_school": True,
                        "goes_home_alone": False,
                        "pickup_name": "家长",
                        "reason": "家长下班晚，无人接送",
                        "created_by": admin,
                    },
                )
                if not app.wants_noon:  # built before the school had a noon period
                    app.wants_noon = True
                    app.save(update_fields=["wants_noon"])
    return term


def build_second_timetable(demo: DemoSchool, term: Term) -> None:
    """The second school's sessions (both periods of every service day but
    the featured slot: it has no clubs), its rota (the two homeroom
    teachers and the volunteer) and, when the term is running, the rolls of
    its last ``ROLL_DAYS`` service days up to yesterday (same draws as the
    demo school's). Idempotent: the sessions and rolls are made to match,
    the rota is drawn again only when a session lacks its supervisor."""
    admin = User.objects.get(username=SECOND_ADMIN)
    enter_unknown_years(demo, term.school, admin)
    result = rota.sessions_generate(term=term)
    unassigned = Session.objects.filter(term=term, supervisor__isnull=True).exists()
    if result.created or result.deleted or result.updated or unassigned:
        rota.rota_generate(term=term)
    if not demo.term_running:
        return
    apps = list(
        Application.objects.filter(term=term, status=Status.APPROVED)
        .select_related("student__school_class")
        .order_by("student_id")
    )
    days = sorted(set(Session.objects.filter(term=term).values_list("date", flat=True)))
    past = [d for d in days if d < demo.today][-ROLL_DAYS:]
    rng = random.Random(f"county-rolls:{demo.today:%Y-%m-%d}")
    build_rolls(term, apps, {}, rng, past)


def build_homework(demo: DemoSchool) -> None:
    """The first service week's homework of 三年级（2）班, by its homeroom teacher."""
    school_class = demo.classes[(3, 2)]
    days = service_days(demo.term)[: len(HOMEWORK_WEEK)]
    for day, items in zip(days, HOMEWORK_WEEK, strict=False):
        for subject, content, written, minutes in items:
            wanted = {
                "school": demo.school,
                "content": content,
                "is_written": written,
                "minutes": minutes,
                "set_by": school_class.homeroom_teacher,
            }
            homework, created = Homework.objects.get_or_create(
                school_class=school_class, date=day, subject=subject, defaults=wanted
            )
            # A second run writes nothing unless a row was changed by hand.
            changed = [k for k, v in wanted.items() if getattr(homework, k) != v]
            for k in changed:
                setattr(homework, k, wanted[k])
            if changed:
                homework.save(update_fields=changed)


def build(demo: DemoSchool) -> None:
    """The county, its second school, the supervisor login and the homework week."""
    county = build_county(demo)
    term = build_second_school(demo, county)
    build_second_timetable(demo, term)
    build_homework(demo)
    demo.logins.append(
        DemoLogin(
            "县教体局督导",
            SUPERVISOR,
            DEMO_PASSWORD,
            f"{COUNTY_NAME}：两所学校的汇总数据、专项督查表",
        )
    )
    demo.logins.append(DemoLogin("第二所学校管理员", SECOND_ADMIN, DEMO_PASSWORD, SECOND_SCHOOL))
