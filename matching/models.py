from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import two_factor
from accounts.models import User


class JoinMode(models.TextChoices):
    OPEN = "open", _("Anyone can join")
    INVITE = "invite", _("Invite code needed")


class MatchingMode(models.TextChoices):
    MENTEE_CHOICE = "mentee_choice", _("Mentees choose their mentor")
    ADMIN_ASSIGN = "admin_assign", _("Admins assign mentors")
    BOTH = "both", _("Both")


class CohortQuerySet(models.QuerySet["Cohort"]):
    def joinable(self) -> "CohortQuerySet":
        return self.filter(is_enrollment_open=True)

    def for_user(self, user: User) -> "CohortQuerySet":
        return self.filter(enrollments__user=user, enrollments__status="active").distinct()

    def read_on_the_site_by(self, user: User) -> "CohortQuerySet":
        """The cohorts whose goals and meetings this person reads on the site as their
        programme admin: listed among its admins, and a programme admin by the admin's
        own rule (active, staff, allowed to view cohorts: the Programme admin group, or
        a superuser, with the second factor the admin asks of staff). Someone whose staff
        flag or group is taken away reads nothing more, even while still listed."""
        if not (
            user.is_active
            and two_factor.may_act_as_staff(user)
            and user.has_perm("matching.view_cohort")
        ):
            return self.none()
        return self.filter(
            pk__in=Cohort.admins.through.objects.filter(user=user).values("cohort_id")
        )

    def administered_by(self, user: User) -> "CohortQuerySet":
        """The cohorts this person runs: all of them for a superuser."""
        if user.is_superuser:
            return self.all()
        if not (user.is_active and user.is_staff):
            return self.none()
        return self.filter(
            pk__in=Cohort.admins.through.objects.filter(user=user).values("cohort_id")
        )


