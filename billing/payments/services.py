"""Recording a payment or a refund, by hand or from the payment platform's
results file."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from afterschool.audit import audited
from afterschool.models import NoticeKind, Term, User
from afterschool.notices.services import notify_guardians_of_students
from billing.models import FeeStatement, Payment, PaymentKind, PaymentMethod
from billing.money import ZERO, to_fen
from billing.payments.platform import ResultRow, payment_reference, read_results, statement_pk_of
from billing.statements.selectors import statement_paid, with_paid


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


@dataclass
class ImportResult:
    """What a results import did: payments recorded, rows already imported
    (same 票据号, statement and amount), and the faults that stopped it
    (file errors, and mismatches: unknown reference, amount differs,
    already paid), each a row-numbered Chinese message."""

    created: int = 0
    already: int = 0
    errors: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.mismatches


def _match(row: ResultRow, by_pk: dict, by_number: dict) -> tuple[FeeStatement | None, str]:
    """The statement a result row pays, or ``None`` and why."""
    if row.reference:
        pk = statement_pk_of(row.reference)
        statement = by_pk.get(pk)
        if statement is None:
            return None, _("缴费编号 %(r)s 不存在") % {"r": row.reference}
        return statement, ""
    candidates = [s for s in by_number.get(row.student_number, []) if s.owed == row.amount]
    if not by_number.get(row.student_number):
        return None, _("学籍号 %(n)s 本学期没有账单") % {"n": row.student_number}
    if len(candidates) != 1:
        return None, _("学籍号 %(n)s 没有唯一一份应缴 %(a)s 元的账单，请按缴费编号导入") % {
            "n": row.student_number,
            "a": row.amount,
        }
    return candidates[0], ""


@transaction.atomic
def payment_import(*, term: Term, filename: str, content: bytes, by: User) -> ImportResult:
    """Record the payments of a platform's or bank's results file for
    ``term``'s school (``billing.payments.platform.read_results``), all or
    nothing: a row is matched to a statement by its 缴费编号 (any term of the
    school) or by 学籍号 and amount (``term``); each is recorded as paid
    through the platform with its 票据号 as the receipt number (shown to the
    guardian) at the time paid.

    Idempotent: a row whose 票据号 is already recorded on the same statement
    for the same amount is counted as ``already``. Nothing is written when
    any row has an error or a mismatch (unknown reference, amount differs
    from what is owed, statement already paid, 票据号 used elsewhere or twice
    in the file). Fixed queries whatever the rows: statements (with paid),
    existing receipts, one insert."""
    parsed = read_results(filename=filename, content=content)
    result = ImportResult(errors=parsed.errors)
    if result.errors:
        return result
    pks = {statement_pk_of(r.reference) for r in parsed.rows if r.reference}
    numbers = {r.student_number for r in parsed.rows if not r.reference}
    statements = list(
        with_paid(
            FeeStatement.objects.filter(school_id=term.school_id).filter(
                Q(pk__in=pks - {None}) | Q(term=term, student__student_number__in=numbers)
            )
        ).select_related("student")
    )
    by_pk = {s.pk: s for s in statements}
    by_number: dict[str, list[FeeStatement]] = defaultdict(list)
    for s in statements:
        if s.term_id == term.pk:
            by_number[s.student.student_number].append(s)
    receipts = {
        p.receipt_number: p
        for p in Payment.objects.filter(
            school_id=term.school_id, receipt_number__in=[r.receipt for r in parsed.rows]
        )
    }
    new, seen = [], set()
    for row in parsed.rows:
        statement, why = _match(row, by_pk, by_number)
        done = receipts.get(row.receipt)
        if row.receipt in seen:
            why = _("票据号 %(r)s 在文件中重复") % {"r": row.receipt}
        elif statement and done:
            if done.statement_id == statement.pk and done.amount == row.amount:
                result.already += 1
                seen.add(row.receipt)
                continue
            why = _("票据号 %(r)s 已用于其他缴费") % {"r": row.receipt}
        elif statement and statement.owed == 0:
            why = _("账单 %(r)s 已缴清") % {"r": payment_reference(statement)}
        elif statement and statement.owed != row.amount:
            why = _("金额 %(a)s 元与应缴 %(o)s 元不符") % {"a": row.amount, "o": statement.owed}
        seen.add(row.receipt)
        if why:
            result.mismatches.append(_("第%(n)s行：%(why)s。") % {"n": row.row, "why": why})
            continue
        new.append(
            Payment(
                school_id=term.school_id,
                statement=statement,
                student_id=statement.student_id,
                kind=PaymentKind.PAYMENT,
                amount=row.amount,
                method=PaymentMethod.PLATFORM,
                receipt_number=row.receipt,
                recorded_by=by,
                at=row.paid_at,
                note=str(_("非税缴费平台导入")),
            )
        )
    if result.ok and new:
        bulk_create_with_history(new, Payment, default_user=by)
        result.created = len(new)
    return result
