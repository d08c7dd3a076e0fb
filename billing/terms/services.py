"""The next term from the last (the admin's 新学期): each app copies its own
part, in one transaction, and this orchestrates them. It lives in billing,
the highest layer the copy needs (afterschool's Term and times, scheduling's
schedule, rota pattern and clubs, billing's fee policy; enrollment's agreement template is
per school and versioned, so the new term simply uses the current version).

Applications, agreements, club choices, sessions, rolls and statements are
per term and start fresh.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from afterschool.access import is_admin_of
from afterschool.models import Term, User
from afterschool.rollover.services import term_create_from
from billing.models import FeePolicy
from billing.policy.selectors import fee_policy_for
from billing.policy.services import POLICY_FIELDS, fee_policy_save
from scheduling.terms.services import PatternCopy, clubs_copy, rota_pattern_copy, term_schedule_copy


@dataclass
class TermCopy:
    """What the new term was made with."""

    term: Term
    policy: FeePolicy
    clubs: int
    supervisors: PatternCopy


def fee_policy_copy(
    *, source: Term, target: Term, changes: dict | None = None, by: User
) -> FeePolicy:
    """``target``'s fee policy as ``source``'s (every ``POLICY_FIELDS``
    value; the defaults when ``source`` has none saved), with ``changes``
    applied, through ``fee_policy_save`` so the county's cap is checked
    (raises its ValidationError)."""
    current = fee_policy_for(source)
    data = {f: getattr(current, f) for f in POLICY_FIELDS}
    data.update({k: v for k, v in (changes or {}).items() if k in POLICY_FIELDS})
    return fee_policy_save(term=target, data=data, by=by)


@transaction.atomic
def term_next_from_last(
    *,
    source: Term,
    by: User,
    name: str,
    first_day: datetime.date,
    last_day: datetime.date,
    times: dict[str, datetime.time] | None = None,
    schedule: dict | None = None,
    policy: dict | None = None,
    club_ids: Iterable[int] | None = None,
    supervisor_keys: Iterable[str] | None = None,
) -> TermCopy:
    """Create the next term from ``source``: the term with its times
    (``term_create_from``), its schedule — featured day and period, period
    times (``term_schedule_copy``) —, its fee policy (``fee_policy_copy``)
    the clubs ``club_ids`` (all when ``None``) with their teachers and
    rooms (``clubs_copy``), and the rota pattern's supervisors — who
    supervises which class on which weekday and period — of the slots
    ``supervisor_keys`` (``PatternSlot.key``; all when ``None``;
    ``rota_pattern_copy``). Each ``times``/``schedule``/``policy`` dict holds
    the values the admin changed in the preview.

    Raises ValidationError (nothing written) when ``by`` is not the school's
    admin, or any part refuses (days, name, the fee cap, a club clash).
    """
    if not is_admin_of(by, source.school_id):
        raise ValidationError(_("只有本校管理员可以新建学期。"), code="forbidden")
    term = term_create_from(
        source=source, name=name, first_day=first_day, last_day=last_day, times=times
    )
    term_schedule_copy(source=source, target=term, changes=schedule)
    fee = fee_policy_copy(source=source, target=term, changes=policy, by=by)
    clubs = clubs_copy(source=source, target=term, club_ids=club_ids)
    supervisors = rota_pattern_copy(source=source, target=term, keys=supervisor_keys)
    return TermCopy(term=term, policy=fee, clubs=clubs, supervisors=supervisors)
