"""Reading notices: a person's inbox, an announcement's read count."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from afterschool.models import Announcement, Notice, User


def inbox(*, user: User) -> QuerySet[Notice]:
    """``user``'s notices, newest first (one query per page)."""
    return Notice.objects.filter(recipient=user).order_by("-created_at", "-pk")


# The one rule of 「未读」: a notice in the person's inbox with no read time.
# The inbox marks each such notice 未读, and the count on the user row
# (``User.unread_notices``: the nav badge, the inbox title, the home to-do)
# is always recomputed from it (``unread_count_expression``), never kept by
# adding and subtracting, so a notice read or removed by any path cannot
# leave the badge saying more than the list shows.
UNREAD = Q(read_at__isnull=True)


def unread(*, user: User) -> QuerySet[Notice]:
    """``user``'s notices the inbox marks 未读 (``inbox`` less the read ones)."""
    return inbox(user=user).filter(UNREAD)


def unread_count_expression(user_ref: str = "pk") -> Coalesce:
    """How many notices ``unread`` gives for the user row ``user_ref`` names,
    as a subquery expression: ``User.objects.filter(...).update(
    unread_notices=unread_count_expression())`` refreshes the stored count
    of many users in one query."""
    counted = (
        Notice.objects.filter(UNREAD, recipient=OuterRef(user_ref))
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), Value(0))


def announcements_with_reads(*, announcements: QuerySet[Announcement]) -> QuerySet[Announcement]:
    """``announcements`` (e.g. ``afterschool.access.announcements_for_user``),
    newest first, each annotated ``sent`` (notices written) and ``read`` (of
    them, read) — one query."""
    return (
        announcements.select_related("school_class", "author")
        .annotate(
            sent=Count("notices"),
            read=Count("notices", filter=Q(notices__read_at__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )
