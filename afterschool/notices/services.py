"""Writing notices (通知): the outbox every event writes to, reading, and
announcements.

Each service that performs an event (an application returned, a day
suspended, a roll with a child absent without leave …) calls ``notify`` in
its own transaction: one in-app Notice per person concerned, plus one
Delivery per outside channel switched on in ``settings.NOTICE_CHANNELS`` and
allowed by the person's NoticePreference. The deliveries are sent by the task
worker once the transaction commits (``afterschool.notices.tasks``); a
request never waits for a provider.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.models import (
    Announcement,
    AnnouncementAudience,
    Delivery,
    Guardian,
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticePreference,
    School,
    SchoolClass,
    User,
)


def _channels_for(users: list[User]) -> dict[int, list[str]]:
    """Outside channels each user gets: the switched-on ones less those the
    user turned off (one query for the preferences)."""
    on = [c for c in settings.NOTICE_CHANNELS if c in NoticeChannel.values]
    if not on:
        return {}
    prefs = {p.user_id: p for p in NoticePreference.objects.filter(user__in=users)}
    result: dict[int, list[str]] = {}
    for user in users:
        pref = prefs.get(user.pk)
        result[user.pk] = [
            c
            for c in on
            if pref is None
            or c == NoticeChannel.CONSOLE
            or (c == NoticeChannel.SMS and pref.sms)
            or (c == NoticeChannel.WECOM and pref.wecom)
        ]
    return result


def notify(
    *,
    school: School | int,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
    announcement: Announcement | None = None,
) -> list[Notice]:
    """Write one notice to each of ``recipients`` (users; duplicates and
    inactive users dropped) and queue its outside deliveries.

    ``kind`` is a ``NoticeKind``; ``title`` and ``body`` are Chinese text
    already filled in (never an ID number); ``link`` a site path to act on
    (``/enrollment/...``). With ``dedupe_key`` (e.g. ``"leave:12"``) a person
    who already has a notice with that key gets no second one: a double
    submit or a periodic check run twice writes once. Returns the new notices.
    Rule source: DESIGN.md 「Telling people」 (product).
    """
    if kind not in NoticeKind.values:
        raise ValueError(f"unknown notice kind {kind!r}")
    school_id = school if isinstance(school, int) else school.pk
    users = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    if not users:
        return []
    with transaction.atomic():
        if dedupe_key:
            already = set(
                Notice.objects.filter(recipient__in=users, dedupe_key=dedupe_key).values_list(
                    "recipient_id", flat=True
                )
            )
            users = [u for u in users if u.pk not in already]
            if not users:
                return []
        now = timezone.now()
        notices = Notice.objects.bulk_create(
            [
                Notice(
                    school_id=school_id,
                    recipient=u,
                    kind=kind,
                    title=title[:100],
                    body=body,
                    link=link,
                    dedupe_key=dedupe_key,
                    announcement=announcement,
                    created_at=now,
                )
                for u in users
            ]
        )
        User.objects.filter(pk__in=[u.pk for u in users]).update(
            unread_notices=F("unread_notices") + 1
        )
        channels = _channels_for(users)
        deliveries = [
            Delivery(notice=n, channel=c, next_attempt_at=now)
            for n in notices
            for c in channels.get(n.recipient_id, [])
        ]
        if deliveries:
            Delivery.objects.bulk_create(deliveries)
            from afterschool.notices.tasks import enqueue_deliveries

            ids = [d.pk for d in deliveries]
            transaction.on_commit(lambda: enqueue_deliveries(ids))
    return notices


def notify_guardians_of_students(
    *, school: School | int, student_ids: Iterable[int], **kwargs
) -> list[Notice]:
    """``notify`` every guardian with a login of the given students (one
    query for the guardians). Arguments after ``student_ids`` as ``notify``."""
    users = list(
        User.objects.filter(
            guardian_records__guardianships__student_id__in=list(student_ids), is_active=True
        ).distinct()
    )
    return notify(school=school, recipients=users, **kwargs)


def notice_mark_read(*, notice: Notice) -> Notice:
    """Mark ``notice`` read (once; reading it again changes nothing) and
    lower its recipient's unread count."""
    with transaction.atomic():
        updated = Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if updated:
            User.objects.filter(pk=notice.recipient_id, unread_notices__gt=0).update(
                unread_notices=F("unread_notices") - 1
            )
    notice.refresh_from_db(fields=["read_at"])
    return notice


def notices_mark_all_read(*, user: User) -> int:
    """Mark every unread notice of ``user`` read; returns how many."""
    with transaction.atomic():
        n = Notice.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        User.objects.filter(pk=user.pk).update(unread_notices=0)
    user.unread_notices = 0
    return n


def notice_preference_save(*, user: User, sms: bool, wecom: bool) -> NoticePreference:
    """Save which outside channels ``user`` wants (in-app is always on)."""
    pref, _created = NoticePreference.objects.update_or_create(
        user=user, defaults={"sms": sms, "wecom": wecom}
    )
    return pref


def _announcement_guardians(announcement: Announcement, school_year_id: int | None):
    students = Q(guardian_records__school_id=announcement.school_id)
    if announcement.audience == AnnouncementAudience.CLASS:
        students &= Q(
            guardian_records__guardianships__student__school_class_id=announcement.school_class_id
        )
    elif announcement.audience == AnnouncementAudience.GRADE:
        students &= Q(
            guardian_records__guardianships__student__school_class__grade=announcement.grade,
            guardian_records__guardianships__student__school_class__school_year_id=school_year_id,
        )
    return User.objects.filter(students, is_active=True).distinct()


def announcement_publish(
    *,
    school: School,
    by: User,
    title: str,
    body: str,
    audience: str,
    grade: int | None = None,
    school_class: SchoolClass | None = None,
) -> Announcement:
    """Publish an announcement to the guardians (with a login) of one class,
    one grade of the current school year, or the whole school: one Notice
    each. Raises ``ValidationError`` (Chinese) for an empty title or body, a
    missing grade or class, or a class of another school."""
    from afterschool.selectors import current_school_year

    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("请填写公告的标题和内容。"))
    if audience == AnnouncementAudience.CLASS and (
        school_class is None or school_class.school_id != school.pk
    ):
        raise ValidationError(_("请选择本校的一个班级。"))
    if audience == AnnouncementAudience.GRADE and not grade:
        raise ValidationError(_("请选择年级。"))
    if audience not in AnnouncementAudience.values:
        raise ValidationError(_("请选择发送范围。"))
    with transaction.atomic():
        announcement = Announcement.objects.create(
            school=school,
            author=by,
            title=title,
            body=body,
            audience=audience,
            grade=grade if audience == AnnouncementAudience.GRADE else None,
            school_class=school_class if audience == AnnouncementAudience.CLASS else None,
        )
        year = current_school_year(school_id=school.pk)
        notify(
            school=school,
            recipients=_announcement_guardians(announcement, year.pk if year else None),
            kind=NoticeKind.ANNOUNCEMENT,
            title=title,
            body=body,
            link="",
            dedupe_key=f"announcement:{announcement.pk}",
            announcement=announcement,
        )
    return announcement


def guardian_users_of_classes(class_ids: Iterable[int]) -> list[User]:
    """Users (with a login) of every guardian of the students of the given
    classes — one query."""
    return list(
        User.objects.filter(
            guardian_records__in=Guardian.objects.filter(
                guardianships__student__school_class_id__in=list(class_ids)
            ),
            is_active=True,
        ).distinct()
    )
