"""Billing's demo step, the last of ``load_demo``: the autumn-2024 fee
policy, statements September to December 2024 for every enrolled student,
and payments for some of them (most of September paid, fewer each later month).

Works on whatever approved applications the enrollment step left (none:
policy only). Deterministic and idempotent: statements are recomputed
(same lines), payments are keyed by receipt number and only missing ones
are added.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from afterschool.models import Term
from billing.models import FeePolicy, FeeStatement, Payment, PaymentMethod, StatementKind
from billing.policy.services import fee_policy_save
from billing.publicity.services import fee_publication_publish
from billing.statements.services import statements_generate
from demo.base import DemoSchool
from demo.school import FEE_DOCUMENT

MONTHS = [datetime.date(2024, m, 1) for m in (9, 10, 11, 12)]
# Share of each month's statements paid by the demo's "today".
PAID_SHARE = {9: 0.9, 10: 0.75, 11: 0.5, 12: 0.2}
METHODS = [PaymentMethod.WECHAT, PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.CASH]


def build(demo: DemoSchool) -> None:
    """Fee policy (per period, 2.30 × 2, the seed's document), statements for
    Sep–Dec 2024 and payments. Uses bulk writes only."""
    school, term = demo.school, demo.term
    if not school.fee_document:
        school.fee_document = FEE_DOCUMENT
        school.save(update_fields=["fee_document"])
    wanted = {
        "rate_per_period": Decimal("2.30"),
        "periods_per_day": 2,
        "workload_rate_per_period": Decimal("30.00"),
    }
    current = FeePolicy.objects.filter(term=term).first()
    if current is None or any(getattr(current, k) != v for k, v in wanted.items()):
        fee_policy_save(term=term, data=wanted, by=demo.staff.get("admin"))
    fee_publication_publish(term=term, by=demo.staff.get("admin"))
    term = Term.objects.select_related("school").get(pk=term.pk)
    for month in MONTHS:
        statements_generate(term=term, month=month)
    _payments(demo)


def _payments(demo: DemoSchool) -> None:
    rng = random.Random("sunshine-2024-billing")
    admin = demo.staff.get("admin")
    statements = list(
        FeeStatement.objects.filter(term=demo.term, kind=StatementKind.MONTHLY, total__gt=0)
        .order_by("month", "student__student_number")
        .only("pk", "student_id", "month", "total", "school_id")
    )
    have = set(Payment.objects.filter(school=demo.school).values_list("receipt_number", flat=True))
    new = []
    for s in statements:
        # One draw per statement whatever was paid before: stable choices.
        paid = rng.random() < PAID_SHARE.get(s.month.month, 0)
        method = rng.choice(METHODS)
        day = rng.randint(1, 20)
        receipt = f"SF{s.month:%Y%m}-{s.student_id:05d}"
        if not paid or receipt in have:
            continue
        next_month = (s.month + datetime.timedelta(days=32)).replace(day=day)
        new.append(
            Payment(
                school_id=s.school_id,
                statement_id=s.pk,
                student_id=s.student_id,
                amount=s.total,
                method=method,
                receipt_number=receipt,
                recorded_by=admin,
                at=timezone.make_aware(datetime.datetime.combine(next_month, datetime.time(10))),
            )
        )
    Payment.objects.bulk_create(new)
