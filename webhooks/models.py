"""Webhooks: an HR or analytics system's address, and each event delivered to it.

A delivery is a row first, a request second, as the outbox does for email: it is
written in the transaction of the change it reports, sent after that commits, retried
with growing pauses while the receiver is down, and sent at most once when it succeeds.
"""

import secrets
import uuid
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Cohort

# After this many failed attempts (about 17 hours of pauses) a delivery is given up.
MAX_ATTEMPTS = 12


class Event(models.TextChoices):
    MENTORSHIP_STARTED = "mentorship.started", _("Mentorship started")
    MENTORSHIP_ENDED = "mentorship.ended", _("Mentorship ended")
    GOAL_ACHIEVED = "goal.achieved", _("Goal achieved")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Endpoint(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("address"),
        max_length=500,
        help_text=_("Where each event is posted as JSON, e.g. https://hr.example.com/hooks."),
    )
    events = models.JSONField(_("events"), default=list)
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("programme"),
        help_text=_("Only this programme's events. Empty: every programme's."),
    )
    # Signs every request (X-Mentorship-Signature), so the receiver knows it is us.
    secret = models.CharField(_("signing secret"), max_length=64, default=new_secret)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str, cohort_id: int) -> bool:
        return self.is_active and event in self.events and self.cohort_id in (None, cohort_id)


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def pending(self) -> "DeliveryQuerySet":
        return self.filter(delivered_at__isnull=True, failed_at__isnull=True)

    def due(self, now: datetime) -> "DeliveryQuerySet":
        return self.pending().filter(next_attempt_at__lte=now)


class Delivery(models.Model):
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    # One delivery per event per endpoint, however often the change is reported.
    key = models.CharField(max_length=120)
    # Sent as the envelope's "id": a receiver that sees it twice can drop the repeat.
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "key"], name="webhooks_one_per_event")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhooks_delivery_due",
                condition=models.Q(delivered_at__isnull=True, failed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"

    @property
    def status(self) -> str:
        if self.delivered_at:
            return str(_("delivered"))
        if self.failed_at:
            return str(_("given up"))
        return str(_("waiting")) if self.attempts == 0 else str(_("retrying"))

    def gave_up(self) -> bool:
        return self.attempts >= MAX_ATTEMPTS
