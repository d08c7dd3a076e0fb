"""Recording a payment or a refund."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.audit import audited
from afterschool.models import NoticeKind, User
from afterschool.notices.services import notify_guardians_of_students
from billing.models import FeeStatement, Payment, PaymentKind
from billing.money import ZERO, to_fen
from billing.statements.selectors import statement_paid


@transaction.atomic
def payment_record(
    *,
    statement: FeeStatement,
    amount: Decimal,
    method: str,
    receipt_number: str,
    by: User,
    kind: str = PaymentKind.PAYMENT,
    at: datetime.datetime | None = None,
    note: str = "",
) -> Payment:
    """Record money received for (or refunded on) ``statement``: ``amount``
    yuan > 0, ``method`` a ``PaymentMethod``, ``receipt_number`` unique in
    the school (a double-submitted form records one payment).

    A refund may not exceed what was paid on the statement net of earlier
    refunds (school policy: money goes back only to whoever paid it, so
    "已缴" never turns negative); the statement row is locked while this is
    checked so two refunds at once cannot both pass. A payment above the
    amount due is accepted: the excess is a credit (结余) to set against
    later fees or refund; the
    page says so after saving.

    Raises ``ValidationError`` (field → message) for a non-positive amount,
    a refund above the refundable amount (naming it), or a blank or already
    used receipt number.
    """
    receipt_number = receipt_number.strip()
    errors = _payment_errors(
        statement=statement, amount=amount, kind=kind, receipt_number=receipt_number
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            payment = Payment(
                school_id=statement.school_id,
                statement=statement,
                student_id=statement.student_id,
                kind=kind,
                amount=amount,
                method=method,
                receipt_number=receipt_number,
                recorded_by=by,
                at=at or timezone.now(),
                note=note,
            )
            audited(payment, by).save()
    except IntegrityError:
        raise ValidationError(
            {"receipt_number": [_("收据号 %(n)s 已登记过，请勿重复登记。") % {"n": receipt_number}]}
        ) from None
    is_refund = kind == PaymentKind.REFUND
    notify_guardians_of_students(
        school=statement.school_id,
        student_ids=[statement.student_id],
        kind=NoticeKind.PAYMENT_RECORDED,
        title=(_("已登记退费 %(amount)s 元") if is_refund else _("已登记缴费 %(amount)s 元"))
        % {"amount": f"{amount:.2f}"},
        body=_("%(month)s账单，收据号 %(receipt)s。")
        % {"month": statement.month_label, "receipt": receipt_number},
        link=reverse("billing:family"),
        dedupe_key=f"payment:{payment.pk}",
    )
    return payment


def _payment_errors(
    *, statement: FeeStatement, amount: Decimal, kind: str, receipt_number: str
) -> dict[str, list[str]]:
    """Field → messages for ``payment_record``; a refund locks the statement
    row while the refundable amount is checked."""
    errors: dict[str, list[str]] = {}
    if amount is None or amount <= 0:
        errors["amount"] = [_("金额应大于 0。")]
    elif to_fen(amount) != amount:
        errors["amount"] = [_("金额最多保留两位小数（到分）。")]
    elif kind == PaymentKind.REFUND:
        FeeStatement.objects.select_for_update().filter(pk=statement.pk).first()
        refundable = statement_paid(statement)
        if amount > refundable:
            errors["amount"] = [
                _("退费金额不能超过本账单已缴金额（已扣除此前退费）：最多可退 %(max)s 元。")
                % {"max": max(refundable, ZERO)}
            ]
    if not receipt_number:
        errors["receipt_number"] = [_("请填写收据号。")]
    elif Payment.objects.filter(
        school_id=statement.school_id, receipt_number=receipt_number
    ).exists():
        errors["receipt_number"] = [
            _("收据号 %(n)s 已登记过，请勿重复登记。") % {"n": receipt_number}
        ]
    return errors
