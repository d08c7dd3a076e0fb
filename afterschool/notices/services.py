"""Writing notices (通知): the outbox every event writes to, reading, and
announcements.

Each service that performs an event (an application returned, a day
suspended, a roll with a child absent without leave …) calls ``notify`` in
its own transaction: one in-app Notice per person concerned (a guardian
without a login yet: addressed to the Guardian record, handed to the login
later), plus one Delivery per outside channel switched on in
``settings.NOTICE_CHANNELS`` and allowed by the person's NoticePreference.
The deliveries are sent by the task worker once the transaction commits
(``afterschool.notices.tasks``); a request never waits for a provider.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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
    Role,
    School,
    SchoolClass,
    User,
)
from afterschool.notices.selectors import unread_count_expression


def _channels_for(users: list[User]) -> dict[int, list[str]]:
    """Outside channels each user gets: the switched-on ones less those the
    user turned off (one query for the preferences)."""
    on = _channels_on()
    if not on or not users:
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


def _channels_on() -> list[str]:
    return [c for c in settings.NOTICE_CHANNELS if c in NoticeChannel.values]


def _has_login(guardian: Guardian) -> bool:
    return guardian.user_id is not None and guardian.user.is_active


def notify(
    *,
    school: School | int,
    recipients: Iterable[User] = (),
    guardians: Iterable[Guardian] = (),
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
    announcement: Announcement | None = None,
) -> list[Notice]:
    """Write one notice to each of ``recipients`` (users; duplicates and
    inactive users dropped) and of ``guardians`` (Guardian records, with
    ``user`` joined), and queue its outside deliveries.

    A guardian with an active login gets the notice as that user (naming
    the guardian record); a guardian without one still gets it, addressed to
    the record: sent by SMS to the guardian's mobile and by WeCom to their
    parent userid (every switched-on channel: nobody has turned one off),
    and handed to the login once there is one (``notices_claim``).

    ``kind`` is a ``NoticeKind``; ``title`` and ``body`` are Chinese text
    already filled in (never an ID number); ``link`` a site path to act on
    (``/enrollment/...``). With ``dedupe_key`` (e.g. ``"leave:12"``) a person
    or guardian who already has a notice with that key gets no second one: a
    double submit or a periodic check run twice writes once. Returns the new
    notices. Rule source: DESIGN.md 「Telling people」 (product).
    """
    if kind not in NoticeKind.values:
        raise ValueError(f"unknown notice kind {kind!r}")
    school_id = school if isinstance(school, int) else school.pk
    # One addressee per login (keyed by user) and per guardian without one.
    by_user: dict[int, tuple[User, Guardian | None]] = {
        u.pk: (u, None) for u in recipients if u is not None and u.is_active
    }
    loginless: dict[int, Guardian] = {}
    for g in guardians:
        if _has_login(g):
            by_user[g.user_id] = (g.user, g)
        else:
            loginless[g.pk] = g
    if not by_user and not loginless:
        return []
    with transaction.atomic():
        if dedupe_key:
            # Already told: as the login, or as the guardian record (before
            # or after the record gained its login).
            user_of = {g.pk: uid for uid, (_u, g) in by_user.items() if g is not None}
            seen = Notice.objects.filter(dedupe_key=dedupe_key).filter(
                Q(recipient__in=list(by_user)) | Q(guardian__in=[*user_of, *loginless])
            )
            for user_id, guardian_id in seen.values_list("recipient_id", "guardian_id"):
                by_user.pop(user_id, None)
                by_user.pop(user_of.get(guardian_id), None)
                loginless.pop(guardian_id, None)
            if not by_user and not loginless:
                return []
        now = timezone.now()
        common = {
            "school_id": school_id,
            "kind": kind,
            "title": title[:100],
            "body": body,
            "link": link,
            "dedupe_key": dedupe_key,
            "announcement": announcement,
            "created_at": now,
        }
        notices = Notice.objects.bulk_create(
            [Notice(recipient=u, guardian=g, **common) for u, g in by_user.values()]
            + [Notice(recipient=None, guardian=g, **common) for g in loginless.values()]
        )
        if by_user:
            _recount(User.objects.filter(pk__in=list(by_user)))
        channels = _channels_for([u for u, _g in by_user.values()])
        on = _channels_on()
        deliveries = [
            Delivery(notice=n, channel=c, next_attempt_at=now)
            for n in notices
            for c in (channels.get(n.recipient_id, []) if n.recipient_id else on)
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
    """``notify`` every guardian of the given students, with a login or not
    (one query for the guardians). Arguments after ``student_ids`` as
    ``notify``."""
    guardians = list(
        Guardian.objects.filter(guardianships__student_id__in=list(student_ids))
        .select_related("user")
        .distinct()
    )
    return notify(school=school, guardians=guardians, **kwargs)


def notices_claim(*, user: User) -> int:
    """Hand ``user`` the notices written to their guardian records while
    those had no login (``notify``), so they show in the inbox and the
    unread count; a notice of an event the user already has (same
    ``dedupe_key``) is dropped instead. Called when a guardian record gains
    its login (roster import) and when a login is activated. Returns how many
    notices were handed over."""
    with transaction.atomic():
        pending = list(
            Notice.objects.select_for_update()
            .filter(recipient__isnull=True, guardian__user=user)
            .only("pk", "dedupe_key", "read_at")
        )
        if not pending:
            return 0
        have = set(
            Notice.objects.filter(recipient=user)
            .exclude(dedupe_key="")
            .values_list("dedupe_key", flat=True)
        )
        take, drop, keys = [], [], set()
        for n in pending:
            if n.dedupe_key and (n.dedupe_key in have or n.dedupe_key in keys):
                drop.append(n.pk)
            else:
                take.append(n)
                keys.add(n.dedupe_key)
        if drop:
            Notice.objects.filter(pk__in=drop).delete()
        Notice.objects.filter(pk__in=[n.pk for n in take]).update(recipient=user)
        if any(n.read_at is None for n in take):
            _recount(User.objects.filter(pk=user.pk))
    return len(take)


def notice_mark_read(*, notice: Notice) -> Notice:
    """Mark ``notice`` read (once; reading it again changes nothing) and
    recount its recipient's unread notices."""
    with transaction.atomic():
        updated = Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if updated:
            _recount(User.objects.filter(pk=notice.recipient_id))
    notice.refresh_from_db(fields=["read_at"])
    return notice


