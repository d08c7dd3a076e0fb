"""The audit trail (school policy): every version of a row, with who changed it,
when and why, via django-simple-history.

Give a model ``history = audit_history(_("<名称>变更记录"))``, run
makemigrations, and register its admin with ``SimpleHistoryAdmin``. The user
is the request's (``HistoryRequestMiddleware`` in settings); a service that
knows its actor marks the instance with ``audited(instance, by, reason)``
before saving, so changes made outside a request are attributed too. A
queryset ``update()`` or ``bulk_create`` bypasses the trail: save audited
rows one by one.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


def audit_history(verbose_name) -> HistoricalRecords:
    """The ``history`` field of an audited model. The reason is free text (a
    return or decline reason can be long)."""
    return HistoricalRecords(
        verbose_name=verbose_name,
        verbose_name_plural=verbose_name,
        history_change_reason_field=models.TextField(null=True),
    )


def audited(instance, by, reason: str = ""):
    """Mark ``instance`` so that its next save is recorded as made by ``by``
    (a User), with ``reason``; returns the instance."""
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    return instance
