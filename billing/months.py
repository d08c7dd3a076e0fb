"""Calendar months as billing counts them: a statement is per month, and
pages pick one month of the term (``?month=2024-09``)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from afterschool.models import Term
from afterschool.selectors import term_months


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    nxt = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return nxt - datetime.timedelta(days=1)


def parse_month(value: str | None) -> datetime.date | None:
    """``"2024-09"`` → 1 Sep 2024; None for blank or malformed input."""
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


def month_of_term(term: Term, asked: str | None) -> datetime.date:
    """The month asked for (``"2024-09"``) if in the term, else this month
    if in the term, else the term's first month."""
    months = term_months(term)
    month = parse_month(asked)
    if month in months:
        return month
    this = month_start(timezone.localdate())
    return this if this in months else months[0]
