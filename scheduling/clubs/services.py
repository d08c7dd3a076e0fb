"""Club rules that write: a club of the featured course in a room that suits
it, with a teacher free at its weekday and period.

Every function is keyword-only, typed, and raises ``ValidationError`` with a
Chinese message (nothing written) when a rule refuses. Rule sources: the seed
(一.2 featured course) and DESIGN.md "Featured course".
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from afterschool.models import Room, RoomKind, Term, User
from scheduling.calendar.days import term_schedule
from scheduling.calendar.selectors import term_classes
from scheduling.models import CLUB_TEACHER_ROLES, Club, ClubCategory, Session, Weekday, slot_label

# Rooms that suit each club category (DESIGN.md "Featured course": a room
# suited to it — 操场、图书室、阅览室、功能室). ``None``: any room.
SUITABLE_ROOMS: dict[str, tuple[str, ...] | None] = {
    ClubCategory.SPORTS: (RoomKind.PLAYGROUND, RoomKind.GYM),
    ClubCategory.MUSIC: (RoomKind.MUSIC, RoomKind.GYM),
    ClubCategory.DANCE: (RoomKind.MUSIC, RoomKind.GYM),
    ClubCategory.ART: (RoomKind.ART, RoomKind.CLASSROOM, RoomKind.FUNCTION_ROOM),
    ClubCategory.CALLIGRAPHY: (RoomKind.ART, RoomKind.CLASSROOM, RoomKind.FUNCTION_ROOM),
    ClubCategory.READING: (RoomKind.LIBRARY, RoomKind.READING_ROOM),
    ClubCategory.SCIENCE: (RoomKind.FUNCTION_ROOM, RoomKind.CLASSROOM),
    ClubCategory.OTHER: None,
}


def _room_kinds_label(kinds: tuple[str, ...]) -> str:
    return "、".join(str(RoomKind(k).label) for k in kinds)


def club_clashes(
    *,
    term: Term,
    room: Room,
    teacher: User,
    weekday: int,
    period: str,
    exclude: Club | None = None,
) -> list[str]:
    """Chinese messages, one per booking that clashes with a club meeting in
    ``room`` led by ``teacher`` at ``weekday`` × ``period`` of ``term``: another
    club in the room or led by the teacher, a class's basic session in the room
    in that slot, or the teacher supervising a basic session then."""
    slot = slot_label(weekday, period)
    messages: list[str] = []
    others = Club.objects.filter(term=term, weekday=weekday, period=period).select_related(
        "room", "teacher"
    )
    if exclude is not None and exclude.pk:
        others = others.exclude(pk=exclude.pk)
    for other in others:
        if other.room_id == room.id:
            messages.append(
                _("场地 %(room)s 在 %(slot)s 已被 %(club)s 使用")
                % {"room": room, "slot": slot, "club": other}
            )
        if other.teacher_id == teacher.id:
            messages.append(
                _("教师 %(teacher)s 在 %(slot)s 已负责 %(club)s")
                % {"teacher": teacher, "slot": slot, "club": other}
            )
    schedule = term_schedule(term)
    has_basic = not (weekday == schedule.featured_weekday and period == schedule.featured_period)
    if has_basic:
        owner = term_classes(term).filter(room=room).first()
        if owner is not None:
            messages.append(
                _("场地 %(room)s 在 %(slot)s 已被 %(cls)s 基础课程 使用")
                % {"room": room, "slot": slot, "cls": owner}
            )
    session = (
        Session.objects.filter(term=term, weekday=weekday, period=period, supervisor=teacher)
        .select_related("school_class")
        .order_by("date")
        .first()
    )
    if session is not None:
        messages.append(
            _("教师 %(teacher)s 在 %(slot)s 已安排看班 %(cls)s（%(date)s 起）")
            % {
                "teacher": teacher,
                "slot": slot,
                "cls": session.school_class,
                "date": session.date.isoformat(),
            }
        )
    return messages


def _club_check(
    *,
    term: Term,
    name: str,
    category: str,
    min_grade: int,
    max_grade: int,
    capacity: int,
    teacher: User,
    room: Room,
    weekday: int,
    period: str,
    exclude: Club | None,
) -> None:
    errors: list[str] = []
    if room.school_id != term.school_id:
        errors.append(_("场地不属于本校。"))
    if teacher.school_id != term.school_id or teacher.role not in CLUB_TEACHER_ROLES:
        errors.append(_("指导教师必须是本校教职工。"))
    if errors:
        raise ValidationError(errors)
    if max_grade < min_grade:
        errors.append(_("最高年级不能低于最低年级。"))
    if weekday > Weekday.FRIDAY:
        errors.append(_("社团只能安排在周一至周五。"))
    dup = Club.objects.filter(term=term, name=name)
    if exclude is not None and exclude.pk:
        dup = dup.exclude(pk=exclude.pk)
    if dup.exists():
        errors.append(_("本学期已有名为 %(name)s 的社团。") % {"name": name})
    kinds = SUITABLE_ROOMS[category]
    if kinds is not None and room.kind not in kinds:
        errors.append(
            _("%(cat)s类社团须安排在%(kinds)s，场地 %(room)s（%(kind)s）不适合")
            % {
                "cat": ClubCategory(category).label,
                "kinds": _room_kinds_label(kinds),
                "room": room,
                "kind": room.get_kind_display(),
            }
        )
    if room.capacity < capacity:
        errors.append(
            _("场地 %(room)s 只能容纳 %(room_cap)s 人，少于社团人数上限 %(cap)s 人")
            % {"room": room, "room_cap": room.capacity, "cap": capacity}
        )
    errors += club_clashes(
        term=term, room=room, teacher=teacher, weekday=weekday, period=period, exclude=exclude
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def club_save(
    *,
    term: Term,
    name: str,
    category: str,
    min_grade: int,
    max_grade: int,
    capacity: int,
    teacher: User,
    room: Room,
    weekday: int | None = None,
    period: str | None = None,
    description: str = "",
    club: Club | None = None,
) -> Club:
    """Create a club (``club=None``) or update ``club`` for ``term``.

    ``weekday``/``period`` default to the term's featured weekday and period
    (特色课后服务日). Grades are 1–9, capacity is students.

    Raises ``ValidationError`` (a list of Chinese messages, nothing written)
    when the room does not suit the category (``SUITABLE_ROOMS``) or cannot hold
    the capacity, or the room or teacher is booked at that time by another club
    or a basic session — each message names the other booking, e.g.
    「场地 音乐室 在 周四 下午 已被 合唱团 使用」.
    """
    schedule = term_schedule(term)
    if weekday is None:
        weekday = schedule.featured_weekday
    if not period:
        period = schedule.featured_period
    name = name.strip()
    # Lock the term so two admins saving clubs at once are checked one after
    # the other (the unique constraints on Club are the last line).
    list(Term.objects.select_for_update().filter(pk=term.pk).values_list("pk", flat=True))
    _club_check(
        term=term,
        name=name,
        category=category,
        min_grade=min_grade,
        max_grade=max_grade,
        capacity=capacity,
        teacher=teacher,
        room=room,
        weekday=weekday,
        period=period,
        exclude=club,
    )
    if club is None:
        club = Club(school=term.school, term=term)
    club.name = name
    club.category = category
    club.min_grade = min_grade
    club.max_grade = max_grade
    club.capacity = capacity
    club.teacher = teacher
    club.room = room
    club.weekday = weekday
    club.period = period
    club.description = description
    club.save()
    return club


def club_delete(*, club: Club) -> None:
    club.delete()