def notices_mark_read_for_event(*, user: User, dedupe_key: str) -> int:
    """Mark read ``user``'s unread notices of one event (``dedupe_key``, as
    ``notify`` wrote it): the person has seen what it told them on the page
    it links to (e.g. their child's club result). Returns how many were
    marked; one query when there were none, two otherwise (the recount)."""
    if not dedupe_key or not user.is_authenticated:
        return 0
    with transaction.atomic():
        n = Notice.objects.filter(
            recipient=user, dedupe_key=dedupe_key, read_at__isnull=True
        ).update(read_at=timezone.now())
        if n:
            _recount(User.objects.filter(pk=user.pk))
    return n


def _recount(users) -> None:
    """Set ``unread_notices`` of ``users`` (a User queryset) to what the
    inbox marks 未读 (``selectors.unread``): one query, whatever the rows."""
    users.update(unread_notices=unread_count_expression())


def unread_notices_recount(*, user_ids: Iterable[int]) -> None:
    """Recount the stored unread count of the given users from their inbox
    (``selectors.unread``), after notices were changed in bulk outside the
    services above (e.g. the demo dating its notices as read). Only users
    whose count is off are written, so a run with nothing to mend writes
    nothing (the demo's second run). One query, and one update when some
    count was off."""
    off = list(
        User.objects.filter(pk__in=list(user_ids))
        .annotate(actual=unread_count_expression())
        .exclude(unread_notices=F("actual"))
        .values_list("pk", flat=True)
    )
    if off:
        _recount(User.objects.filter(pk__in=off))


def notices_mark_all_read(*, user: User) -> int:
    """Mark every unread notice of ``user`` read; returns how many."""
    with transaction.atomic():
        n = Notice.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        User.objects.filter(pk=user.pk).update(unread_notices=0)
    user.unread_notices = 0
    return n


def notice_preference_save(
    *, user: User, sms: bool, wecom: bool, wecom_parent_userids: dict[int, str] | None = None
) -> NoticePreference:
    """Save which outside channels ``user`` wants (in-app is always on) and,
    for a guardian, the WeCom parent userid of each of their guardian
    records (``wecom_parent_userids``: Guardian pk → userid, "" clears;
    records not the user's are refused). All or nothing: raises
    ``ValidationError`` with the field ``wecom_<pk>`` named (see
    ``guardian_wecom_set``) and writes nothing then."""
    ids = wecom_parent_userids or {}
    with transaction.atomic():
        records = {g.pk: g for g in Guardian.objects.filter(user=user, pk__in=list(ids))}
        errors: dict[str, list] = {}
        for pk, value in ids.items():
            guardian = records.get(pk)
            if guardian is None:
                errors[f"wecom_{pk}"] = [_("您不能修改这位家长的联系方式。")]
                continue
            try:
                with transaction.atomic():
                    guardian_wecom_set(guardian=guardian, wecom_parent_userid=value, by=user)
            except ValidationError as exc:
                errors[f"wecom_{pk}"] = exc.messages
        if errors:
            raise ValidationError(errors)
        pref, _created = NoticePreference.objects.update_or_create(
            user=user, defaults={"sms": sms, "wecom": wecom}
        )
    return pref


