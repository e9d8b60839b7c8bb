"""Reads for profiles: every query a view needs, scoped to the person asking."""

from accounts.models import User
from profiles.models import Profile, ProfileSkill, Skill, SkillKind
from profiles.services import SkillEntry


def profile_for(user: User) -> Profile | None:
    if not user.is_authenticated:
        return None
    return Profile.objects.filter(user=user).first()


def profile_with_details(user: User) -> Profile:
    return (
        Profile.objects.select_related("user")
        .prefetch_related("languages", "skills__skill")
        .get(user=user)
    )


def skill_entries(profile: Profile) -> dict[str, list[SkillEntry]]:
    entries: dict[str, list[SkillEntry]] = {SkillKind.EXPERTISE: [], SkillKind.LEARN: []}
    rows = ProfileSkill.objects.filter(profile=profile).select_related("skill")
    for row in rows.order_by("-level", "skill__name"):
        entries[row.kind].append(SkillEntry(name=row.skill.name, level=row.level))
    return entries


def skill_names() -> list[str]:
    return list(Skill.objects.order_by("name").values_list("name", flat=True))
