"""Recording waivers (seed 一.7: 对家庭困难子女免收)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from afterschool.models import Student, Term, User
from billing.models import FeePolicy, Waiver, WaiverKind
from billing.money import to_fen
from billing.waivers.selectors import approved_requests_without_waiver


def waivers_sync_from_enrollment(*, term: Term) -> int:
    """Create a full waiver (免收) from the term's first day for every
    approved enrollment waiver request (seed 一.7: 对家庭困难子女免收;
    ``enrollment.waivers.selectors.approved_waiver_for``) that has none yet. A
    request asked in the application covers the whole enrolment. Returns
    how many were created. Two queries at most."""
    pending = list(
        approved_requests_without_waiver(term).values_list(
            "pk", "application__student_id", "decided_by_id"
        )
    )
    Waiver.objects.bulk_create(
        [
            Waiver(
                student_id=student_id,
                term=term,
                kind=WaiverKind.FULL,
                effective_from=term.first_day,
                reason=str(_("家庭经济困难，学校已批准免收")),
                request_id=pk,
                created_by_id=decided_by,
            )
            for pk, student_id, decided_by in pending
        ],
        ignore_conflicts=True,
    )
    return len(pending)


@transaction.atomic
def waiver_create(
    *,
    student: Student,
    term: Term,
    kind: str,
    effective_from: datetime.date,
    by: User,
    amount: Decimal | None = None,
    percent: Decimal | None = None,
    reason: str = "",
) -> Waiver:
    """Record a waiver of ``student``'s fee in ``term`` from ``effective_from``.

    ``kind`` full (免收), amount (yuan off per month) or percent (0–100). A
    partial waiver needs the policy's ``allow_partial_waiver`` (the county
    allows it). The waiver never rewrites a paid statement: the next
    recompute adds a credit line to it (``statements_generate``).

    Raises ``ValidationError`` (field → message) for a partial waiver the
    policy does not allow, a missing or out-of-range value, a date outside
    the term, or the same waiver twice.
    """
    errors: dict[str, list[str]] = {}
    policy = FeePolicy.objects.filter(term=term).first()
    if kind != WaiverKind.FULL and not (policy and policy.allow_partial_waiver):
        errors["kind"] = [_("本学期收费标准不允许部分减免，只能全额免收。")]
    if kind == WaiverKind.AMOUNT and not (amount and amount > 0):
        errors["amount"] = [_("请填写大于 0 的每月减免金额。")]
    if kind == WaiverKind.PERCENT and not (percent and 0 < percent <= 100):
        errors["percent"] = [_("减免比例应在 0 到 100 之间。")]
    if not term.contains(effective_from):
        errors["effective_from"] = [_("生效日期应在本学期内。")]
    if student.school_id != term.school_id:
        errors["student"] = [_("学生不属于本校。")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Waiver.objects.create(
                student=student,
                term=term,
                kind=kind,
                amount=to_fen(amount) if kind == WaiverKind.AMOUNT else None,
                percent=percent if kind == WaiverKind.PERCENT else None,
                effective_from=effective_from,
                reason=reason,
                created_by=by,
            )
    except IntegrityError:
        raise ValidationError(_("该学生同一天已有相同方式的减免。")) from None
