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
from billing.waivers.selectors import enrollment_waivers_to_sync
from enrollment.models import WaiverStatus
from enrollment.waivers.selectors import waiver_start


def waivers_sync_from_enrollment(*, term: Term) -> int:
    """Keep the term's full waivers (免收) that come from enrollment's
    waiver requests (seed 一.7: 对家庭困难子女免收) in step with the school's
    latest decision: an approved request without a waiver gets one from its
    effective date (``enrollment.waivers.selectors.waiver_start``: the date
    the school chose, by default the day the guardian asked; days before it
    are charged); a waiver whose request's date changed moves to it; a
    waiver whose request is no longer approved is removed (the next
    recompute charges those days again, a paid month by an adjustment).
    Returns how many waivers were created, moved or removed. One query when
    nothing changed, one more per kind of change."""
    create: list[Waiver] = []
    moved = 0
    drop: list[int] = []
    for request in enrollment_waivers_to_sync(term):
        try:
            waiver = request.fee_waiver
        except Waiver.DoesNotExist:
            waiver = None
        if request.status != WaiverStatus.APPROVED:
            drop.append(waiver.pk)
            continue
        start = waiver_start(request)
        if waiver is None:
            create.append(
                Waiver(
                    student_id=request.application.student_id,
                    term=term,
                    kind=WaiverKind.FULL,
                    effective_from=start,
                    reason=str(_("家庭经济困难，学校已批准免收")),
                    request=request,
                    created_by_id=request.decided_by_id,
                )
            )
        elif waiver.effective_from != start:
            try:
                with transaction.atomic():
                    Waiver.objects.filter(pk=waiver.pk).update(effective_from=start)
                moved += 1
            except IntegrityError:
                # The admin recorded the same full waiver on that day by
                # hand: it covers the same days.
                pass
    if drop:
        Waiver.objects.filter(pk__in=drop).delete()
    if create:
        Waiver.objects.bulk_create(create, ignore_conflicts=True)
    return len(create) + moved + len(drop)


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