class Cohort(models.Model):
    """A mentoring programme: people enroll as mentor or mentee for its duration."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Empty for an ongoing programme.")
    )
    is_enrollment_open = models.BooleanField(_("enrollment open"), default=True)
    join_mode = models.CharField(
        _("join mode"), max_length=10, choices=JoinMode.choices, default=JoinMode.OPEN
    )
    invite_code = models.CharField(
        _("invite code"),
        max_length=40,
        blank=True,
        help_text=_("Required to join when the join mode is 'invite'."),
    )
    matching_mode = models.CharField(
        _("matching mode"),
        max_length=20,
        choices=MatchingMode.choices,
        default=MatchingMode.MENTEE_CHOICE,
    )
    default_mentor_capacity = models.PositiveSmallIntegerField(
        _("default mentor capacity"), default=2, validators=[MaxValueValidator(10)]
    )
    max_pending_requests = models.PositiveSmallIntegerField(
        _("max pending requests per mentee"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    request_expiry_days = models.PositiveSmallIntegerField(
        _("request expiry days"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    is_default = models.BooleanField(
        _("is default"),
        default=False,
        help_text=_("The community cohort everyone joins during onboarding."),
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="administered_cohorts",
        verbose_name=_("programme admins"),
        help_text=_("People who run this cohort: they see its goals, meetings and reports."),
    )
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        help_text=_("Set by closing the cohort: mentorships complete."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    suggestions_computed_at = models.DateTimeField(
        _("suggestions computed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the mentor suggestions of this cohort were last recomputed."),
    )
    preferences_open_at = models.DateTimeField(
        _("choices open at"),
        null=True,
        blank=True,
        help_text=(
            _(
                "From then until the closing time, mentees rank up to five mentors they would "
                "like; cohort-wide matching takes their choices into account. Leave both times "
                "empty for no preference window."
            )
        ),
    )
    preferences_close_at = models.DateTimeField(
        _("choices close at"),
        null=True,
        blank=True,
        help_text=(
            _(
                "After this, choices can no longer be changed. Run the matching after it. "
                "People who have not chosen yet are reminded by email two days before."
            )
        ),
    )
    allow_requests_without_shared_language = models.BooleanField(
        _("allow requests without a shared language"),
        default=False,
        help_text=(
            _(
                "Off: a mentee cannot ask, and a mentor cannot accept, someone they share no "
                "language with (when both have listed theirs). Turn on for a programme that "
                "provides interpreters or pairs people on purpose across languages."
            )
        ),
    )
    requires_sso = models.BooleanField(
        _("requires single sign-on"),
        default=False,
        help_text=_(
            "People in this programme sign in through your organisation's identity "
            "provider: a password sign-in or password reset is refused (staff excepted). "
            "Takes effect only while the site offers single sign-on."
        ),
    )
    has_mentor_preferences = models.BooleanField(
        _("mentors rank too"),
        default=False,
        help_text=(
            _(
                "Mentors may also rank mentees who listed them; stable matching then uses "
                "their order instead of the fit score."
            )
        ),
    )
    # Relationship health: how often pairs are asked how it is going, and whether pairs
    # that have gone silent are closed for them.
    pulse_interval_days = models.PositiveSmallIntegerField(
        _("pulse every (days)"),
        default=30,
        validators=[MaxValueValidator(180)],
        help_text=(
            _(
                "After the fit check two weeks in, both sides are asked how it is going this "
                "often. 0 switches the pulse off."
            )
        ),
    )
    end_after_idle_days = models.PositiveSmallIntegerField(
        _("end after idle (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(365)],
        help_text=(
            _(
                "End mentorships with no meeting or message for this many days. Both sides "
                "are warned a week before. Empty: never."
            )
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="matching_one_default"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="matching_cohort_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(default_mentor_capacity__lte=10), name="matching_cohort_capacity_range"
            ),
            models.CheckConstraint(
                condition=Q(max_pending_requests__gte=1, max_pending_requests__lte=10),
                name="matching_cohort_pending_range",
            ),
            models.CheckConstraint(
                condition=Q(request_expiry_days__gte=1, request_expiry_days__lte=60),
                name="matching_cohort_expiry_range",
            ),
            # No window, or one that opens and then closes.
            models.CheckConstraint(
                condition=Q(preferences_open_at__isnull=True, preferences_close_at__isnull=True)
                | Q(preferences_close_at__gt=models.F("preferences_open_at")),
                name="matching_cohort_preference_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        opens, closes = self.preferences_open_at, self.preferences_close_at
        if opens is None and closes is not None:
            raise ValidationError({"preferences_open_at": gettext("Say when choices open, too.")})
        if closes is None and opens is not None:
            raise ValidationError({"preferences_close_at": gettext("Say when choices close, too.")})
        if opens is not None and closes is not None and closes <= opens:
            raise ValidationError(
                {"preferences_close_at": gettext("Choices must close after they open.")}
            )

    @property
    def mentees_choose(self) -> bool:
        return self.matching_mode in (MatchingMode.MENTEE_CHOICE, MatchingMode.BOTH)

    def preference_window(self, now: datetime | None = None) -> "PreferenceWindow":
        """Where the cohort's preference window stands at ``now``."""
        if self.preferences_open_at is None or self.preferences_close_at is None:
            return PreferenceWindow.NONE
        now = now or timezone.now()
        if self.closed_at is not None or now >= self.preferences_close_at:
            return PreferenceWindow.CLOSED
        if now < self.preferences_open_at:
            return PreferenceWindow.UPCOMING
        return PreferenceWindow.OPEN

    def is_preference_window_open(self, now: datetime | None = None) -> bool:
        return self.preference_window(now) == PreferenceWindow.OPEN

    def ranks(self, role: str) -> bool:
        """Whether people of this role state choices in the window."""
        return role == Role.MENTEE or (role == Role.MENTOR and self.has_mentor_preferences)


