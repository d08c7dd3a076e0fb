"""What every demo step shares: the seed, the demo password, ``DemoSchool``
(what the steps built so far) and ``sync``, the natural-key writer that makes
a second run of ``load_demo`` write no row.

Every step draws from its own seeded random stream (``seeded_rng`` /
``seeded_faker``), so adding a step does not reshuffle the others.
"""

from __future__ import annotations

import datetime
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
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
# 一年级 … 六年级, four classes each (the demo school's shape).
GRADES = range(1, 7)
CLASSES_PER_GRADE = 4
DEMO_PASSWORD = "demo12345"
# A fixed salt makes the demo password's hash the same on every run, so a
# second run writes nothing; the password itself is public (README).
DEMO_SALT = "demo-school-salt"
TZ = ZoneInfo("Asia/Shanghai")


# --- the demo's "today" and its terms ---------------------------------------------


def demo_today(today: datetime.date | None = None) -> datetime.date:
    """The date the demo is built around: ``today`` when given (the
    ``--today`` option), else the ``DEMO_TODAY`` environment variable
    (``YYYY-MM-DD``), else ``timezone.localdate()``.

    Raises ``ImproperlyConfigured`` for a ``DEMO_TODAY`` that is not a date.
    """
    if today is not None:
        return today
    raw = os.environ.get("DEMO_TODAY", "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DEMO_TODAY 应为 YYYY-MM-DD 格式的日期，而不是 {raw!r}。"
        ) from error


def demo_now(today: datetime.date) -> datetime.datetime:
    """The demo's "now": the start of ``today`` (Asia/Shanghai), so nothing
    dated today or later has happened yet: today's rolls, signatures and
    reviews are still to do."""
    return datetime.datetime.combine(today, datetime.time(0, 0), tzinfo=TZ)


@dataclass(frozen=True)
class TermSpan:
    """A term's name and dates as the demo plans them (before it is a ``Term``).

    ``start_year`` is its school year's (autumn 2026 and spring 2027 are both
    in school year 2026—2027); ``season`` is "autumn" or "spring".
    """

    season: str
    calendar_year: int
    first_day: datetime.date
    last_day: datetime.date

    @property
    def start_year(self) -> int:
        return self.calendar_year if self.season == "autumn" else self.calendar_year - 1

    @property
    def name(self) -> str:
        return f"{self.calendar_year}年{'秋季' if self.season == 'autumn' else '春季'}学期"

    def contains(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day


def _monday_on_or_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=-day.weekday() % 7)


def _friday_on_or_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def term_span(season: str, year: int) -> TermSpan:
    """The demo school's term dates: autumn ``year`` runs from the first
    Monday on or after 1 September to the Friday on or before 22 January of
    ``year + 1``; spring ``year`` from the first Monday on or after
    24 February to the Friday on or before 10 July (the usual shape of a
    county's 校历: about 20 weeks, winter break over the Spring Festival)."""
    if season == "autumn":
        return TermSpan(
            season,
            year,
            _monday_on_or_after(datetime.date(year, 9, 1)),
            _friday_on_or_before(datetime.date(year + 1, 1, 22)),
        )
    return TermSpan(
        season,
        year,
        _monday_on_or_after(datetime.date(year, 2, 24)),
        _friday_on_or_before(datetime.date(year, 7, 10)),
    )


@dataclass(frozen=True)
class DemoTerms:
    """The two terms the demo builds for a date: ``shown`` (the term running
    on ``today``, or in a holiday the coming one, prepared) and ``previous``
    (the one before it, complete); ``running`` says whether ``shown`` has
    started."""

    today: datetime.date
    shown: TermSpan
    previous: TermSpan
    running: bool


def demo_terms(today: datetime.date) -> DemoTerms:
    """Which terms the demo shows on ``today`` (``term_span``'s dates):
    on 2026-12-02 autumn 2026 (running) after spring 2026; on 2026-08-01
    (summer holiday) autumn 2026 (coming) after spring 2026."""
    spans = sorted(
        (
            term_span(season, y)
            for y in range(today.year - 2, today.year + 2)
            for season in ("spring", "autumn")
        ),
        key=lambda t: t.first_day,
    )
    for i, span in enumerate(spans):
        if span.contains(today):
            return DemoTerms(today, span, spans[i - 1], True)
        if span.first_day > today:
            return DemoTerms(today, span, spans[i - 1], False)
    raise AssertionError("unreachable: spans run past today")


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
    # The date the demo is built around (``demo_today``) and its terms
    # (``demo_terms``): ``term`` is the term shown (running today, or the
    # coming one in a holiday), ``previous_term`` the one before, complete.
    today: datetime.date = field(default_factory=demo_today)
    school_year: SchoolYear | None = None
    term: Term | None = None
    previous_term: Term | None = None
    term_running: bool = True
    rooms: dict[str, Room] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    classes: dict[tuple[int, int], SchoolClass] = field(default_factory=dict)
    # The previous term's school year and its classes by (grade, number),
    # when the previous term is in the school year before (autumn shown:
    # spring belongs to the year before); empty otherwise (it shares
    # ``classes``).
    previous_school_year: SchoolYear | None = None
    previous_classes: dict[tuple[int, int], SchoolClass] = field(default_factory=dict)
    students: list[Student] = field(default_factory=list)
    guardians: dict[str, Guardian] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)

    @property
    def now(self) -> datetime.datetime:
        """``demo_now(self.today)``: nothing at or after it has happened."""
        return demo_now(self.today)

    @property
    def yesterday(self) -> datetime.date:
        return self.today - datetime.timedelta(days=1)

    def classes_of(self, term: Term) -> dict[tuple[int, int], SchoolClass]:
        """The classes of ``term``'s school year: ``previous_classes`` for a
        previous term of the year before, ``classes`` otherwise."""
        if self.previous_classes and term.school_year_id == self.previous_school_year.pk:
            return self.previous_classes
        return self.classes


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
