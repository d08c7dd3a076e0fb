"""Reading notices: a person's inbox, an announcement's read count."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from afterschool.models import Announcement, Notice, User


def inbox(*, user: User) -> QuerySet[Notice]:
    """``user``'s notices, newest first (one query per page)."""
    return Notice.objects.filter(recipient=user).order_by("-created_at", "-pk")


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