class PreferenceWindow(models.TextChoices):
    NONE = "none", _("No preference window")
    UPCOMING = "upcoming", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Role(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")


def active_mentorships_of(enrollment_ref: str = "pk") -> Coalesce:
    """Subquery counting a mentor enrollment's active mentorships."""
    return Coalesce(
        Subquery(
            Mentorship.objects.filter(
                mentor_enrollment=OuterRef(enrollment_ref), status=MentorshipStatus.ACTIVE
            )
            .values("mentor_enrollment")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def shared_load_of(user_ref: str = "user_id") -> Coalesce:
    """Subquery counting a mentor's active mentorships in every programme that does not
    set its own limit for them: what their own capacity (Profile.mentor_capacity) covers.

    Mentorships in a programme with a limit of its own (``capacity_override``) count
    against that limit only, so the two never take places from each other."""
    return Coalesce(
        Subquery(
            Mentorship.objects.filter(
                mentor_enrollment__user_id=OuterRef(user_ref),
                mentor_enrollment__capacity_override__isnull=True,
                status=MentorshipStatus.ACTIVE,
            )
            .order_by()
            .values("mentor_enrollment__user_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def places_taken_of() -> Case:
    """Places a mentor enrollment has taken against the capacity that applies to it:
    its own mentorships under a programme's own limit, else every programme's."""
    return Case(
        When(capacity_override__isnull=False, then=active_mentorships_of()),
        When(user__profile__isnull=True, then=active_mentorships_of()),
        default=shared_load_of(),
    )


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def active(self) -> "EnrollmentQuerySet":
        return self.filter(status=EnrollmentStatus.ACTIVE)

    def mentors(self) -> "EnrollmentQuerySet":
        return self.active().filter(role=Role.MENTOR)

    def with_load(self) -> "EnrollmentQuerySet":
        """Annotate capacity, active mentorships here and the places taken against the
        capacity, so places left costs no extra query."""
        return self.annotate(
            active_count=active_mentorships_of(),
            taken_count=places_taken_of(),
            effective_capacity=Coalesce(
                "capacity_override",
                "user__profile__mentor_capacity",
                "cohort__default_mentor_capacity",
            ),
        )


class Enrollment(models.Model):
    """A person's place in a cohort, as mentor or mentee."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("user"),
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("cohort")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ACTIVE,
    )
    capacity_override = models.PositiveSmallIntegerField(
        _("capacity override"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text=_("Mentees at a time in this cohort; empty uses the mentor's own setting."),
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["cohort", "role", "joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cohort", "role"], name="matching_enrollment_unique"
            ),
            models.CheckConstraint(
                condition=Q(capacity_override__isnull=True) | Q(capacity_override__lte=10),
                name="matching_enrollment_capacity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.cohort}"

    def get_absolute_url(self) -> str:
        return reverse("matching:mentor-detail", args=[self.pk])

    @property
    def capacity(self) -> int:
        if hasattr(self, "effective_capacity"):
            return self.effective_capacity
        if self.capacity_override is not None:
            return self.capacity_override
        profile = getattr(self.user, "profile", None)
        return profile.mentor_capacity if profile else self.cohort.default_mentor_capacity

    def active_mentorship_count(self) -> int:
        if hasattr(self, "active_count"):
            return self.active_count
        return self.mentorships_as_mentor.filter(status=MentorshipStatus.ACTIVE).count()

    @property
    def has_own_limit(self) -> bool:
        """Whether this programme sets the mentor's limit here, apart from their own
        capacity across programmes. Without a profile, the cohort's default applies
        here alone, as before."""
        return self.capacity_override is not None or getattr(self.user, "profile", None) is None

    def places_taken(self) -> int:
        """Mentorships counted against ``capacity``: this enrollment's own under a
        programme's own limit, else the mentor's in every programme without one."""
        if hasattr(self, "taken_count"):
            return self.taken_count
        if self.has_own_limit:
            return self.active_mentorship_count()
        return Mentorship.objects.filter(
            mentor_enrollment__user_id=self.user_id,
            mentor_enrollment__capacity_override__isnull=True,
            status=MentorshipStatus.ACTIVE,
        ).count()

    def places_left(self) -> int:
        return max(0, self.capacity - self.places_taken())


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the mentor")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("I don't have enough time right now")
    NOT_A_FIT = "not_a_fit", _("My experience isn't the best fit for your goals")
    BETTER_MATCH = "better_match", _("I think another mentor could help you more")
    OTHER = "other", _("Another reason")


def either_side(user: User, path: str = "") -> Q:
    """Rows where this person is the mentee or the mentor (requests and mentorships), or,
    with ``path`` (e.g. "mentorship__"), rows reached through such a row."""
    return Q(**{f"{path}mentee_enrollment__user": user}) | Q(
        **{f"{path}mentor_enrollment__user": user}
    )


class BetweenTwo:
    """A request or a mentorship: a mentee's and a mentor's enrollment, side by side.

    The one place that answers "is this person on it, and as whom"; the queryset
    counterpart is ``either_side``."""

    mentee_enrollment: Enrollment
    mentor_enrollment: Enrollment

    def side_of(self, user: User) -> Role | None:
        """The person's role on it, or None for anyone else (the anonymous included)."""
        if user.pk is None:
            return None
        if user.pk == self.mentee_enrollment.user_id:
            return Role.MENTEE
        if user.pk == self.mentor_enrollment.user_id:
            return Role.MENTOR
        return None

    def has_participant(self, user: User) -> bool:
        return self.side_of(user) is not None

    def required_side(self, user: User) -> Role:
        """For a service: this person's role, and anyone else is the wrong actor."""
        side = self.side_of(user)
        if side is None:
            raise PermissionDenied
        return side


class MentorshipRequestQuerySet(models.QuerySet["MentorshipRequest"]):
    def for_user(self, user: User) -> "MentorshipRequestQuerySet":
        """Requests this person sent or received: the only ones they may see."""
        return self.filter(either_side(user))

    def pending(self) -> "MentorshipRequestQuerySet":
        return self.filter(status=RequestStatus.PENDING)


class MentorshipRequest(BetweenTwo, models.Model):
    """A mentee asks a mentor in a cohort they share."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="requests", verbose_name=_("cohort")
    )
    mentee_enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="requests_sent",
        verbose_name=_("mentee enrollment"),
    )
    mentor_enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="requests_received",
        verbose_name=_("mentor enrollment"),
    )
    message = models.TextField(_("message"), max_length=3000)
    first_goal = models.CharField(_("a first goal idea"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decline_reason = models.CharField(
        _("decline reason"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.TextField(_("decline note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = MentorshipRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentorship request")
        verbose_name_plural = _("mentorship requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee_enrollment", "mentor_enrollment"],
                condition=Q(status="pending"),
                name="matching_one_open_request_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="matching_req_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.mentee_enrollment.user} → {self.mentor_enrollment.user} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.expires_at is None:
            self.expires_at = self.created_at + timedelta(days=self.cohort.request_expiry_days)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("matching:request-detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING


class Message(models.Model):
    """One entry in a conversation: each concrete thread adds the row it belongs to."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("author")
    )
    body = models.TextField(_("body"), max_length=3000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class RequestMessage(Message):
    """A message in the conversation before the mentor decides."""

    request = models.ForeignKey(
        MentorshipRequest,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("request"),
    )

    class Meta(Message.Meta):
        verbose_name = _("request message")
        verbose_name_plural = _("request messages")


class MentorshipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")


class MentorshipQuerySet(models.QuerySet["Mentorship"]):
    def for_user(self, user: User) -> "MentorshipQuerySet":
        return self.filter(either_side(user))

    def active(self) -> "MentorshipQuerySet":
        return self.filter(status=MentorshipStatus.ACTIVE)


class Mentorship(BetweenTwo, models.Model):
    """A mentor and a mentee working together in a cohort."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="mentorships", verbose_name=_("cohort")
    )
    mentor_enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="mentorships_as_mentor",
        verbose_name=_("mentor enrollment"),
    )
    mentee_enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="mentorships_as_mentee",
        verbose_name=_("mentee enrollment"),
    )
    request = models.OneToOneField(
        MentorshipRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentorship",
        verbose_name=_("request"),
    )
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=MentorshipStatus.choices,
        default=MentorshipStatus.ACTIVE,
    )
    end_reason = models.TextField(_("end reason"), max_length=1000, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["-started_at"]
        constraints = [
            # A mentee has one active mentorship per cohort.
            models.UniqueConstraint(
                fields=["mentee_enrollment"],
                condition=Q(status="active"),
                name="matching_one_active_mentorship_per_mentee",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(mentor)s mentors %(mentee)s") % {
            "mentor": self.mentor_enrollment.user,
            "mentee": self.mentee_enrollment.user,
        }

    def get_absolute_url(self) -> str:
        return reverse("matching:mentorship-detail", args=[self.pk])

    @property
    def mentor(self) -> User:
        return self.mentor_enrollment.user

    @property
    def mentee(self) -> User:
        return self.mentee_enrollment.user

    @property
    def is_active(self) -> bool:
        return self.status == MentorshipStatus.ACTIVE

    def other_side(self, user: User) -> User:
        return self.mentee if user.pk == self.mentor.pk else self.mentor


class MentorshipMessage(Message):
    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="messages", verbose_name=_("mentorship")
    )

    class Meta(Message.Meta):
        verbose_name = _("mentorship message")
        verbose_name_plural = _("mentorship messages")


class MentorshipFeedback(models.Model):
    """Each side's short verdict when a mentorship ends. Programme admins only."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("mentorship")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("author")
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mentorship feedback")
        verbose_name_plural = _("mentorship feedbacks")
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "author"], name="matching_one_feedback_per_side"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="matching_feedback_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(author)s rated %(rating)s/5") % {
            "author": self.author,
            "rating": self.rating,
        }


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class IntroductionQuerySet(models.QuerySet["Introduction"]):
    def for_user(self, user: User) -> "IntroductionQuerySet":
        return self.filter(
            Q(mentorship__mentor_enrollment__user=user)
            | Q(mentorship__mentee_enrollment__user=user)
            | Q(contact=user)
        )


class Introduction(models.Model):
    """A mentor introduces their mentee to someone in their network (double opt-in)."""

    mentorship = models.ForeignKey(
        Mentorship,
        on_delete=models.CASCADE,
        related_name="introductions",
        verbose_name=_("mentorship"),
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="introductions_received",
        verbose_name=_("contact"),
    )
    message = models.TextField(_("why they should meet"), max_length=2000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    objects = IntroductionQuerySet.as_manager()

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "contact"], name="matching_one_introduction_per_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentorship.mentee} ↔ {self.contact}"

    def get_absolute_url(self) -> str:
        return reverse("matching:introduction-detail", args=[self.pk])


# --- Matching engine: weights, suggestions, match runs ----------------------


class MatchWeights(models.Model):
    """One version of a cohort's scoring weights. Saved versions are never changed:
    a new version is added, so every suggestion can say which weights made it."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="weight_versions", verbose_name=_("cohort")
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    skills = models.FloatField(_("skills"), default=0.35, validators=[MinValueValidator(0)])
    goals = models.FloatField(_("goals"), default=0.15, validators=[MinValueValidator(0)])
    industry = models.FloatField(_("industry"), default=0.10, validators=[MinValueValidator(0)])
    experience = models.FloatField(_("experience"), default=0.15, validators=[MinValueValidator(0)])
    # Not "timezone": the name would hide django.utils.timezone in this class body.
    time_overlap = models.FloatField(
        _("time-zone overlap"), default=0.10, validators=[MinValueValidator(0)]
    )
    format = models.FloatField(_("meeting format"), default=0.05, validators=[MinValueValidator(0)])
    availability = models.FloatField(
        _("availability"), default=0.05, validators=[MinValueValidator(0)]
    )
    broaden = models.FloatField(
        _("broaden my perspective"),
        default=0.05,
        validators=[MinValueValidator(0)],
        help_text=_("Used only for mentees who ask for a mentor from another industry or region."),
    )
    experience_min_gap = models.FloatField(
        _("experience min gap"),
        default=3,
        validators=[MinValueValidator(0)],
        help_text=_("Mentor ideally this many years ahead…"),
    )
    experience_max_gap = models.FloatField(
        _("experience max gap"),
        default=15,
        validators=[MinValueValidator(0)],
        help_text=_("…and at most this many."),
    )
    block_same_organisation = models.BooleanField(
        _("block same organisation"),
        default=False,
        help_text=_("Never pair people from the same organisation."),
    )
    preference_bonus = models.FloatField(
        _("bonus for a stated choice"),
        default=0.2,
        validators=[MinValueValidator(0)],
        help_text=(
            _(
                "Optimal matching only: added to a pair's fit (which runs from 0 to 1) when the "
                "mentee ranked the mentor, and again when the mentor ranked the mentee (if "
                "mentors rank too). A first choice earns the whole bonus, each lower place a "
                "fifth less. 0 ignores stated choices; 1 makes them win over almost any fit."
            )
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    # Engine component name -> field holding its weight.
    COMPONENT_FIELDS = {
        "skills": "skills",
        "goals": "goals",
        "industry": "industry",
        "experience": "experience",
        "timezone": "time_overlap",
        "format": "format",
        "availability": "availability",
        "broaden": "broaden",
    }

    class Meta:
        ordering = ["cohort", "-version"]
        verbose_name = _("matching weights")
        verbose_name_plural = _("matching weights")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "version"], name="matching_weights_version"),
            models.CheckConstraint(
                condition=Q(experience_max_gap__gte=models.F("experience_min_gap")),
                name="matching_weights_gap_order",
            ),
            models.CheckConstraint(
                condition=Q(preference_bonus__gte=0), name="matching_weights_bonus_range"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(cohort)s weights v%(version)s") % {
            "cohort": self.cohort,
            "version": self.version,
        }


class Suggestion(models.Model):
    """One of a mentee's best-fit mentors in a cohort, with why."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("cohort")
    )
    mentee_enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="suggestions",
        verbose_name=_("mentee enrollment"),
    )
    mentor_enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="suggested_to",
        verbose_name=_("mentor enrollment"),
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    breakdown = models.JSONField(_("breakdown"), default=dict)
    reasons = models.JSONField(_("reasons"), default=list)
    weights_version = models.PositiveIntegerField(_("weights version"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    # What the rank, score, breakdown, reasons and weights version hash to, so that a
    # recompute tells an unchanged suggestion without reading its JSON back.
    digest = models.CharField(_("digest"), max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["mentee_enrollment", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee_enrollment", "mentor_enrollment"], name="matching_suggestion_pair"
            ),
        ]

    def __str__(self) -> str:
        return gettext("#%(rank)s %(mentor)s for %(mentee)s") % {
            "rank": self.rank,
            "mentor": self.mentor_enrollment.user,
            "mentee": self.mentee_enrollment.user,
        }

    @property
    def percent(self) -> int:
        return round(self.score * 100)


class RecomputeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SuggestionRecompute(models.Model):
    """Where a cohort's latest recompute of its suggestions is: written by the worker as
    it goes, read by the cohort's admin page. One row per cohort, reused by each
    recompute, so that it never grows; a row of its own so that saving the cohort's
    settings never overwrites the worker's progress."""

    cohort = models.OneToOneField(
        Cohort,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="suggestion_recompute",
        verbose_name=_("cohort"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RecomputeStatus.choices, default=RecomputeStatus.QUEUED
    )
    # "scoring", "explaining" (``done`` of ``total`` pairs) or "writing".
    phase = models.CharField(_("phase"), max_length=20, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Last heard from the worker: a run silent for long is stuck (fail_stuck_recomputes).
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    suggestions = models.PositiveIntegerField(_("suggestions"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("suggestion recompute")
        verbose_name_plural = _("suggestion recomputes")

    def __str__(self) -> str:
        return f"{self.cohort} · suggestions {self.get_status_display().lower()}"

    @property
    def is_working(self) -> bool:
        return self.status in (RecomputeStatus.QUEUED, RecomputeStatus.RUNNING)

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


# How many people one person may rank in a preference window.
MAX_PREFERENCES = 5


class Preference(models.Model):
    """One person's stated wish, made in a cohort's preference window, to be matched with
    someone on the other side: a mentee ranks mentors, and mentors mentees if the cohort
    lets them. Rank 1 is the first choice."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("cohort")
    )
    chooser = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="preferences_stated",
        verbose_name=_("chooser"),
    )
    chosen = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="preferences_received",
        verbose_name=_("chosen"),
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PREFERENCES)]
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        ordering = ["chooser", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["chooser", "rank"], name="matching_preference_rank"),
            models.UniqueConstraint(fields=["chooser", "chosen"], name="matching_preference_pair"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=MAX_PREFERENCES),
                name="matching_preference_rank_range",
            ),
            models.CheckConstraint(
                condition=~Q(chooser=models.F("chosen")), name="matching_preference_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chooser.user} → #{self.rank} {self.chosen.user}"


class MatchMode(models.TextChoices):
    OPTIMAL = "optimal", _("Optimal (best total fit)")
    STABLE = "stable", _("Stable (no pair would rather swap)")


class MatchRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DRAFT = "draft", _("Draft, ready for review")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


class MatchRun(models.Model):
    """A cohort-wide assignment proposed by the engine, reviewed and published by an admin."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="match_runs", verbose_name=_("cohort")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=MatchMode.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=MatchRunStatus.choices, default=MatchRunStatus.QUEUED
    )
    weights_version = models.PositiveIntegerField(_("weights version"), null=True, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        ordering = ["-created_at"]
        permissions = [("publish_matchrun", "Can publish a match run")]

    def __str__(self) -> str:
        return f"{self.cohort} · {self.get_mode_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class MatchRunPair(models.Model):
    run = models.ForeignKey(
        MatchRun, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("run")
    )
    mentee_enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="+", verbose_name=_("mentee enrollment")
    )
    mentor_enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="+", verbose_name=_("mentor enrollment")
    )
    score = models.FloatField(_("score"))
    breakdown = models.JSONField(_("breakdown"), default=dict)
    reasons = models.JSONField(_("reasons"), default=list)
    mentorship = models.OneToOneField(
        Mentorship,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="match_pair",
        verbose_name=_("mentorship"),
    )

    class Meta:
        verbose_name = _("match run pair")
        verbose_name_plural = _("match run pairs")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "mentee_enrollment"], name="matching_run_mentee"
            ),
        ]
        indexes = [
            # The review page sorts a run's pairs by score, both ways, 50 at a time.
            models.Index(fields=["run", "score"], name="matching_run_pair_score"),
            # Places a mentor has left in a draft: their pairs in it, counted per edit.
            models.Index(fields=["run", "mentor_enrollment"], name="matching_run_pair_mentor"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_enrollment.user} ↔ {self.mentee_enrollment.user} ({self.score:.2f})"


class UnmatchedReason(models.TextChoices):
    NO_ALLOWED_MENTOR = (
        "no_allowed_mentor",
        _("No mentor they may be paired with (a shared language, a free place, not blocked)"),
    )
    ALLOWED_MENTORS_FULL = "allowed_mentors_full", _("Every mentor they may be paired with is full")
    NOT_CHOSEN = "not_chosen", _("An allowed mentor has a place left, but the engine chose none")
    REMOVED = "removed", _("Their pair was removed from the draft")


class MatchRunUnmatched(models.Model):
    """A mentee the run looked at and left without a mentor, and why.

    Worked out from the engine's problem when the run is computed, so the review page
    can say why without scoring the cohort again.
    """

    run = models.ForeignKey(
        MatchRun, on_delete=models.CASCADE, related_name="unmatched", verbose_name=_("run")
    )
    mentee_enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="+", verbose_name=_("mentee enrollment")
    )
    reason = models.CharField(_("reason"), max_length=24, choices=UnmatchedReason.choices)
    # How many mentors the engine allowed for this mentee when the run was computed.
    allowed_mentors = models.PositiveIntegerField(_("allowed mentors"), default=0)

    class Meta:
        verbose_name = _("match run unmatched")
        verbose_name_plural = _("match run unmatcheds")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "mentee_enrollment"], name="matching_run_unmatched_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee_enrollment.user}: {self.get_reason_display()}"


class AuditAction(models.TextChoices):
    RUN_STARTED = "run_started", _("Started a match run")
    RUN_EDITED = "run_edited", _("Edited a match run")
    RUN_PUBLISHED = "run_published", _("Published a match run")
    WEIGHTS_CHANGED = "weights_changed", _("Changed the match weights")
    IMPORT_APPLIED = "import_applied", _("Imported participants")
    INVITATIONS_SENT = "invitations_sent", _("Sent invitations")
    REMINDERS_SENT = "reminders_sent", _("Reminded mentors")
    SURVEY_SENT = "survey_sent", _("Sent a survey")
    COHORT_CLOSED = "cohort_closed", _("Closed the cohort")
    DATA_EXPORTED = "data_exported", _("Exported personal data")
    PERSON_DEACTIVATED = "person_deactivated", _("Deactivated a person")
    PERSON_REACTIVATED = "person_reactivated", _("Reactivated a person")


class AuditEntry(models.Model):
    """Who did what to a programme, for the record. Written by services, never edited."""

    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("cohort"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    summary = models.CharField(_("summary"), max_length=300)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor}: {self.summary}"


class DirectoryVersion(models.Model):
    """One row counting committed changes to one part of what the mentor directory shows.

    The directory's cached entries are keyed by these numbers (matching/versions.py):
    the id says what is counted (a cohort's mentors, one mentor's card...), and a
    change moves only the rows of what it touched, once committed.
    """

    number = models.BigIntegerField(_("number"), default=0)

    class Meta:
        verbose_name = _("directory version")
        verbose_name_plural = _("directory versions")

    def __str__(self) -> str:
        return f"directory version {self.number}"
