"""Money the school holds for families at term end, and where the policy
sends it (DESIGN.md "Fee regimes": days not served are refunded; nothing is
collected across terms unless the county's notice says so)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from afterschool.models import Term
from billing.models import (
    FeePolicy,
    FeeStatement,
    RefundBatchStatus,
    RefundItem,
    SettlementMode,
)
from billing.money import ZERO, to_fen
from billing.statements.selectors import with_paid


def carries_credits_forward(policy: FeePolicy) -> bool:
    """THE rule for money left at term end: carried to the next term's
    first statement when the term's policy says so (抵下学期费用), else
    refunded through a refund batch (退还家长)."""
    return policy.settlement_mode == SettlementMode.CREDIT


def next_term_of(term: Term) -> Term | None:
    """The school's term that starts after ``term`` ends (the nearest), or
    ``None`` while it is not set up. One query."""
    return (
        Term.objects.filter(school_id=term.school_id, first_day__gt=term.last_day)
        .order_by("first_day")
        .first()
    )


@dataclass
class HeldCredit:
    """Yuan (positive) the school holds for a family on one statement."""

    statement: FeeStatement
    amount: Decimal


def credits_held(term: Term) -> list[HeldCredit]:
    """The statements of ``term`` holding money for a family — paid (net of
    refunds) above their total: an overpayment, a settlement's refund, a
    credit carried onto a statement — less what an unpaid refund batch
    already takes from them. A family is never paid out money it owes on
    another statement of the term: each student's credits are capped at
    what the term owes them overall (paid − billed). In student and month
    order, statements with their student and class. Two queries.

    Credits that no statement took yet (``FeeCredit`` without
    ``applied_to``) are not here: the term-end step first puts them on a
    statement (``billing.refunds.services.loose_credits_to_term_end``)."""
    pending: dict[int, Decimal] = {
        sid: to_fen(amount)
        for sid, amount in RefundItem.objects.filter(statement__term=term)
        .exclude(batch__status=RefundBatchStatus.PAID)
        .values("statement_id")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("statement_id", "s")
    }
    by_student: dict[int, list[FeeStatement]] = defaultdict(list)
    for s in (
        with_paid(FeeStatement.objects.filter(term=term))
        .select_related("student", "school_class")
        .order_by("student_id", "month", "kind", "pk")
    ):
        by_student[s.student_id].append(s)
    held = []
    for rows in by_student.values():
        net = sum((s.paid - s.total - pending.get(s.pk, ZERO) for s in rows), ZERO)
        for s in rows:
            take = min(s.credit - pending.get(s.pk, ZERO), net)
            if take > 0:
                held.append(HeldCredit(statement=s, amount=to_fen(take)))
                net -= take
    return held
