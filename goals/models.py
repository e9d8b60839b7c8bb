import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from matching.models import Cohort, Mentorship, Message, either_side
from profiles.models import MeetingFormat

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class GoalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    ABANDONED = "abandoned", _("Abandoned")


# A status as it reads inside a sentence ("A goal that is waiting for review…"): lower
# case in English, but German keeps its nouns capitalised, so each has its own words.
STATUS_IN_A_SENTENCE: dict[str, "StrOrPromise"] = {
    GoalStatus.DRAFT: pgettext_lazy("goal status in a sentence", "draft"),
    GoalStatus.SUBMITTED: pgettext_lazy("goal status in a sentence", "waiting for review"),
    GoalStatus.CHANGES_REQUESTED: pgettext_lazy("goal status in a sentence", "changes requested"),
    GoalStatus.APPROVED: pgettext_lazy("goal status in a sentence", "approved"),
    GoalStatus.IN_PROGRESS: pgettext_lazy("goal status in a sentence", "in progress"),
    GoalStatus.ACHIEVED: pgettext_lazy("goal status in a sentence", "achieved"),
    GoalStatus.NOT_ACHIEVED: pgettext_lazy("goal status in a sentence", "not achieved"),
    GoalStatus.ABANDONED: pgettext_lazy("goal status in a sentence", "abandoned"),
}

# Who may move a goal from one status to another. Everything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (GoalStatus.DRAFT, GoalStatus.SUBMITTED): "mentee",
    (GoalStatus.CHANGES_REQUESTED, GoalStatus.SUBMITTED): "mentee",
    (GoalStatus.SUBMITTED, GoalStatus.APPROVED): "mentor",
    (GoalStatus.SUBMITTED, GoalStatus.CHANGES_REQUESTED): "mentor",
    (GoalStatus.APPROVED, GoalStatus.IN_PROGRESS): "mentee",
    (GoalStatus.IN_PROGRESS, GoalStatus.ACHIEVED): "mentee",
    (GoalStatus.IN_PROGRESS, GoalStatus.NOT_ACHIEVED): "mentee",
    (GoalStatus.DRAFT, GoalStatus.ABANDONED): "mentee",
    (GoalStatus.CHANGES_REQUESTED, GoalStatus.ABANDONED): "mentee",
    (GoalStatus.APPROVED, GoalStatus.ABANDONED): "mentee",
    (GoalStatus.IN_PROGRESS, GoalStatus.ABANDONED): "mentee",
}
EDITABLE = (GoalStatus.DRAFT, GoalStatus.CHANGES_REQUESTED)
CLOSED = (GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.ABANDONED)
# A goal that was never agreed may be incomplete: a draft, one being revised, or one
# abandoned before it was finished. The SMART checks run when it is submitted.
MAY_BE_INCOMPLETE = (*EDITABLE, GoalStatus.ABANDONED)


def visible_to(user: User, path: str = "") -> Q:
    """Rows of a mentorship (reached through ``path``) that ``user`` may read: the mentee,
    the mentor, and the programme admins of that mentorship's cohort."""
    # A subquery, not a join through the admins table: a join would repeat each row
    # once per admin of the cohort.
    administered = Cohort.objects.read_on_the_site_by(user).values("pk")
    return either_side(user, path) | Q(**{f"{path}cohort_id__in": administered})


class MeasureKind(models.TextChoices):
    METRIC = "metric", _("A number I can measure")
    MILESTONES = "milestones", _("A checklist of milestones")


class GoalQuerySet(models.QuerySet["Goal"]):
    def for_user(self, user: User) -> "GoalQuerySet":
        """Goals this person may see: their own mentorships', or their cohorts' as an admin."""
        return self.filter(visible_to(user, "mentorship__"))

    def open(self) -> "GoalQuerySet":
        return self.exclude(status__in=CLOSED)


