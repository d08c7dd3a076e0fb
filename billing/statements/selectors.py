"""Reading statements: what was paid, their lines and payments, arrears
per class, the months billed."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from afterschool.models import SchoolClass, Term
from afterschool.selectors import term_months
from billing.models import FeeLine, FeeStatement, Payment, PaymentKind, StatementKind
from billing.money import ZERO, to_fen
from billing.months import month_of_term, parse_month

MONEY = DecimalField(max_digits=12, decimal_places=2)


def with_paid(qs: QuerySet[FeeStatement]) -> QuerySet[FeeStatement]:
    """Annotate ``paid`` (payments − refunds, yuan) in the same query. A
    statement with refunds only (a settlement's refund, a carry-out) has a
    negative ``paid``: each sum is taken as 0 when empty before subtracting."""
    return qs.annotate(
        paid=Coalesce(
            Sum("payments__amount", filter=Q(payments__kind=PaymentKind.PAYMENT)),
            Value(ZERO),
            output_field=MONEY,
        )
        - Coalesce(
            Sum("payments__amount", filter=Q(payments__kind=PaymentKind.REFUND)),
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


@dataclass
class ClassArrears:
    school_class: SchoolClass | None  # None: the 合计 row
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


def arrears_total(rows: list[ClassArrears]) -> ClassArrears:
    """The 合计 row of ``arrears_by_class``'s rows (``school_class`` None):
    the school's term total, paid and students owing (yuan, Decimal)."""
    return ClassArrears(
        None,
        sum(r.students for r in rows),
        sum((r.total for r in rows), ZERO),
        sum((r.paid for r in rows), ZERO),
        sum(r.owing for r in rows),
    )


def months_with_statements(term: Term) -> list[datetime.date]:
    return list(
        FeeStatement.objects.filter(term=term, kind=StatementKind.MONTHLY)
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )


def statement_month(
    *, term: Term, asked: str | None, statements: QuerySet[FeeStatement]
) -> datetime.date:
    """The month (its first day) a statements page shows: ``asked``
    (``"2024-09"``) when it is a month of ``term``; else the latest month of
    ``term`` that has one of ``statements`` (those the user may see, e.g.
    ``billing.access.statements_for_user``), so the page never opens on an
    empty month while earlier ones are billed; else ``month_of_term``'s
    choice (this month if in the term, else the first). One query when no
    month of the term was asked, none otherwise."""
    if parse_month(asked) in term_months(term):
        return month_of_term(term, asked)
    latest = statements.filter(term=term).aggregate(latest=Max("month"))["latest"]
    return latest.replace(day=1) if latest else month_of_term(term, asked)
