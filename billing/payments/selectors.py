"""Reading payments: the 缴费清单 to send to the payment platform and the
reconciliation per class (due, paid through the platform, paid by hand,
outstanding)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery, Sum

from afterschool.models import Guardianship, SchoolClass, Term
from billing.models import FeeStatement, Payment, PaymentKind, PaymentMethod
from billing.money import ZERO, to_fen
from billing.statements.selectors import with_paid


def payment_list(*, term: Term, month: datetime.date | None) -> list[FeeStatement]:
    """Statements of ``term`` (of ``month``, or every month) with money still
    owed, in class and name order, each with ``paid`` and the first
    guardian's name (``guardian_name``) annotated. One query."""
    first_guardian = (
        Guardianship.objects.filter(student=OuterRef("student_id"))
        .order_by("pk")
        .values("guardian__name")[:1]
    )
    qs = FeeStatement.objects.filter(term=term)
    if month is not None:
        qs = qs.filter(month=month)
    qs = (
        with_paid(qs)
        .annotate(guardian_name=Subquery(first_guardian))
        .select_related("student", "school_class")
        .order_by("school_class__grade", "school_class__number", "student__name", "month", "kind")
    )
    return [s for s in qs if s.owed > 0]


@dataclass
class ClassReconciliation:
    """One class's money in a term, yuan: billed (due), paid through the
    platform, paid by hand (every other method, net of refunds), and
    outstanding (due − both; negative when the school holds a credit)."""

    school_class: SchoolClass | None
    due: Decimal = ZERO
    platform: Decimal = ZERO
    by_hand: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.platform - self.by_hand


def reconciliation(
    *, term: Term, classes: QuerySet[SchoolClass]
) -> tuple[list[ClassReconciliation], ClassReconciliation]:
    """Per class of ``classes`` (the class billed) and for them all: due,
    paid through the platform, paid by hand, outstanding — to the fen. Three
    queries (classes, statement totals, payment sums)."""
    rows = {c.pk: ClassReconciliation(c) for c in classes}
    for r in (
        FeeStatement.objects.filter(term=term, school_class__in=classes)
        .values("school_class_id")
        .annotate(t=Sum("total"))
        .order_by()
    ):
        rows[r["school_class_id"]].due = to_fen(r["t"])
    paid: dict[tuple[int, bool], Decimal] = defaultdict(lambda: ZERO)
    for r in (
        Payment.objects.filter(statement__term=term, statement__school_class__in=classes)
        .values("statement__school_class_id", "method", "kind")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        sign = 1 if r["kind"] == PaymentKind.PAYMENT else -1
        key = (r["statement__school_class_id"], r["method"] == PaymentMethod.PLATFORM)
        paid[key] += sign * to_fen(r["s"])
    for pk, row in rows.items():
        row.platform, row.by_hand = paid[(pk, True)], paid[(pk, False)]
    totals = ClassReconciliation(
        None,
        due=sum((r.due for r in rows.values()), ZERO),
        platform=sum((r.platform for r in rows.values()), ZERO),
        by_hand=sum((r.by_hand for r in rows.values()), ZERO),
    )
    return list(rows.values()), totals
