"""Billing's demo step, the last of ``load_demo``: the fee policy of the
previous term and of the term shown, statements for every month of them that
is over by the demo's today (all of the previous term; the running term's
months before this one) for every enrolled student, and payments for some of
them (most of the older months paid, fewer of the recent ones), paid before
the demo's today.

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

from afterschool.models import Notice, NoticeKind, Term
from afterschool.notices.services import unread_notices_recount
from billing.models import FeePolicy, FeeStatement, Payment, PaymentMethod, StatementKind
from billing.policy.services import fee_policy_save
from billing.publicity.services import fee_publication_publish
from billing.statements.services import statements_generate
from demo.base import DemoSchool
from demo.school import FEE_DOCUMENT

# Share of a month's statements paid by the demo's "today", by how many
# months ago it ended (1 = last month); older months: the last share.
PAID_SHARE = (0.4, 0.7, 0.85, 0.92)
METHODS = [PaymentMethod.WECHAT, PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.CASH]


def past_months(term: Term, today: datetime.date) -> list[datetime.date]:
    """First days of the months of ``term`` that are over before ``today``'s month."""
    months = []
    month = term.first_day.replace(day=1)
    while month <= term.last_day and month < today.replace(day=1):
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def build(demo: DemoSchool) -> None:
    """Fee policy (per period, 2.30 × 2, the seed's document), statements for
    the past months of the previous term and of the term shown, and payments.
    Uses bulk writes only."""
    school = demo.school
    if not school.fee_document:
        school.fee_document = FEE_DOCUMENT
        school.save(update_fields=["fee_document"])
    for term in (demo.previous_term, demo.term):
        if term is not None:
            build_term(demo, term)


def build_term(demo: DemoSchool, term: Term) -> None:
    """One term's policy, past months' statements and payments."""
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
    months = past_months(term, demo.today)
    for month in months:
        statements_generate(term=term, month=month)
    _date_statement_notices(demo, term, months)
    _payments(demo, term)


def _date_statement_notices(demo: DemoSchool, term: Term, months: list[datetime.date]) -> None:
    """The 账单已生成 notices as the families got them: on the first school
    morning after the month (the demo writes them all at once, today), and
    read except the latest month's (the parents have seen the older ones).
    Per month one query, and where they are not yet so their recipients, one
    update and the recount of those recipients' unread notices."""
    for i, month in enumerate(months):
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        sent = timezone.make_aware(datetime.datetime.combine(following, datetime.time(9, 0)))
        sent = min(sent, timezone.now())
        read = None if i == len(months) - 1 and term == demo.term else sent
        stale = Notice.objects.filter(
            kind=NoticeKind.STATEMENT_READY, dedupe_key=f"statement:{term.pk}:{month:%Y%m}"
        ).exclude(created_at=sent, **({"read_at": read} if read else {"read_at__isnull": True}))
        if stale.exists():  # a second run writes nothing
            users = set(stale.exclude(recipient=None).values_list("recipient_id", flat=True))
            stale.update(created_at=sent, read_at=read)
            # Read or not: the badge counts what the inbox marks 未读.
            unread_notices_recount(user_ids=users)


def _months_ago(month: datetime.date, today: datetime.date) -> int:
    return (today.year - month.year) * 12 + today.month - month.month


def _payments(demo: DemoSchool, term: Term) -> None:
    rng = random.Random(f"sunshine-2024-billing:{term.name}")
    admin = demo.staff.get("admin")
    statements = list(
        FeeStatement.objects.filter(term=term, kind=StatementKind.MONTHLY, total__gt=0)
        .order_by("month", "student__student_number")
        .only("pk", "student_id", "month", "total", "school_id")
    )
    have = set(Payment.objects.filter(school=demo.school).values_list("receipt_number", flat=True))
    new = []
    for s in statements:
        # One draw per statement whatever was paid before: stable choices.
        ago = _months_ago(s.month, demo.today)
        paid = rng.random() < PAID_SHARE[min(ago, len(PAID_SHARE)) - 1]
        method = rng.choice(METHODS)
        day = rng.randint(1, 20)
        receipt = f"SF{s.month:%Y%m}-{s.student_id:05d}"
        next_month = (s.month + datetime.timedelta(days=32)).replace(day=day)
        if not paid or receipt in have or next_month >= demo.today:
            continue
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
