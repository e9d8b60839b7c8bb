import hashlib
import re
import zoneinfo
from datetime import datetime
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_names() -> tuple[str, ...]:
    """IANA names a person can pick (no legacy aliases such as 'US/Pacific' or 'EST')."""
    legacy = ("Etc/", "SystemV/", "US/", "posix/", "right/")
    names = sorted(
        n for n in zoneinfo.available_timezones() if "/" in n and not n.startswith(legacy)
    )
    return (*names, "UTC")


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            _("Pick a time zone from the list, such as Europe/Berlin or America/Sao_Paulo.")
        )


class Industry(models.TextChoices):
    SOFTWARE = "software", _("Software & internet")
    FINANCE = "finance", _("Finance & fintech")
    HEALTH = "health", _("Healthcare & life sciences")
    EDUCATION = "education", _("Education")
    PUBLIC = "public", _("Government & public sector")
    NONPROFIT = "nonprofit", _("Non-profit")
    MANUFACTURING = "manufacturing", _("Manufacturing & engineering")
    RETAIL = "retail", _("Retail & e-commerce")
    MEDIA = "media", _("Media, marketing & design")
    CONSULTING = "consulting", _("Consulting & professional services")
    ENERGY = "energy", _("Energy & climate")
    RESEARCH = "research", _("Research & academia")
    TELECOM = "telecom", _("Telecommunications")
    LOGISTICS = "logistics", _("Transport & logistics")
    OTHER = "other", _("Other")


class CareerStage(models.TextChoices):
    STUDENT = "student", _("Student or graduate")
    EARLY = "early", _("Early career (0–3 years)")
    MID = "mid", _("Mid-level (3–8 years)")
    SENIOR = "senior", _("Senior (8+ years)")
    LEAD = "lead", _("Manager or leader")
    EXECUTIVE = "executive", _("Executive")
    CHANGER = "changer", _("Changing careers")
    RETURNER = "returner", _("Returning to work")


class MeetingFormat(models.TextChoices):
    """How people meet: what a profile prefers, and (all but chat) what a meeting is."""

    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")
    CHAT = "chat", _("Chat")


# The profile flag of each format, in the column order of the matching engine's arrays.
FORMAT_FLAGS = {
    MeetingFormat.VIDEO: "meets_by_video",
    MeetingFormat.PHONE: "meets_by_phone",
    MeetingFormat.IN_PERSON: "meets_in_person",
    MeetingFormat.CHAT: "meets_by_chat",
}


