"""Reading a term's saved fee standard."""

from __future__ import annotations

from afterschool.models import Term
from billing.models import FeePolicy


def fee_policy_of(term: Term) -> FeePolicy | None:
    return FeePolicy.objects.filter(term=term).first()
