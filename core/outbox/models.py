from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEmailQuerySet(models.QuerySet["OutboxEmail"]):
    def pending(self) -> "OutboxEmailQuerySet":
        return self.filter(sent_at__isnull=True, failed_at__isnull=True)

    def due(self, now: datetime) -> "OutboxEmailQuerySet":
        return self.pending().filter(next_attempt_at__lte=now)


class OutboxEmail(models.Model):
    """One email to send, written in the same transaction as the change that causes it."""

    key = models.CharField(
        _("key"),
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Idempotency key: a second email with the same key is never queued."),
    )
    template = models.CharField(_("template"), max_length=200)
    # Chosen once when the row is written and sent with every attempt, so a copy that a
    # killed send lets through carries the same Message-ID and mail systems can drop it.
    message_id = models.CharField(_("message id"), max_length=255, blank=True)
    to = models.JSONField(_("to"), default=list)
    from_email = models.CharField(_("from email"), max_length=254)
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("body text"))
    body_html = models.TextField(_("body html"), blank=True)
    # [{"filename", "content", "mimetype"}]: text attachments such as calendar invitations.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("outbox emails")
        ordering = ["-created_at"]
        verbose_name = _("outbox email")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbox_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def status(self) -> str:
        if self.sent_at:
            return "sent"
        if self.failed_at:
            return "failed"
        return "retrying" if self.attempts else "queued"

    def gave_up(self) -> bool:
        return self.attempts >= settings.OUTBOX_MAX_ATTEMPTS
