"""A small school with known figures for the dashboard and county tests.

Per class of ``per_class`` students (a multiple of 4), student i answers the
survey: i % 4 == 0 参加 (and is school-approved), 1 不参加, 2 未决定, 3 no
answer. The first student of each class is a migrant child (优先保障) and
signed the agreement. The term's first week has two after-school sessions
per class (Mon 2024-09-02, Tue 2024-09-03): the first approved child is
present at both, every other approved child is absent on Tuesday. Each
approved child has a September statement: charge 23.00, waiver −3.00, total
20.00; the first child of each class paid 10.00. Each class has its own
supervising teacher; one club (capacity 10, its own teacher):
the first approved child of each class placed, the others waiting.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from afterschool.models import Role, School, SchoolClass, Student, Term, User
from billing.models import FeeLine, FeeStatement, LineKind, Payment, PaymentKind, PaymentMethod
from enrollment.models import (
    Agreement,
    AgreementTemplate,
    Application,
    Status,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from scheduling.models import (
    Allocation,
    AllocationRun,
    AllocationState,
    Attendance,
    AttendanceStatus,
    Club,
    ClubCategory,
    Period,
    Session,
)
from tests import factories as f

MON = datetime.date(2024, 9, 2)
TUE = datetime.date(2024, 9, 3)
ANSWERS = [SurveyAnswer.JOIN, SurveyAnswer.DECLINE, SurveyAnswer.UNDECIDED, None]


@dataclass
class Built:
    school: School
    term: Term
    admin: User
    classes: list[SchoolClass]
    students: list[Student] = field(default_factory=list)


def build_school(
    school: School | None = None,
    *,
    classes: tuple[tuple[int, int], ...] = ((3, 1), (3, 2)),
    per_class: int = 8,
    admin: User | None = None,
) -> Built:
    school = school or f.make_school()
    term = f.make_term(school)
    admin = admin or f.make_user(school, Role.ADMIN, name="管理员")
    teacher = f.make_user(school, Role.TEACHER, name="社团老师")
    room = f.make_room(school)
    club = Club.objects.create(
        school=school,
        term=term,
        name="合唱团",
        category=ClubCategory.MUSIC,
        min_grade=1,
        max_grade=6,
        capacity=10,
        teacher=teacher,
        room=room,
        weekday=3,
        period=Period.AFTER_SCHOOL,
    )
    run = AllocationRun.objects.create(
        term=term, seed=1, objective="test", tie_range=1, published_at=timezone.now()
    )
    survey = Survey.objects.create(school=school, term=term, opened_by=admin)
    template = AgreementTemplate.objects.create(
        school=school, version=1, body="协议", created_by=admin
    )
    built = Built(school, term, admin, [])
    for grade, number in classes:
        c = f.make_class(school, grade, number, None)
        built.classes.append(c)
        supervisor = f.make_user(school, Role.TEACHER, name=f"看班老师{grade}{number}")
        sessions = [
            Session.objects.create(
                term=term,
                date=d,
                weekday=d.weekday(),
                period=Period.AFTER_SCHOOL,
                school_class=c,
                supervisor=supervisor,
            )
            for d in (MON, TUE)
        ]
        approved = 0
        for i in range(per_class):
            s = f.make_student(c, f"学生{grade}{number}{i:02d}", is_migrant_child=(i == 0))
            built.students.append(s)
            answer = ANSWERS[i % 4]
            if answer is not None:
                SurveyResponse.objects.create(
                    survey=survey,
                    student=s,
                    answer=answer,
                    recorded_by=admin,
                    wants_after_school=answer == SurveyAnswer.JOIN,
                )
            if answer != SurveyAnswer.JOIN:
                continue
            app = Application.objects.create(
                student=s,
                term=term,
                status=Status.APPROVED,
                wants_after_school=True,
                goes_home_alone=True,
                reason="家长下班晚",
                created_by=admin,
            )
            if i == 0:
                Agreement.objects.create(
                    application=app,
                    template=template,
                    template_version=1,
                    text="协议",
                    signed_name="家长",
                    consent=True,
                    signed_by=admin,
                    signed_at=timezone.now(),
                )
            for session in sessions:
                absent = approved > 0 and session.date == TUE
                Attendance.objects.create(
                    session=session,
                    date=session.date,
                    period=session.period,
                    student=s,
                    status=AttendanceStatus.ABSENT if absent else AttendanceStatus.PRESENT,
                )
            st = FeeStatement.objects.create(
                school=school,
                term=term,
                student=s,
                school_class=c,
                month=datetime.date(2024, 9, 1),
                total=Decimal("20.00"),
            )
            FeeLine.objects.create(
                statement=st, kind=LineKind.CHARGE, description="课时", amount=Decimal("23.00")
            )
            FeeLine.objects.create(
                statement=st, kind=LineKind.WAIVER, description="减免", amount=Decimal("-3.00")
            )
            if i == 0:
                Payment.objects.create(
                    school=school,
                    statement=st,
                    student=s,
                    kind=PaymentKind.PAYMENT,
                    amount=Decimal("10.00"),
                    method=PaymentMethod.CASH,
                    receipt_number=f"R{s.pk}",
                    recorded_by=admin,
                )
            Allocation.objects.create(
                run=run,
                student=s,
                club=club if approved == 0 else None,
                state=AllocationState.PLACED if approved == 0 else AllocationState.UNPLACED,
                choices=[club.pk],
                rank=1 if approved == 0 else None,
            )
            approved += 1
    return built
