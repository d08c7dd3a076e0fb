"""Billing reads: who may see which statement, fee sheets, arrears, workload.

Scoping follows ``afterschool.access`` (STYLE.md §3): a school admin sees
the school, a homeroom teacher the classes they lead, a guardian their own
children; everyone else nothing. ``get_*_for_user`` raise ``Http404`` to
outsiders.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from afterschool.idnumbers import mask_id_number
from afterschool.models import GRADE_NAMES, Role, School, SchoolClass, Term, User
from billing.fees import month_end, month_start
from billing.models import (
    FeeLine,
    FeePolicy,
    FeeStatement,
    LineKind,
    Payment,
    PaymentKind,
    StatementKind,
)
from billing.money import ZERO, line_amount, to_fen
from enrollment.models import Application, WaiverRequest, WaiverStatus
from enrollment.models import Status as ApplicationStatus
from scheduling.attendance.selectors import PERIOD_PART
from scheduling.clubs.selectors import club_dates
from scheduling.models import Attendance, Club, Session

MONEY = DecimalField(max_digits=12, decimal_places=2)
CHARGE_KINDS = (LineKind.CHARGE, LineKind.PREPAY)


def statements_for_user(user: User) -> QuerySet[FeeStatement]:
    """Statements ``user`` may see, with student, class and term joined."""
    qs = FeeStatement.objects.select_related("student", "school_class", "term")
    if not user.is_authenticated:
        return qs.none()
    if user.is_school_admin:
        return qs.filter(school_id=user.school_id)
    if user.role == Role.HOMEROOM and user.school_id:
        return qs.filter(school_id=user.school_id, school_class__homeroom_teacher=user)
    if user.role == Role.GUARDIAN:
        return qs.filter(student__guardians__user=user).distinct()
    return qs.none()


def get_statement_for_user(user: User, pk: int) -> FeeStatement:
    """The statement ``pk`` if ``user`` may see it, else ``Http404``."""
    try:
        return statements_for_user(user).get(pk=pk)
    except FeeStatement.DoesNotExist:
        raise Http404 from None


def with_paid(qs: QuerySet[FeeStatement]) -> QuerySet[FeeStatement]:
    """Annotate ``paid`` (payments − refunds, yuan) in the same query."""
    return qs.annotate(
        paid=Coalesce(
            Sum("payments__amount", filter=Q(payments__kind=PaymentKind.PAYMENT))
            - Coalesce(
                Sum("payments__amount", filter=Q(payments__kind=PaymentKind.REFUND)),
                Value(ZERO),
                output_field=MONEY,
            ),
            Value(ZERO),
            output_field=MONEY,
        )
    )


def statement_paid(statement: FeeStatement) -> Decimal:
    """Yuan paid on ``statement``: payments − refunds (one query)."""
    rows = statement.payments.values_list("kind").annotate(s=Sum("amount")).order_by()
    return to_fen(sum((s if k == PaymentKind.PAYMENT else -s for k, s in rows), ZERO))


def statement_lines(statement: FeeStatement) -> QuerySet[FeeLine]:
    return statement.lines.order_by("position", "pk")


def statement_payments(statement: FeeStatement) -> QuerySet[Payment]:
    return statement.payments.select_related("recorded_by").order_by("at", "pk")


def fee_policy_of(term: Term) -> FeePolicy | None:
    return FeePolicy.objects.filter(term=term).first()


@dataclass
class SheetRow:
    """One student's line on a fee sheet (收费明细表)."""

    class_name: str
    student_number: str
    name: str
    days: int = 0
    periods: int = 0
    charged: Decimal = ZERO
    deductions: Decimal = ZERO
    total: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        """Owed (> 0) or credit carried forward (< 0)."""
        return self.total - self.paid

    @property
    def owed(self) -> Decimal:
        """Yuan owed to the school (欠费), never negative."""
        return max(self.balance, ZERO)

    @property
    def credit(self) -> Decimal:
        """Yuan held for the family (结余), shown positive."""
        return max(-self.balance, ZERO)


