"""``load_demo(today)``: every app's demo step, in the order the work flows
(DESIGN.md): the school and its people, then the calendar, enrollment,
scheduling, clubs and billing. Each step is idempotent; the whole load is one
transaction.

The demo is built around a date, ``demo.today`` (``demo.base.demo_today``:
the ``--today`` option, else ``DEMO_TODAY``, else the local date): the term
running that day (or, in a holiday, the coming one) is ``demo.term``, the one
before it ``demo.previous_term`` (``demo.base.demo_terms``). A step is one
line below; a feature's step lives in its own ``demo/<feature>.py`` with a
``build(demo)``.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from demo import (
    billing,
    calendar,
    class_numbers,
    clubs,
    county,
    enrollment,
    memberships,
    notices,
    scheduling,
)
from demo.base import DemoSchool
from demo.school import load_school


def load_demo(today: datetime.date | None = None) -> DemoSchool:
    """Every app's demo data around ``today`` (None: ``DEMO_TODAY`` or the
    local date), in the order the work flows; one transaction."""
    with transaction.atomic():
        demo = load_school(today)
        memberships.build(demo)  # each student's class of each year built (import, rollover)
        class_numbers.build(demo)  # 学号 within each class (list order)
        calendar.build(demo)  # unknown years' holidays, before anything counts days
        enrollment.build(demo)  # the shown term and the previous one
        scheduling.build(demo)  # after enrollment's step: reads approved applications
        clubs.build(demo)  # clubs, windows, choices, allocation (after enrollment)
        billing.build(demo)  # bills what the other steps enrolled
        notices.build(demo)  # notices, an announcement, pickup people
        county.build(demo)  # the county, a second small school, supervisor, homework
    return demo
