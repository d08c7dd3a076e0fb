"""Small builders for test data. Plain functions, real database rows."""

from __future__ import annotations

import datetime
import itertools

from afterschool.idnumbers import id_check_char
from afterschool.models import (
    ClassMembership,
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
from afterschool.services import user_set_role

_seq = itertools.count(1)
PASSWORD = "pw-for-tests-1"


def make_id_number(birth: datetime.date, seq: int, area: str = "130925") -> str:
    first17 = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def make_school(name: str | None = None) -> School:
    return School.objects.create(name=name or f"测试学校{next(_seq)}")


def make_year(school: School, start_year: int = 2024) -> SchoolYear:
    year, _ = SchoolYear.objects.get_or_create(school=school, start_year=start_year)
    return year


def make_term(school: School, start_year: int = 2024) -> Term:
    year = make_year(school, start_year)
    term, _ = Term.objects.get_or_create(
        school=school,
        name=f"{start_year}年秋季学期",
        defaults={
            "school_year": year,
            "first_day": datetime.date(start_year, 9, 2),
            "last_day": datetime.date(start_year + 1, 1, 17),
        },
    )
    return term


def make_user(school: School | None, role: Role, username: str | None = None, **extra) -> User:
    user = User.objects.create_user(
        username=username or f"user{next(_seq)}",
        password=PASSWORD,
        school=school,
        name=extra.pop("name", "测试用户"),
        **extra,
    )
    user_set_role(user=user, role=role)
    return user


def make_room(
    school: School, name: str | None = None, kind: RoomKind = RoomKind.CLASSROOM, capacity: int = 50
) -> Room:
    return Room.objects.create(
        school=school, name=name or f"教室{next(_seq)}", kind=kind, capacity=capacity
    )


def make_class(
    school: School,
    grade: int = 3,
    number: int = 1,
    homeroom_teacher: User | None = None,
    start_year: int = 2024,
) -> SchoolClass:
    return SchoolClass.objects.create(
        school=school,
        school_year=make_year(school, start_year),
        grade=grade,
        number=number,
        homeroom_teacher=homeroom_teacher,
    )


def make_student(school_class: SchoolClass, name: str = "张小明", **extra) -> Student:
    n = next(_seq)
    birth = extra.pop("birth_date", datetime.date(2016, 5, 1))
    id_number = make_id_number(birth, n)
    student = Student.objects.create(
        school=school_class.school,
        school_class=school_class,
        student_number=extra.pop("student_number", f"G{id_number}"),
        name=name,
        gender=extra.pop("gender", "M"),
        birth_date=birth,
        id_number=extra.pop("id_number", id_number),
        **extra,
    )
    # A student's class in its year is a membership row (as the roster
    # import writes it); ``school_class`` is only the latest pointer.
    ClassMembership.objects.create(student=student, school_class=school_class)
    return student


def make_guardian(
    student: Student, name: str = "张伟", mobile: str | None = None, with_login: bool = True
) -> Guardian:
    mobile = mobile or f"139{next(_seq):08d}"
    user = None
    if with_login:
        user = make_user(None, Role.GUARDIAN, username=mobile, name=name, mobile=mobile)
    guardian, _ = Guardian.objects.get_or_create(
        school=student.school, mobile=mobile, defaults={"name": name, "user": user}
    )
    Guardianship.objects.get_or_create(
        student=student, guardian=guardian, defaults={"relation": "父亲"}
    )
    return guardian
