"""Reading a term's fee standard: the saved one, or the defaults to bill by;
the one a month was billed by; the rate in force on a day."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Max, QuerySet, Subquery
from django.db.models.functions import Coalesce, Now

from afterschool.models import Term
from billing.models import FeePolicy, FeeRateChange, FeeStatement


def fee_policy_of(term: Term) -> FeePolicy | None:
    """The term's saved policy, or ``None``. One query."""
    return FeePolicy.objects.filter(term=term).first()


def fee_policy_default(term: Term) -> FeePolicy:
    """An unsaved policy for ``term`` with the model's defaults: per period,
    at the seed's cap (``FEE_CAP_*`` in ``afterschool.models``)."""
    return FeePolicy(term=term, school_id=term.school_id)


def fee_policy_for(term: Term) -> FeePolicy:
    """The term's policy, or unsaved defaults (``fee_policy_default``)."""
    try:
        return term.fee_policy
    except FeePolicy.DoesNotExist:
        return fee_policy_default(term)


def rate_on(*, base: Decimal, changes: Iterable[FeeRateChange], day: datetime.date) -> Decimal:
    """Yuan per period in force on ``day``: the latest of ``changes`` (the
    term's ``FeeRateChange`` rows) from that day or before, else ``base``
    (the policy's rate). THE rule for a dated rate: the statements
    (``TermContext.rate_on``) and the fee sheet's header read it here."""
    rate = base
    for change in sorted(changes, key=lambda c: c.effective_from):
        if change.effective_from <= day:
            rate = change.rate_per_period
    return rate


def rates_between(
    *,
    base: Decimal,
    changes: Iterable[FeeRateChange],
    first: datetime.date,
    last: datetime.date,
) -> list[tuple[datetime.date, Decimal]]:
    """The rates in force from ``first`` to ``last`` (inclusive) as (from
    date, yuan per period): the rate on ``first`` (``rate_on``), then each
    change dated after it up to ``last``."""
    changes = sorted(changes, key=lambda c: c.effective_from)
    out = [(first, rate_on(base=base, changes=changes, day=first))]
    for change in changes:
        if first < change.effective_from <= last:
            out.append((change.effective_from, change.rate_per_period))
    return out


def policy_as_billed(*, term: Term, statements: QuerySet[FeeStatement]) -> FeePolicy | None:
    """``term``'s fee policy as it stood when ``statements`` were last
    (re)computed — the one they were billed by, even if the admin changed
    the policy since — read from the policy's audit trail; when none of
    them exists yet, the policy as it stands. ``None`` when no policy was
    saved (billing then used the defaults under the school's cap). One
    query (two when the trail has no record, e.g. a policy written in bulk)."""
    last_run = (
        statements.order_by().values("term_id").annotate(last=Max("generated_at")).values("last")
    )
    record = (
        FeePolicy.history.filter(
            term_id=term.pk,
            history_type__in=["+", "~"],
            history_date__lte=Coalesce(Subquery(last_run[:1]), Now()),
        )
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is not None:
        return record.instance
    return fee_policy_of(term)
