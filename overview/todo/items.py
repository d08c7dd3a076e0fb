"""The to-do item every role's list is made of, and what the lists share:
unsigned agreements, unread notices, the time windows they look at."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from afterschool.models import Term, User
from afterschool.selectors import pick_current_term
from enrollment.models import Status

# The placeholder the county's fee document number carries until the school
# types the real one (seed 一.7's 「X教发【2024】X号」).
FEE_DOCUMENT_PLACEHOLDER_MARK = "X号"


# A decision or result stays on the guardian's list this many days.
RECENT_DAYS = 7


# The admin sees unknown calendar days this far ahead.
CALENDAR_LOOKAHEAD_DAYS = 28


@dataclass
class Todo:
    """One line of a to-do list: ``count`` things of ``key`` waiting."""

    key: str
    label: str
    count: int
    url: str
    detail: str = ""
    names: list[str] = field(default_factory=list)
    urgent: bool = False


def signed_q() -> Q:
    """Applications whose agreement is signed online or received on paper."""
    return Q(agreement__signed_at__isnull=False) | Q(agreement__paper_received_at__isnull=False)


def unsigned_agreements(qs):
    """The approved applications of ``qs`` whose agreement is not yet signed."""
    return qs.filter(status=Status.APPROVED).exclude(signed_q())


def agreement_signed() -> ExpressionWrapper:
    """``signed_q`` as a boolean annotation on applications (the agreement
    is a LEFT JOIN: an application without one is unsigned), for a query
    that decides several to-dos from the same rows (``is_unsigned``)."""
    return ExpressionWrapper(signed_q(), output_field=BooleanField())


def is_unsigned(*, status: str, signed: bool) -> bool:
    """``unsigned_agreements``' rule on a row annotated ``agreement_signed``."""
    return status == Status.APPROVED and not signed


def unread_todos(user: User) -> list[Todo]:
    """The 未读通知 item, closing every role's list."""
    # The counter lives on the user row: no query.
    if not user.unread_notices:
        return []
    return [Todo("unread", _("未读通知"), user.unread_notices, reverse("notices:inbox"))]


def todo_term(*, school_id: int, today: datetime.date) -> Term | None:
    """The school's current term on ``today`` (``pick_current_term``) with
    its schedule joined, as the staff to-dos read it; the home page looks it
    up once for the to-dos and the figures. One query."""
    return pick_current_term(
        Term.objects.filter(school_id=school_id).select_related("schedule").order_by("first_day"),
        today=today,
    )
