"""Writes to profiles and skills. Views call these; they never save models themselves."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import User
from profiles.models import Language, Profile, ProfileSkill, Skill, SkillKind, normalize_skill_name
from profiles.signals import intent_changed, matching_profile_changed

SKILL_NAME_MAX = 60


@dataclass(frozen=True)
class SkillEntry:
    name: str
    level: int


def get_or_create_skill(*, name: str) -> Skill:
    """Find a skill case-insensitively, or add the typed one, tidied, to the vocabulary."""
    clean = normalize_skill_name(name)
    if not clean:
        raise ValidationError(_("A skill needs a name."))
    if len(clean) > SKILL_NAME_MAX:
        raise ValidationError(
            _("Keep a skill name under %(limit)s characters.") % {"limit": SKILL_NAME_MAX}
        )
    existing = Skill.objects.named(clean)
    if existing:
        return existing
    try:
        # Two people may type the same new skill at once; the unique index decides.
        with transaction.atomic():
            return Skill.objects.create(name=clean)
    except IntegrityError:
        return Skill.objects.get(name__iexact=clean)


def notify_intent_changed(profile: Profile) -> None:
    """Tell the apps above us (matching) that what this person wants to do changed.

    The receivers run inside our transaction, so a failure there undoes the write."""
    intent_changed.send(sender=Profile, profile=profile)
    notify_profile_changed(profile)


def notify_profile_changed(profile: Profile) -> None:
    """Anything matching scores changed (skills, goals, capacity)."""
    if not profile.is_onboarded:
        return
    matching_profile_changed.send(sender=Profile, profile=profile)


@transaction.atomic
def save_intent(
    *,
    user: User,
    wants_mentoring: bool,
    wants_to_mentor: bool,
    mentor_capacity: int,
    is_accepting_requests: bool,
) -> Profile:
    """Onboarding step 1 (and later edits): why this person is here."""
    if not (wants_mentoring or wants_to_mentor):
        raise ValidationError(_("Choose at least one: find a mentor, or mentor others."))
    if not 0 <= mentor_capacity <= 10:
        raise ValidationError(_("Capacity must be between 0 and 10 mentees."))
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    profile.wants_mentoring = wants_mentoring
    profile.wants_to_mentor = wants_to_mentor
    profile.mentor_capacity = mentor_capacity
    profile.is_accepting_requests = is_accepting_requests
    profile.save()
    if profile.is_onboarded:
        notify_intent_changed(profile)
    return profile


@transaction.atomic
@transaction.atomic
def save_essentials(
    *,
    profile: Profile,
    fields: dict[str, Any],
    languages: Iterable[Language],
    site_language: str | None = None,
) -> Profile:
    """Onboarding step 2 (and later edits): who they are, where they want to go, when,
    and (``site_language``) the language the site and their emails speak."""
    for name, value in fields.items():
        setattr(profile, name, value)
    if profile.essentials_done_at is None:
        profile.essentials_done_at = timezone.now()
    profile.full_clean(exclude=["user"])
    profile.save()
    profile.languages.set(languages)
    if site_language:
        account_services.set_language(user=profile.user, language=site_language)
    notify_profile_changed(profile)
    return profile


@transaction.atomic
def set_skills(*, profile: Profile, kind: SkillKind, entries: Iterable[SkillEntry]) -> None:
    """Replace a profile's skills of one kind. Repeats (in any case) keep the higher level."""
    levels: dict[int, int] = {}
    for entry in entries:
        skill = get_or_create_skill(name=entry.name)
        levels[skill.pk] = max(levels.get(skill.pk, 0), int(entry.level))
    ProfileSkill.objects.filter(profile=profile, kind=kind).exclude(skill_id__in=levels).delete()
    for skill_id, level in levels.items():
        ProfileSkill.objects.update_or_create(
            profile=profile, skill_id=skill_id, kind=kind, defaults={"level": level}
        )
    notify_profile_changed(profile)


def missing_for_onboarding(
    profile: Profile, *, skill_kinds: Iterable[str] | None = None
) -> list[str]:
    """What still stands between this profile and a finished onboarding, in words.

    ``skill_kinds``: the kinds of the profile's skills, when the caller has read them.
    """
    missing = []
    if not (profile.wants_mentoring or profile.wants_to_mentor):
        missing.append(_("Say whether you want a mentor, want to mentor, or both."))
    if profile.essentials_done_at is None:
        missing.append(_("Tell us about yourself."))
    if skill_kinds is None:
        skill_kinds = profile.skills.values_list("kind", flat=True)
    kinds = set(skill_kinds)
    if profile.wants_to_mentor and SkillKind.EXPERTISE not in kinds:
        missing.append(_("Add at least one skill you can teach."))
    if profile.wants_mentoring and SkillKind.LEARN not in kinds:
        missing.append(_("Add at least one skill you want to learn."))
    return missing


@transaction.atomic
def complete_onboarding(*, profile: Profile) -> Profile:
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    missing = missing_for_onboarding(profile)
    if missing:
        raise ValidationError(missing)
    if profile.onboarded_at is None:
        profile.onboarded_at = timezone.now()
        profile.save(update_fields=["onboarded_at", "updated_at"])
        notify_intent_changed(profile)
    return profile


@transaction.atomic
def set_email_settings(
    *, user: User, email_reminders: bool, email_digest: bool, email_check_ins: bool = True
) -> Profile:
    """Reached from every email's footer, also by people who have not onboarded yet."""
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    profile.email_reminders = email_reminders
    profile.email_digest = email_digest
    profile.email_check_ins = email_check_ins
    profile.save(update_fields=["email_reminders", "email_digest", "email_check_ins", "updated_at"])
    return profile