class Language(models.Model):
    """A spoken language, by ISO 639-1 code. Seeded by a migration; editable in the admin."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self) -> str:
        # The seeded names are in the catalogue (vocabulary.LANGUAGES); a name an admin
        # added shows as typed. gettext("") would be the catalogue's header.
        return gettext(self.name) if self.name else self.name


def normalize_skill_name(raw: str) -> str:
    """Tidy a typed skill: trimmed, single spaces, first letter capitalised if all lower."""
    name = re.sub(r"\s+", " ", raw or "").strip()
    if name and name == name.lower():
        name = name[0].upper() + name[1:]
    return name


class SkillQuerySet(models.QuerySet["Skill"]):
    def named(self, name: str) -> "Skill | None":
        return self.filter(name__iexact=normalize_skill_name(name)).first()


class Skill(models.Model):
    """One entry in the shared vocabulary of skills, unique whatever its case."""

    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=60, blank=True)
    is_curated = models.BooleanField(
        _("is curated"),
        default=False,
        help_text=_("Part of the seeded list or approved by an admin."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SkillQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="profiles_skill_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """Everything a person tells us about themselves. Created by onboarding."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    # Intent
    wants_mentoring = models.BooleanField(_("I want a mentor"), default=False)
    wants_to_mentor = models.BooleanField(_("I want to mentor others"), default=False)
    mentor_capacity = models.PositiveSmallIntegerField(
        _("mentees at a time"),
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("How many mentees you can support at once (0–10)."),
    )
    is_accepting_requests = models.BooleanField(
        _("accepting new requests"),
        default=True,
        help_text=_("Switch off to pause new requests without changing your capacity."),
    )
    # Essentials
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    headline = models.CharField(_("headline"), max_length=140, blank=True)
    bio = models.TextField(_("bio"), max_length=3000, blank=True)
    job_title = models.CharField(_("current role"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    career_stage = models.CharField(
        _("career stage"), max_length=20, choices=CareerStage.choices, blank=True
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="profiles", verbose_name=_("languages")
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    hours_per_month = models.PositiveSmallIntegerField(
        _("hours per month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(40)],
    )
    # Formats are four flags rather than a list so that every database can filter on them.
    meets_by_video = models.BooleanField(_("meets by video"), default=True)
    meets_by_phone = models.BooleanField(_("meets by phone"), default=False)
    meets_in_person = models.BooleanField(_("meets in person"), default=False)
    meets_by_chat = models.BooleanField(_("meets by chat"), default=False)
    wants_broader_perspective = models.BooleanField(
        _("broaden my perspective"),
        default=False,
        help_text=_("Prefer a mentor from another industry or part of the world."),
    )
    career_goals = models.TextField(_("career goals"), max_length=2000, blank=True)
    target_role = models.CharField(_("target role"), max_length=120, blank=True)
    linkedin_url = models.URLField(_("LinkedIn profile"), blank=True)
    # Email settings: transactional emails always go; these are the periodic ones.
    email_reminders = models.BooleanField(
        _("goal and meeting reminders"),
        default=True,
        help_text=_(
            "A note when a goal is due in a week or overdue, a month passes "
            "without a meeting, or a programme's choice of mentors closes in two days."
        ),
    )
    email_digest = models.BooleanField(
        _("weekly digest"),
        default=True,
        help_text=_("Mentors: a Monday summary of the goals waiting for your review."),
    )
    email_check_ins = models.BooleanField(
        _("check-ins"),
        default=True,
        help_text=_("Two weeks into a mentorship, and then monthly: is it working?"),
    )
    # Progress
    essentials_done_at = models.DateTimeField(_("essentials done at"), null=True, blank=True)
    onboarded_at = models.DateTimeField(_("onboarded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mentor_capacity__lte=10),
                name="profiles_profile_capacity_range",
            ),
            models.CheckConstraint(
                condition=models.Q(years_experience__isnull=True)
                | models.Q(years_experience__lte=60),
                name="profiles_profile_years_range",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_month__isnull=True)
                | models.Q(hours_per_month__gte=1, hours_per_month__lte=40),
                name="profiles_profile_hours_range",
            ),
            # Nobody finishes onboarding without saying what they are here for.
            models.CheckConstraint(
                condition=models.Q(onboarded_at__isnull=True)
                | models.Q(wants_mentoring=True)
                | models.Q(wants_to_mentor=True),
                name="profiles_profile_has_intent",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.user.email

    def get_absolute_url(self) -> str:
        return reverse("profiles:detail")

    @property
    def is_onboarded(self) -> bool:
        return self.onboarded_at is not None

    @property
    def meeting_formats(self) -> list[str]:
        return [fmt.value for fmt, flag in FORMAT_FLAGS.items() if getattr(self, flag)]

    def get_meeting_formats_display(self) -> list[str]:
        return [str(MeetingFormat(value).label) for value in self.meeting_formats]

    @property
    def initials(self) -> str:
        words = [w for w in re.split(r"[\s\-_.@]+", self.display_name or self.user.email) if w]
        letters = "".join(w[0] for w in words[:2]) or "?"
        return letters.upper()

    @property
    def avatar_hue(self) -> int:
        # A stable colour per person, so the same initials look the same everywhere.
        digest = hashlib.sha256(str(self.user_id).encode()).digest()
        return int.from_bytes(digest[:2], "big") % 360

    def local_time(self) -> datetime:
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.time_zone))


class SkillKind(models.TextChoices):
    EXPERTISE = "expertise", _("Can teach")
    LEARN = "learn", _("Wants to learn")


class SkillLevel(models.IntegerChoices):
    BASIC = 1, _("Basic")
    SOLID = 2, _("Solid")
    EXPERT = 3, _("Expert")


class ProfileSkill(models.Model):
    """A skill on a profile: either expertise someone can teach, or one they want to learn."""

    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="skills", verbose_name=_("profile")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="profile_skills", verbose_name=_("skill")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SkillKind.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=SkillLevel.choices, default=SkillLevel.SOLID
    )

    class Meta:
        verbose_name = _("profile skill")
        verbose_name_plural = _("profile skills")
        ordering = ["-level", "skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "skill", "kind"], name="profiles_profileskill_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3),
                name="profiles_profileskill_level_range",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["expertise", "learn"]),
                name="profiles_profileskill_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_kind_display()}, {self.get_level_display()})"
