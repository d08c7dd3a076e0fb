"""The demo's class memberships: each demo student is a member of its class
of the demo year (``afterschool.rollover.services.memberships_sync``), as the
roster import would have written. Idempotent: a second run writes nothing."""

from __future__ import annotations

from afterschool.models import Student
from afterschool.rollover.services import memberships_sync
from demo.base import DemoSchool


def build(demo: DemoSchool) -> None:
    """Open memberships for the demo school's students that have none."""
    memberships_sync(students=Student.objects.filter(school=demo.school))
