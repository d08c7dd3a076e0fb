"""Reading a term's fee standard: the saved one, or the defaults to bill by."""

from __future__ import annotations

from afterschool.models import Term
from billing.models import FeePolicy


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
