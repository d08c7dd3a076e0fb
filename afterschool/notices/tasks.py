"""Sending notices through the outside channels in the task worker
(Django's tasks framework: ``django_tasks_db`` stores the tasks and
``manage.py db_worker`` runs them; tests run them at once).

Each Delivery is tried once per due time. A failure a later try may cure
waits ``NOTICE_RETRY_BASE_SECONDS × 2^(attempt−1)`` (60 s, 2 min, 4 min …) and
is queued again for then (where the task backend can defer; otherwise the
periodic ``manage.py notices_run`` picks it up); after
``NOTICE_MAX_ATTEMPTS`` attempts, or on a failure no retry can cure, it is
marked failed. Every attempt's outcome is kept on the Delivery.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import default_task_backend, task
from django.utils import timezone

from afterschool.models import Delivery, DeliveryStatus, Guardian, NoticeChannel
from afterschool.notices.backends import DeliveryError, Message, NoAddress, get_backend

logger = logging.getLogger(__name__)

OPEN = (DeliveryStatus.PENDING, DeliveryStatus.RETRY)


# Without SITE_URL (development) a notice links to runserver's default address.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after attempt number ``attempts`` (1-based) failed."""
    return datetime.timedelta(seconds=settings.NOTICE_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


@task()
def send_deliveries(delivery_ids: list[int]) -> int:
    """Try each of ``delivery_ids`` that is due; returns how many were sent."""
    return sum(delivery_attempt(delivery_id=pk) == DeliveryStatus.SENT for pk in delivery_ids)


def enqueue_deliveries(
    delivery_ids: list[int], *, run_after: datetime.datetime | None = None
) -> None:
    """Queue ``send_deliveries`` (at ``run_after`` where the backend can defer)."""
    if run_after is not None:
        if not default_task_backend.supports_defer:
            return  # the periodic notices_run command sends it when due
        send_deliveries.using(run_after=run_after).enqueue(delivery_ids)
        return
    send_deliveries.enqueue(delivery_ids)


def _guardian(notice) -> Guardian | None:
    """The guardian record a notice goes to: the one it names, else (a
    notice written to a guardian's login) the login's record at the
    notice's school."""
    if notice.guardian_id is not None:
        return notice.guardian
    user = notice.recipient
    if user is None or not user.is_guardian:
        return None
    return Guardian.objects.filter(user=user, school_id=notice.school_id).order_by("pk").first()


def _message(delivery: Delivery) -> Message:
    notice = delivery.notice
    user = notice.recipient
    guardian = _guardian(notice)
    link = notice.link or f"/notices/{notice.pk}/"
    if guardian is not None:
        mobile = guardian.mobile
    else:
        mobile = user.mobile or (user.username if user.is_guardian else "")
    return Message(
        title=notice.title,
        body=notice.body,
        url=(settings.SITE_URL or DEVELOPMENT_SITE_URL).rstrip("/") + link,
        mobile=mobile,
        wecom_parent_userid=guardian.wecom_parent_userid if guardian else "",
        notice_id=notice.pk,
    )


def delivery_attempt(*, delivery_id: int) -> str:
    """Try one delivery if it is still open and due; record the outcome and
    return the new status (``DeliveryStatus``)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notice__recipient", "notice__guardian")
            .filter(pk=delivery_id, status__in=OPEN)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if delivery is None:
            return ""
        delivery.attempts += 1
        fields = [
            "attempts",
            "status",
            "last_error",
            "provider_reply",
            "sent_at",
            "next_attempt_at",
        ]
        try:
            reply = get_backend(delivery.channel).send(_message(delivery))
        except NoAddress as exc:
            delivery.status, delivery.last_error = DeliveryStatus.SKIPPED, str(exc)
            delivery.next_attempt_at = None
        except DeliveryError as exc:
            delivery.last_error, delivery.provider_reply = str(exc)[:2000], exc.reply
            if exc.retryable and delivery.attempts < settings.NOTICE_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.RETRY
                delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            else:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        except Exception as exc:  # a backend bug or bad settings: keep it, do not lose the notice
            logger.exception("notice delivery %s failed", delivery.pk)
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
            delivery.provider_reply, delivery.last_error = reply, ""
            delivery.next_attempt_at = None
        delivery.save(update_fields=fields)
        if delivery.status == DeliveryStatus.RETRY:
            pk, when = delivery.pk, delivery.next_attempt_at
            transaction.on_commit(lambda: enqueue_deliveries([pk], run_after=when))
    return delivery.status


def deliveries_send_due() -> int:
    """Try every open delivery that is due (the periodic command's job, and
    the retry path where the task backend cannot defer); returns how many
    were sent."""
    ids = list(
        Delivery.objects.filter(status__in=OPEN, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    return sum(delivery_attempt(delivery_id=pk) == DeliveryStatus.SENT for pk in ids)


__all__ = ["NoticeChannel", "delivery_attempt", "deliveries_send_due", "send_deliveries"]
