"""Recording events for the webhook endpoints that want them, and delivering them.

``record`` writes one delivery row per interested endpoint inside the caller's
transaction and dispatches a Celery task after it commits. ``deliver`` posts one row,
signed, and records the answer; a 2xx answer delivers it once and for all, anything
else (a refusal, a redirect, a time-out, a receiver that is down) schedules another try.
``sweep`` dispatches the rows whose next try is due.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
SIGNATURE_HEADER = "X-Mentorship-Signature"


def endpoints_for(event: str) -> list[Endpoint]:
    """The active endpoints that want ``event`` (a few rows: filtered here, not in SQL)."""
    return [e for e in Endpoint.objects.filter(is_active=True) if event in e.events]


def record(
    event: str,
    items: list[tuple[int, int, dict[str, Any]]],
    *,
    endpoints: list[Endpoint] | None = None,
) -> int:
    """Queue ``event`` for each (cohort id, object id, data) with every active endpoint
    that wants it (``endpoints``, when the caller already asked); an event already
    queued for an endpoint is not queued again. Returns how many deliveries were written."""
    if endpoints is None:
        endpoints = endpoints_for(event)
    if not endpoints or not items:
        return 0
    rows = [
        Delivery(endpoint=endpoint, event=event, key=f"{event}:{object_id}", payload=data)
        for cohort_id, object_id, data in items
        for endpoint in endpoints
        if endpoint.wants(event, cohort_id)
    ]
    Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    # ignore_conflicts leaves the ids unset: the new rows are found by their own uuids.
    wanted = [row.delivery_id for row in rows]
    ids: list[int] = []
    for start in range(0, len(wanted), 1000):
        ids += Delivery.objects.filter(
            delivery_id__in=wanted[start : start + 1000], attempts=0
        ).values_list("pk", flat=True)
    for delivery_id in ids:
        transaction.on_commit(partial(dispatch, delivery_id))
    return len(ids)


def dispatch(delivery_id: int) -> None:
    """Hand a row to Celery. Never raises: the sweep catches anything that fails here."""
    from webhooks.tasks import deliver_webhook

    try:
        deliver_webhook.delay(delivery_id)
    except Exception:  # noqa: BLE001 - a broker outage must not fail the user's action
        logger.warning("Could not dispatch webhook delivery %s; the sweep will retry.", delivery_id)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, capped at four hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 240))


def body_of(delivery: Delivery) -> bytes:
    """The JSON a receiver gets: the envelope (id, event, when) around the event's data."""
    envelope = {
        "id": str(delivery.delivery_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, sort_keys=True).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``: the receiver recomputes
    it with the endpoint's secret, and refuses a stale ``t`` to stop replays."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to try again later, not a new address to post to."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """The receiver's status, or None and why when there was no answer."""
    opener = urllib.request.build_opener(_NoRedirects)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def deliver(delivery_id: int) -> bool:
    """Post one pending row. Returns True if this call delivered it."""
    with transaction.atomic():
        # The row lock makes a concurrent run of the same task skip it.
        row = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .pending()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if row is None or not row.endpoint.is_active:
            return False
        body = body_of(row)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"{settings.SITE_NAME} webhooks",
            "X-Mentorship-Event": row.event,
            "X-Mentorship-Delivery": str(row.delivery_id),
            SIGNATURE_HEADER: signature(row.endpoint.secret, int(time.time()), body),
        }
        status, error = _post(row.endpoint.url, body, headers)
        now = timezone.now()
        row.attempts += 1
        row.last_status = status
        if status is not None and 200 <= status < 300:
            row.delivered_at = now
            row.last_error = ""
        else:
            row.last_error = (error or f"HTTP {status}")[:2000]
            row.next_attempt_at = now + backoff(row.attempts)
            if row.gave_up():
                row.failed_at = now
            logger.warning(
                "Webhook delivery %s failed (attempt %s): %s", row.pk, row.attempts, error
            )
        row.save(
            update_fields=[
                "attempts",
                "last_status",
                "last_error",
                "delivered_at",
                "next_attempt_at",
                "failed_at",
            ]
        )
        return row.delivered_at is not None


def sweep(*, now: datetime | None = None) -> int:
    """Dispatch every due, undelivered row. Returns how many."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.due(now)
        .filter(endpoint__is_active=True)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for delivery_id in ids:
        dispatch(delivery_id)
    return len(ids)


def retry_now(*, deliveries: Any) -> int:
    """The admin's "try again now": given-up or waiting rows are due at once."""
    return deliveries.filter(delivered_at__isnull=True).update(
        failed_at=None, next_attempt_at=timezone.now()
    )
