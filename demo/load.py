"""``load_demo()``: every app's demo step, in the order the work flows
(DESIGN.md): the school and its people, then enrollment, scheduling, clubs
and billing. Each step is idempotent; the whole load is one transaction.
"""

from __future__ import annotations

from django.db import transaction

from demo import billing, clubs, enrollment, memberships, scheduling
from demo.base import DemoSchool
from demo.school import load_school


def load_demo() -> DemoSchool:
    """Every app's demo data, in the order the work flows; one transaction."""
    with transaction.atomic():
        demo = load_school()
        memberships.build(demo)  # each student's class of the year, as an import writes it
        enrollment.build(demo)
        scheduling.build(demo)  # after enrollment's step: reads approved applications
        clubs.build(demo)  # clubs, windows, choices, allocation (after enrollment)
        billing.build(demo)  # last: bills what the other steps enrolled
    return demo