class Goal(models.Model):
    """A SMART goal of a mentorship, owned by the mentee and reviewed by the mentor."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="goals", verbose_name=_("mentorship")
    )
    # Specific
    title = models.CharField(_("title"), max_length=120)
    # A draft may be saved with only its title: the rest is checked when it is submitted.
    outcome = models.TextField(_("what exactly will be achieved"), max_length=2000, blank=True)
    # Measurable
    measure = models.CharField(_("measure"), max_length=12, choices=MeasureKind.choices, blank=True)
    metric_name = models.CharField(_("metric name"), max_length=80, blank=True)
    metric_unit = models.CharField(_("metric unit"), max_length=30, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    current_value = models.DecimalField(
        _("current value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Achievable
    plan = models.TextField(_("plan, resources and first steps"), max_length=3000, blank=True)
    # Relevant
    relevance = models.TextField(_("why it matters"), max_length=2000, blank=True)
    # Time-bound
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["target_date", "pk"]
        constraints = [
            models.CheckConstraint(
                # Only a goal never agreed may still be without a date.
                condition=Q(target_date__isnull=True, status__in=MAY_BE_INCOMPLETE)
                | Q(target_date__isnull=False, target_date__gte=models.F("starts_on")),
                name="goals_goal_dates_ordered",
            ),
            # A metric goal carries both numbers and they differ; a checklist goal has none.
            # A goal never agreed (see MAY_BE_INCOMPLETE) may lack its measure or a number.
            models.CheckConstraint(
                condition=(
                    Q(
                        measure="metric",
                        baseline__isnull=False,
                        target__isnull=False,
                    )
                    & ~Q(baseline=models.F("target"))
                )
                | Q(measure="milestones", baseline__isnull=True, target__isnull=True)
                | Q(status__in=MAY_BE_INCOMPLETE, measure__in=("metric", "")),
                name="goals_goal_measure_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("goals:detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    def progress_percent(self) -> int:
        """Derived, never typed: how far from baseline to target, or milestones done."""
        milestones = [] if self.measure == MeasureKind.METRIC else list(self.milestones.all())
        return progress_percent_of(
            measure=self.measure,
            baseline=self.baseline,
            target=self.target,
            current_value=self.current_value,
            milestones_done=sum(1 for m in milestones if m.done_at),
            milestones_total=len(milestones),
        )


def progress_percent_of(
    *,
    measure: str,
    baseline: Decimal | None,
    target: Decimal | None,
    current_value: Decimal | None,
    milestones_done: int,
    milestones_total: int,
) -> int:
    """A goal's progress in whole percent: from baseline to target for a metric, else
    the share of milestones done. Clamped to 0–100."""
    if measure == MeasureKind.METRIC:
        if baseline is None or target is None or current_value is None:
            return 0
        span = target - baseline
        if span == 0:
            return 0
        done = (current_value - baseline) / span
        return int(max(Decimal(0), min(Decimal(1), done)) * 100)
    if not milestones_total:
        return 0
    return int(100 * milestones_done / milestones_total)


class Milestone(models.Model):
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("goal")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "position"], name="goals_milestone_position"),
        ]

    def __str__(self) -> str:
        return self.title


class GoalEvent(models.Model):
    """Every status change: who, when, from what to what, and their comment."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="events", verbose_name=_("goal")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("actor")
    )
    from_status = models.CharField(
        _("from status"), max_length=20, choices=GoalStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=20, choices=GoalStatus.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("goal event")
        verbose_name_plural = _("goal events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.goal}: {self.from_status or 'new'} → {self.to_status}"


class ProgressUpdate(models.Model):
    """The mentee's log: a new metric value and/or milestones done, with a note."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="updates", verbose_name=_("goal")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("author")
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    milestones_done = models.ManyToManyField(
        Milestone, blank=True, related_name="+", verbose_name=_("milestones done")
    )
    percent = models.PositiveSmallIntegerField(
        _("percent"), help_text=_("Progress after this update.")
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.goal}: {self.percent}%"


class GoalComment(Message):
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="comments", verbose_name=_("goal")
    )

    class Meta(Message.Meta):
        verbose_name = _("goal comment")
        verbose_name_plural = _("goal comments")


# A meeting is by video, phone or in person; chat is how a pair keeps in touch between
# meetings, not a meeting.
MEETING_FORMATS = (MeetingFormat.VIDEO, MeetingFormat.PHONE, MeetingFormat.IN_PERSON)
MEETING_FORMAT_CHOICES = [(f.value, f.label) for f in MEETING_FORMATS]


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def for_user(self, user: User) -> "MeetingQuerySet":
        return self.filter(visible_to(user, "mentorship__"))

    def scheduled(self) -> "MeetingQuerySet":
        return self.filter(status=MeetingStatus.SCHEDULED)


class Meeting(models.Model):
    """A meeting of a mentorship. Times are stored in UTC and shown in each person's zone."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("mentorship")
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration minutes"), default=45)
    format = models.CharField(_("format"), max_length=10, choices=MEETING_FORMAT_CHOICES)
    location = models.CharField(_("place or link"), max_length=300, blank=True)
    agenda = models.TextField(_("agenda"), max_length=3000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # The calendar invitation's identity: UID stays, SEQUENCE grows with every update,
    # so calendars replace the event instead of adding a second one.
    uid = models.UUIDField(_("uid"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    cancel_reason = models.TextField(_("cancel reason"), max_length=1000, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="goals_meeting_duration_range",
            ),
        ]
        indexes = [models.Index(fields=["mentorship", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.mentorship}: {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def get_absolute_url(self) -> str:
        return reverse("goals:meeting-detail", args=[self.pk])

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def was_logged(self) -> bool:
        """Written down after it started, rather than planned ahead."""
        return self.created_at >= self.starts_at

    def has_happened(self, now: datetime | None = None) -> bool:
        """Started: from then on notes and action items can be added."""
        return self.starts_at <= (now or timezone.now())

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or timezone.now())

    def is_in_progress(self, now: datetime | None = None) -> bool:
        """Started and not over: neither "coming up" nor "past"."""
        now = now or timezone.now()
        return self.has_happened(now) and not self.has_ended(now)


class MeetingNoteQuerySet(models.QuerySet["MeetingNote"]):
    def readable_by(self, user: User) -> "MeetingNoteQuerySet":
        """Shared notes, plus this person's own private ones. Nobody reads another's."""
        return self.filter(Q(is_private=False) | Q(author=user))


class MeetingNote(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="notes", verbose_name=_("meeting")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("author")
    )
    body = models.TextField(_("body"), max_length=5000)
    is_private = models.BooleanField(
        _("only for me"),
        default=False,
        help_text=_("Private notes are never shown to anyone else."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeetingNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting note")
        verbose_name_plural = _("meeting notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        # What a note is called wherever it is listed by name (the admin's delete
        # confirmations, logs): a private note's text is only ever for its author.
        if self.is_private:
            return str(_("private note"))
        return f"{self.author}: {self.body[:40]}"


class ActionItem(models.Model):
    """Something someone agreed to do after a meeting, optionally towards a goal."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("owner"),
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("goal"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["done_at", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class ObstacleCategory(models.TextChoices):
    TIME = "time", pgettext_lazy("kind of obstacle", "Time")
    SKILLS = "skills", _("Skills")
    ACCESS = "access", _("Access to people or resources")
    CONFIDENCE = "confidence", _("Confidence")
    PERSONAL = "personal", _("Personal circumstances")
    OTHER = "other", _("Something else")


class Obstacle(models.Model):
    """What blocks a goal, the mentor's advice, and when it stopped blocking."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="obstacles", verbose_name=_("goal")
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    category = models.CharField(_("category"), max_length=12, choices=ObstacleCategory.choices)
    description = models.TextField(_("what is blocking you"), max_length=2000)
    advice = models.TextField(_("advice"), max_length=3000, blank=True)
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("advised by"),
    )
    advised_at = models.DateTimeField(_("advised at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("what unblocked it"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")
        ordering = ["resolved_at", "-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(advised_at__isnull=True) | ~Q(advice=""),
                name="goals_obstacle_advice_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:40]}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


# --- Relationship health ------------------------------------------------------


class CheckKind(models.TextChoices):
    FIT = "fit", _("Fit check")
    PULSE = "pulse", _("Pulse")


class CheckAnswer(models.TextChoices):
    GOING_WELL = "going_well", _("Going well")
    NOT_SURE = "not_sure", _("Not sure yet")
    POOR_FIT = "poor_fit", _("Not a good fit")


class FitCheck(models.Model):
    """One side of a mentorship asked "Is this working?": once two weeks in (fit), then
    every few weeks (pulse). The row is the question; the answer fills it in once."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="checks", verbose_name=_("mentorship")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=5, choices=CheckKind.choices)
    # The day the question fell due: a pulse is asked once per day it falls due.
    due_on = models.DateField(_("due on"))
    answer = models.CharField(_("answer"), max_length=10, choices=CheckAnswer.choices, blank=True)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fit check")
        verbose_name_plural = _("fit checks")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "person"],
                condition=Q(kind="fit"),
                name="goals_one_fit_check_per_side",
            ),
            models.UniqueConstraint(
                fields=["mentorship", "person", "kind", "due_on"],
                name="goals_one_check_per_side_and_day",
            ),
            # Answered exactly when it has an answer.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="")
                | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="goals_check_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["fit", "pulse"]), name="goals_check_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["", "going_well", "not_sure", "poor_fit"]),
                name="goals_check_answer_valid",
            ),
        ]
        indexes = [models.Index(fields=["person", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.person} ({self.due_on})"

    def get_absolute_url(self) -> str:
        return reverse("goals:fit-check", args=[self.pk])

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def answer_choices(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in CheckAnswer.choices]


class IdleNotice(models.Model):
    """The warning, at least a week ahead, that a mentorship idle since ``idle_since``
    will end on ``ends_on``. A mentorship ends for idleness only on or after the day its
    notice for that same stretch announced."""

    mentorship = models.ForeignKey(
        Mentorship,
        on_delete=models.CASCADE,
        related_name="idle_notices",
        verbose_name=_("mentorship"),
    )
    idle_since = models.DateTimeField(_("idle since"))
    ends_on = models.DateField(_("ends on"))
    warned_at = models.DateTimeField(_("warned at"), default=timezone.now)

    class Meta:
        verbose_name = _("idle notice")
        verbose_name_plural = _("idle notices")
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "idle_since"], name="goals_one_idle_notice_per_stretch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentorship}: idle since {self.idle_since:%Y-%m-%d}"
