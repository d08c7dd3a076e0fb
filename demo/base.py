"""What every demo step shares: the seed, the demo password, ``DemoSchool``
(what the steps built so far) and ``sync``, the natural-key writer that makes
a second run of ``load_demo`` write no row.

Every step draws from its own seeded random stream (``seeded_rng`` /
``seeded_faker``), so adding a step does not reshuffle the others.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import models
from faker import Faker

from afterschool.models import (
    Guardian,
    Role,
    Room,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Term,
    User,
)
from afterschool.services import user_set_role

SEED = "sunshine-2024"
DEMO_PASSWORD = "demo12345"
# A fixed salt makes the demo password's hash the same on every run, so a
# second run writes nothing; the password itself is public (README).
DEMO_SALT = "demo-school-salt"


@dataclass(frozen=True)
class DemoLogin:
    """One printed demo login: role label, username, password, what to try."""

    role: str
    username: str
    password: str
    hint: str


@dataclass
class DemoSchool:
    """What ``load_demo`` built, for the command's report and for later steps."""

    school: School
    school_year: SchoolYear | None = None
    term: Term | None = None
    rooms: dict[str, Room] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    classes: dict[tuple[int, int], SchoolClass] = field(default_factory=dict)
    students: list[Student] = field(default_factory=list)
    guardians: dict[str, Guardian] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def seeded_rng(step: str) -> random.Random:
    """The seeded random stream of one build step."""
    return random.Random(f"{SEED}:{step}")


def seeded_faker(step: str) -> Faker:
    """A zh_CN Faker seeded for one build step."""
    fake = Faker("zh_CN")
    fake.seed_instance(f"{SEED}:{step}")
    return fake


def demo_password_hash() -> str:
    """The demo password's hash, the same on every run (``DEMO_SALT``)."""
    return make_password(DEMO_PASSWORD, salt=DEMO_SALT)


def sync(
    model: type[models.Model],
    existing: Iterable[models.Model],
    wanted: Sequence[models.Model],
    *,
    key: Sequence[str],
    fields: Sequence[str],
) -> dict[tuple, models.Model]:
    """Make the rows ``wanted`` exist: create those whose natural ``key`` is not
    among ``existing``, update ``fields`` of those that differ, leave the rest.

    Returns ``{key tuple: saved row}`` for every wanted row, with primary keys.
    """

    def key_of(obj):
        return tuple(getattr(obj, k) for k in key)

    attnames = [model._meta.get_field(f).attname for f in fields]
    by_key = {key_of(obj): obj for obj in existing}
    to_create, to_update = [], []
    for obj in wanted:
        current = by_key.get(key_of(obj))
        if current is None:
            to_create.append(obj)
            continue
        # Compare foreign keys by id (``school_id``), not by fetching the row.
        changed = [a for a in attnames if getattr(current, a) != getattr(obj, a)]
        for a in changed:
            setattr(current, a, getattr(obj, a))
        if changed:
            to_update.append(current)
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, list(fields), batch_size=500)
    # SQLite >= 3.35 and PostgreSQL return the new ids from a bulk insert.
    assert all(obj.pk is not None for obj in to_create)
    for obj in to_create:
        by_key[key_of(obj)] = obj
    return {key_of(obj): by_key[key_of(obj)] for obj in wanted}


def set_roles(users: dict[str, User], roles: dict[str, Role]) -> None:
    """``user_set_role`` for each user not already in the role and its group."""
    role_group = {str(r.label): r.value for r in Role}
    in_group = set(
        User.groups.through.objects.filter(
            user_id__in=[u.pk for u in users.values()], group__name__in=role_group
        ).values_list("user_id", "group__name")
    )
    for username, user in users.items():
        role = roles[username]
        if user.role != role or (user.pk, str(role.label)) not in in_group:
            user_set_role(user=user, role=role)
