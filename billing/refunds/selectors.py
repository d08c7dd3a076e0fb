"""Money the school holds for families at term end, and where the policy
sends it (DESIGN.md "Fee regimes": days not served are refunded; nothing is
collected across terms unless the county's notice says so)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from afterschool.models import ClassMembership, SchoolClass, Term
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


def leaving_student_ids(term: Term, student_ids: Iterable[int]) -> set[int]:
    """Which of ``student_ids`` will not be at the school next term, so money
    the school holds for them is refunded, never carried to a term they will
    not attend (抵下学期费用 assumes a next term): those whose class
    membership of ``term``'s school year has ended (转学, 离校, 毕业), and —
    at the school year's last term — those in its graduating grade
    (``afterschool.rollover.services.rollover_top_grade``), whether or not
    the school has rolled over yet. Up to three queries."""
    from afterschool.rollover.services import rollover_top_grade

    ids = set(student_ids)
    if not ids:
        return set()
    year_id = term.school_year_id
    rows = list(
        ClassMembership.objects.filter(
            student_id__in=ids, school_class__school_year_id=year_id
        ).values_list("student_id", "end_date", "school_class__grade")
    )
    left = {sid for sid, end, _g in rows if end is not None}
    last_term = not Term.objects.filter(
        school_id=term.school_id, school_year_id=year_id, first_day__gt=term.last_day
    ).exists()
    if last_term and rows:
        # The school's grades of that year decide 小学 (6) or 初中 (9).
        top = rollover_top_grade(
            SchoolClass.objects.filter(school_year_id=year_id).only("grade").distinct()
        )
        left |= {sid for sid, _end, grade in rows if grade >= top}
    return left


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