def _announcement_guardians(announcement: Announcement, school_year_id: int | None):
    """The Guardian records (login joined) an announcement goes to: of the
    children of its class, or of its grade in ``school_year_id``, through
    the memberships of that year (``students_of_class``,
    ``students_of_year``), not the latest-class pointer, which a rollover
    moves to next year's class before the old year is over."""
    from afterschool.selectors import students_of_class, students_of_year

    qs = Guardian.objects.filter(school_id=announcement.school_id)
    if announcement.audience == AnnouncementAudience.CLASS:
        qs = qs.filter(guardianships__student__in=students_of_class(announcement.school_class_id))
    elif announcement.audience == AnnouncementAudience.GRADE:
        if school_year_id is None:
            return qs.none()
        qs = qs.filter(
            guardianships__student__in=students_of_year(school_year_id, grade=announcement.grade)
        )
    return qs.select_related("user").distinct()


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
    """Publish an announcement to the guardians of one class, one grade of
    the current school year, or the whole school: one Notice each (a
    guardian without a login is reached by SMS/WeCom, see ``notify``).

    ``by`` is the school's admin (any audience) or a homeroom teacher (one
    class they lead only: ``afterschool.access.may_announce``). Raises
    ``ValidationError`` (Chinese) for an empty title or body, a missing grade
    or class, a class of another school, or an audience ``by`` may not
    write to; nothing is written then."""
    from afterschool.access import may_announce
    from afterschool.selectors import current_school_year

    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("请填写公告的标题和内容。"))
    if audience not in AnnouncementAudience.values:
        raise ValidationError(_("请选择发送范围。"))
    if audience == AnnouncementAudience.CLASS and (
        school_class is None or school_class.school_id != school.pk
    ):
        raise ValidationError(_("请选择本校的一个班级。"))
    if audience == AnnouncementAudience.GRADE and not grade:
        raise ValidationError(_("请选择年级。"))
    if by.school_id != school.pk or not may_announce(
        by,
        audience=audience,
        school_class=school_class if audience == AnnouncementAudience.CLASS else None,
    ):
        if by.school_id == school.pk and by.role == Role.HOMEROOM:
            raise ValidationError(_("班主任只能给自己班的家长发布公告。"))
        raise ValidationError(_("只有本校的学校管理员和班主任可以发布公告。"))
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
            guardians=_announcement_guardians(announcement, year.pk if year else None),
            kind=NoticeKind.ANNOUNCEMENT,
            title=title,
            body=body,
            link="",
            dedupe_key=f"announcement:{announcement.pk}",
            announcement=announcement,
        )
    return announcement


def guardian_wecom_set(*, guardian: Guardian, wecom_parent_userid: str, by: User) -> Guardian:
    """Record ``guardian``'s parent userid in the school's 企业微信 家校通讯录
    (an empty string clears it), so notices reach them by 学校通知
    (``NoticeChannel.WECOM``). ``by``: the school's admin, a homeroom teacher
    of one of the guardian's children, or the guardian's own login
    (``afterschool.access.can_edit_guardian_contact``).

    The value is stripped and must follow WeCom's rule for a parent userid
    (1–64 characters of letters, digits and 「_-@.」, starting with a letter
    or digit) and be unused by another guardian of the school, ignoring case
    (WeCom 家校沟通「创建家长」). Raises ``ValidationError`` (Chinese) when it is
    not, or ``by`` may not change it; nothing is written then."""
    from afterschool.access import can_edit_guardian_contact
    from afterschool.models import WECOM_PARENT_USERID_VALIDATOR

    value = (wecom_parent_userid or "").strip()
    if not can_edit_guardian_contact(by, guardian):
        raise ValidationError(_("您不能修改这位家长的联系方式。"))
    if value:
        WECOM_PARENT_USERID_VALIDATOR(value)
        taken = (
            Guardian.objects.filter(school_id=guardian.school_id, wecom_parent_userid__iexact=value)
            .exclude(pk=guardian.pk)
            .exists()
        )
        if taken:
            raise ValidationError(
                _("企业微信家长账号“%(id)s”已登记给本校另一位家长，请核对。") % {"id": value}
            )
    if guardian.wecom_parent_userid != value:
        guardian.wecom_parent_userid = value
        try:
            with transaction.atomic():
                guardian.save(update_fields=["wecom_parent_userid"])
        except IntegrityError:  # taken in the meantime (unique per school)
            raise ValidationError(
                _("企业微信家长账号“%(id)s”已登记给本校另一位家长，请核对。") % {"id": value}
            ) from None
    return guardian


def guardian_users_of_classes(class_ids: Iterable[int]) -> list[User]:
    """Users (with a login) of every guardian of the students of the given
    classes, each class's children of its own school year (memberships, as
    ``students_of_class``) — one query."""
    return list(
        User.objects.filter(
            guardian_records__in=Guardian.objects.filter(
                guardianships__student__memberships__school_class_id__in=list(class_ids)
            ),
            is_active=True,
        ).distinct()
    )