@dataclass
class FeeSheet:
    """A fee sheet for a school or a class, for a month or the whole term."""

    school: School
    term: Term
    title: str
    period_label: str
    policy: FeePolicy | None
    school_class: SchoolClass | None = None
    rows: list[SheetRow] = field(default_factory=list)

    @property
    def totals(self) -> SheetRow:
        return SheetRow(
            class_name="",
            student_number="",
            name="合计",
            days=sum(r.days for r in self.rows),
            periods=sum(r.periods for r in self.rows),
            charged=sum((r.charged for r in self.rows), ZERO),
            deductions=sum((r.deductions for r in self.rows), ZERO),
            total=sum((r.total for r in self.rows), ZERO),
            paid=sum((r.paid for r in self.rows), ZERO),
        )

    @property
    def standard(self) -> str:
        """「收费标准：每课时 2.30 元，每天 2 课时（X发【2024】X号）」"""
        if self.policy is None:
            rate, periods = self.school.fee_cap_per_period, self.school.fee_cap_periods_per_day
        else:
            rate, periods = self.policy.rate_per_period, self.policy.periods_per_day
        doc = f"（{self.school.fee_document}）" if self.school.fee_document else ""
        return f"收费标准：每课时 {rate} 元，每天最多 {periods} 课时{doc}"


def _masked_number(number: str, id_number: str) -> str:
    """A 学籍号 ("G" + ID number) with the ID number masked."""
    if id_number and id_number in number:
        return number.replace(id_number, mask_id_number(id_number))
    return number


def fee_sheet(
    *, term: Term, month: datetime.date | None = None, school_class: SchoolClass | None = None
) -> FeeSheet:
    """The fee sheet of ``term``'s school (or one class) for ``month`` (any
    date in it) or, when ``month`` is None, the whole term: one row per
    student billed, summing statements. Three queries: the policy, the
    statements summed per student, the lines split into charges and
    deductions, the payments per student (one more)."""
    statements = FeeStatement.objects.filter(term=term)
    if month is not None:
        statements = statements.filter(month=month_start(month))
        period_label = f"{month.year}年{month.month}月"
    else:
        period_label = str(term)
    if school_class is not None:
        statements = statements.filter(school_class=school_class)
    scope = school_class.display_name if school_class else ""
    title = f"{term.school.name}{scope}课后服务收费明细表"
    sheet = FeeSheet(
        school=term.school,
        term=term,
        title=title,
        period_label=period_label,
        policy=fee_policy_of(term),
        school_class=school_class,
    )
    base = statements.values(
        "student_id",
        "student__name",
        "student__student_number",
        "student__id_number",
        "school_class__grade",
        "school_class__number",
    ).order_by("school_class__grade", "school_class__number", "student__student_number")
    rows: dict[int, SheetRow] = {}
    for r in base.annotate(
        days_sum=Sum("days"), periods_sum=Sum("periods"), total_sum=Sum("total")
    ):
        rows[r["student_id"]] = SheetRow(
            class_name=f"{GRADE_NAMES[r['school_class__grade']]}（{r['school_class__number']}）班",
            # The 学籍号 embeds the ID number: masked, as on every list (issue 6).
            student_number=_masked_number(r["student__student_number"], r["student__id_number"]),
            name=r["student__name"],
            days=r["days_sum"] or 0,
            periods=r["periods_sum"] or 0,
            total=to_fen(r["total_sum"] or ZERO),
        )
    for r in (
        FeeLine.objects.filter(statement__in=statements)
        .values("statement__student_id")
        .annotate(
            charged=Coalesce(
                Sum("amount", filter=Q(kind__in=CHARGE_KINDS)), Value(ZERO), output_field=MONEY
            ),
            other=Coalesce(
                Sum("amount", filter=~Q(kind__in=CHARGE_KINDS)), Value(ZERO), output_field=MONEY
            ),
        )
        .order_by()
    ):
        row = rows.get(r["statement__student_id"])
        if row:
            row.charged, row.deductions = to_fen(r["charged"]), to_fen(r["other"])
    for r in (
        Payment.objects.filter(statement__in=statements)
        .values("student_id")
        .annotate(
            paid=Coalesce(
                Sum("amount", filter=Q(kind=PaymentKind.PAYMENT)), Value(ZERO), output_field=MONEY
            ),
            refunded=Coalesce(
                Sum("amount", filter=Q(kind=PaymentKind.REFUND)), Value(ZERO), output_field=MONEY
            ),
        )
        .order_by()
    ):
        row = rows.get(r["student_id"])
        if row:
            row.paid = to_fen(r["paid"] - r["refunded"])
    sheet.rows = list(rows.values())
    return sheet


@dataclass
class ClassArrears:
    school_class: SchoolClass
    students: int
    total: Decimal
    paid: Decimal
    owing: int

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid


