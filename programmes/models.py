import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Cohort, Role


def new_token() -> str:
    return secrets.token_urlsafe(32)


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Ready to review")
    QUEUED = "queued", _("Waiting to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Import failed")


class ImportBatch(models.Model):
    """One uploaded CSV: parsed rows with their errors, kept until it is applied.

    Applying runs as a background task: ``status`` and ``rows_done`` of ``rows_total``
    say how far it got, for the preview page to show while the admin waits or comes back.
    """

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="import_batches", verbose_name=_("cohort")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    filename = models.CharField(_("filename"), max_length=255)
    # [{"line": 2, "email": ..., "name": ..., "role": ..., "capacity": ..., "errors": [...]}]
    rows = models.JSONField(_("rows"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    imported_count = models.PositiveIntegerField(_("imported count"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped count"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    skip_invalid = models.BooleanField(_("skip invalid"), default=False)
    rows_total = models.PositiveIntegerField(_("rows total"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    # Why the last attempt to apply stopped, in words for the admin.
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("import batch")
        ordering = ["-created_at"]
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.filename} → {self.cohort}"

    @property
    def error_rows(self) -> list[dict]:
        return [row for row in self.rows if row.get("errors")]

    @property
    def valid_rows(self) -> list[dict]:
        return [row for row in self.rows if not row.get("errors")]

    @property
    def is_working(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.IMPORTING)

    @property
    def percent_done(self) -> int:
        return 100 * self.rows_done // self.rows_total if self.rows_total else 0


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True)


class Invitation(models.Model):
    """A personal link that signs someone up (or logs them in) and enrolls them."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("cohort")
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_token, editable=False
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("batch"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_count = models.PositiveSmallIntegerField(_("sent count"), default=0)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "email"], name="programmes_one_invite_each"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.cohort} ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        return reverse("programmes:invitation", args=[self.token])

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None


class SurveyKind(models.TextChoices):
    MIDPOINT = "midpoint", _("Mid-point survey")
    END = "end", _("End-of-cohort survey")


class GoalProgress(models.IntegerChoices):
    NONE = 0, _("No progress yet")
    SOME = 1, _("Some progress")
    MOST = 2, _("Good progress on most of my goals")
    ALL = 3, _("I reached my goals")


class SurveyResponse(models.Model):
    """One person's survey for one cohort and moment: sent with a personal link, answered
    once. Answers are for programme admins only."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="survey_responses", verbose_name=_("cohort")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_responses",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_token, editable=False
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    recommend = models.PositiveSmallIntegerField(
        _("would recommend"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    goal_progress = models.PositiveSmallIntegerField(
        _("progress on goals"), choices=GoalProgress.choices, null=True, blank=True
    )
    comments = models.TextField(_("comments"), max_length=3000, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user", "kind"], name="programmes_one_survey_each"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="programmes_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=Q(recommend__isnull=True) | Q(recommend__lte=10),
                name="programmes_recommend_range",
            ),
            # An answered survey has its two scores.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | Q(satisfaction__isnull=False, recommend__isnull=False),
                name="programmes_answered_has_scores",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} ({self.cohort})"

    def get_absolute_url(self) -> str:
        return reverse("programmes:survey", args=[self.token])

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
