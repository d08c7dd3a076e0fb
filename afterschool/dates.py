"""Dates as the pages and messages write them (Chinese, n月j日)."""

from __future__ import annotations

import datetime


def month_day(d: datetime.date) -> str:
    """「9月2日」: ``d`` without its year, as messages and pages name a day."""
    return f"{d.month}月{d.day}日"


def month_day_time(moment: datetime.datetime) -> str:
    """「9月2日 08:05」: a local time of the current term, as staff tables show it."""
    return f"{month_day(moment)} {moment:%H:%M}"