def arrears_by_class(*, term: Term, classes: QuerySet[SchoolClass]) -> list[ClassArrears]:
    """Per class of ``classes``: students billed in ``term``, total billed,
    paid (payments − refunds), students owing money. Three queries."""
    per_student_total: dict[int, tuple[int, Decimal]] = {}
    for r in (
        FeeStatement.objects.filter(term=term, school_class__in=classes)
        .values("student_id", "school_class_id")
        .annotate(t=Sum("total"))
        .order_by()
    ):
        per_student_total[r["student_id"]] = (r["school_class_id"], to_fen(r["t"]))
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in (
        Payment.objects.filter(statement__term=term, statement__school_class__in=classes)
        .values("student_id", "kind")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        sign = 1 if r["kind"] == PaymentKind.PAYMENT else -1
        paid[r["student_id"]] += sign * to_fen(r["s"])
    out = []
    for c in classes:
        students = [(sid, t) for sid, (cid, t) in per_student_total.items() if cid == c.pk]
        total_ = sum((t for _s, t in students), ZERO)
        paid_ = sum((paid[sid] for sid, _t in students), ZERO)
        owing = sum(1 for sid, t in students if t - paid[sid] > 0)
        out.append(ClassArrears(c, len(students), total_, paid_, owing))
    return out


@dataclass
class WorkloadRow:
    """One person's after-school periods in a month (课时数计入工作量)."""

    person: User
    supervised: int = 0
    rolls: int = 0
    club_sessions: int = 0
    rate: Decimal = ZERO

    @property
    def periods(self) -> int:
        return self.supervised + self.club_sessions

    @property
    def subsidy(self) -> Decimal:
        return line_amount(self.periods, self.rate)


def workload(
    *, term: Term, month: datetime.date, policy: FeePolicy | None = None
) -> list[WorkloadRow]:
    """Per person, for ``month`` of ``term``: basic sessions supervised (the
    rota), of which rolls were taken (attendance marked), and club meetings
    led (each meeting date of the person's clubs; seed 三: 课时数计入工作量),
    with the subsidy at ``FeePolicy.workload_rate_per_period`` yuan per
    period, rounded half up on the row.

    THE rule for a basic session (school policy: the subsidy pays for
    children looked after, not for an empty room): it counts only when its
    class has at least one student enrolled for that period — the roll's
    own list, ``scheduling.attendance.selectors.roll_students`` — or when a roll was
    taken for it anyway. A session whose roll says "本课时没有报名参加的学生"
    is not workload. (``scheduling.rota.selectors.staff_workload`` counts every
    scheduled session; this is the count that is paid.)

    Queries: sessions, rolls, clubs, calendar (≤ 4), people, and the policy
    unless given."""
    first, last = month_start(month), month_end(month)
    if policy is None:
        policy = fee_policy_of(term)
    rate = policy.workload_rate_per_period if policy else ZERO
    rolled = Attendance.objects.filter(session=OuterRef("pk"))
    attended = Q(Exists(rolled))
    for period, part in PERIOD_PART.items():
        enrolled = Application.objects.filter(
            term=OuterRef("term"),
            student__school_class=OuterRef("school_class"),
            status=ApplicationStatus.APPROVED,
            **{part: True},
        )
        attended |= Q(period=period) & Q(Exists(enrolled))
    supervised = dict(
        Session.objects.filter(term=term, date__range=(first, last), supervisor__isnull=False)
        .filter(attended)
        .values_list("supervisor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rolls = dict(
        Session.objects.filter(
            term=term,
            date__range=(first, last),
            supervisor__isnull=False,
            pk__in=Attendance.objects.filter(session__isnull=False).values("session_id"),
        )
        .values_list("supervisor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    clubs = list(Club.objects.filter(term=term))
    led: dict[int, int] = defaultdict(int)
    if clubs:
        for club_id, dates in club_dates(term, clubs).items():
            teacher = next(c.teacher_id for c in clubs if c.pk == club_id)
            led[teacher] += sum(1 for d in dates if first <= d <= last)
    ids = set(supervised) | {k for k, v in led.items() if v}
    people = User.objects.filter(pk__in=ids).order_by("name", "username")
    return [
        WorkloadRow(
            person=p,
            supervised=supervised.get(p.pk, 0),
            rolls=rolls.get(p.pk, 0),
            club_sessions=led.get(p.pk, 0),
            rate=rate,
        )
        for p in people
    ]


def approved_requests_without_waiver(term: Term) -> QuerySet[WaiverRequest]:
    """Approved enrollment waiver requests (seed 一.7 免收) that have not yet
    become a billing waiver: the next statements run creates them
    (``billing.services.waivers_sync_from_enrollment``). One query."""
    return WaiverRequest.objects.filter(
        application__term=term, status=WaiverStatus.APPROVED, fee_waiver__isnull=True
    ).select_related("application__student__school_class")


def months_with_statements(term: Term) -> list[datetime.date]:
    return list(
        FeeStatement.objects.filter(term=term, kind=StatementKind.MONTHLY)
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )
