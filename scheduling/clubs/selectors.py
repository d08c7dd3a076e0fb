"""Club reads: the term's clubs and the dates they meet."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import QuerySet

from afterschool.models import Term
from scheduling.calendar.days import term_calendar
from scheduling.models import Club


def clubs_of(term: Term) -> QuerySet[Club]:
    return Club.objects.filter(term=term).select_related("room", "teacher")


def club_dates(term: Term, clubs: list[Club] | None = None) -> dict[int, list[datetime.date]]:
    """Club id → the dates the club meets in ``term``: every service day whose
    timetable weekday is the club's weekday (a make-up Saturday following
    Thursday counts; suspended days do not). Clubs meet in their ``period``,
    one period (课时) per date. Queries: the term's clubs (unless given) and the
    calendar (``scheduling.calendar.days.term_calendar``).

    Raises ``CalendarUnknownError`` for a term in an unknown year.
    """

    if clubs is None:
        clubs = list(Club.objects.filter(term=term))
    by_weekday: dict[int, list[datetime.date]] = defaultdict(list)
    for d in term_calendar(term):
        if d.has_service:
            by_weekday[d.timetable_weekday].append(d.date)
    return {c.pk: list(by_weekday.get(c.weekday, [])) for c in clubs}


# Words that make a club read like a subject lesson: the basic and featured
# courses must not teach new content (严禁教师授课; 教基厅函〔2023〕26号 says
# no new teaching, drills or collective tutoring in the service).
SUBJECT_LESSON_WORDS = (
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "奥数",
    "作文",
    "提高班",
    "培优",
    "补习",
    "补课",
    "辅导班",
    "同步",
    "刷题",
)


def subject_like_clubs(term: Term) -> list[tuple[Club, str]]:
    """The term's clubs whose name reads like a subject lesson (e.g.
    「数学提高班」), each with the first word that matched
    (``SUBJECT_LESSON_WORDS``). A warning for the admin, not a refusal: a
    「英语绘本阅读」 club may be fine. One query."""
    out = []
    for club in Club.objects.filter(term=term).order_by("name"):
        for word in SUBJECT_LESSON_WORDS:
            if word in club.name:
                out.append((club, word))
                break
    return out
