"""The home pages' aggregate figures and charts, kept a few minutes.

The school admin's counts (``school_figures``) and home charts, and a
homeroom teacher's charts, are the same for every request of a few minutes
and were most of the page's cost. They are computed at most once every
``FIGURES_MINUTES`` per school (per class set for a homeroom teacher) into
the ``figures`` cache (``settings.CACHES``; a dummy cache in the tests, so
they see live figures) and shown with the time they were computed. The
to-dos are never kept: they stay live.

A key names everything the figures depend on: the role, the school, the
term, the day, the language of the labels and, for a homeroom teacher, the
classes counted. One school's or one teacher's figures never reach
another; a teacher given another class gets that class set's figures at
once. The cache holds plain data (str, numbers, Decimal, lists, dicts),
never querysets or model instances.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import caches
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from afterschool.home.selectors import school_figures
from afterschool.models import Term, User
from overview.dashboards.selectors import (
    Chart,
    home_chart_classes,
    home_charts,
    home_charts_for_user,
)

FIGURES_CACHE = "figures"
FIGURES_MINUTES = 5
# Part of every key: a change to what an entry holds starts new keys.
_SHAPE = 1


@dataclass(frozen=True)
class HomeFigures:
    """What a home page shows of the kept figures: the admin's counts
    (``school_figures``, the school year as its label), the charts, and when
    they were computed (``None``: nothing computed, e.g. no term)."""

    figures: dict = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    computed_at: datetime.datetime | None = None

    @property
    def note(self) -> str:
        """「统计于 18:40，每5分钟更新」, or "" when nothing was computed."""
        if self.computed_at is None:
            return ""
        return _("统计于 %(time)s，每%(minutes)d分钟更新") % {
            "time": time_format(timezone.localtime(self.computed_at)),
            "minutes": FIGURES_MINUTES,
        }


def _kept(key: tuple, compute: Callable[[], dict]) -> tuple[dict, datetime.datetime]:
    """``compute()``'s plain data and when it was computed: from the cache
    when an entry for ``key`` is younger than ``FIGURES_MINUTES``, else
    computed now and kept."""
    name = ":".join(["home", str(_SHAPE), *map(str, key)])
    cache = caches[FIGURES_CACHE]
    entry = cache.get(name)
    if entry is None:
        at = timezone.now()
        entry = {"data": compute(), "at": at}
        cache.set(name, entry, FIGURES_MINUTES * 60)
    return entry["data"], entry["at"]


def admin_home_figures(*, user: User, term: Term | None, today: datetime.date) -> HomeFigures:
    """The school admin's counts and home charts for ``term`` (the school's
    current one, ``None`` for none) on ``today``, kept per school, term, day
    and language: no query when kept, 8 when computed (``school_figures``
    2, ``home_charts_for_user`` 6 given the term: classes and 5 charts')."""

    def compute() -> dict:
        figures = school_figures(school_id=user.school_id)
        year = figures["school_year"]
        return {
            "figures": {**figures, "school_year": str(year) if year else ""},
            "charts": [c.as_data() for c in home_charts_for_user(user, term=term)],
        }

    key = ("admin", user.school_id, term.pk if term else "-", today.isoformat(), get_language())
    data, at = _kept(key, compute)
    return HomeFigures(data["figures"], [Chart.from_data(c) for c in data["charts"]], at)


def homeroom_home_charts(*, user: User, term: Term | None, today: datetime.date) -> HomeFigures:
    """A homeroom teacher's home charts for their classes of ``term``'s
    year, kept per school, term, day, language and class set (so two
    teachers of the same classes share them): one query (the classes) when
    kept, 3 when computed; none and nothing shown without a term."""
    if term is None:
        return HomeFigures()
    classes = list(home_chart_classes(user, term))
    if not classes:
        return HomeFigures()
    key = (
        "homeroom",
        user.school_id,
        term.pk,
        today.isoformat(),
        get_language(),
        ",".join(str(c.pk) for c in classes),
    )
    data, at = _kept(
        key,
        lambda: {
            "charts": [c.as_data() for c in home_charts(user=user, term=term, classes=classes)]
        },
    )
    return HomeFigures(charts=[Chart.from_data(c) for c in data["charts"]], computed_at=at)
