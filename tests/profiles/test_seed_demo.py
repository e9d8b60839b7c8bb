from io import StringIO

from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from profiles.demo import DEFAULT_PASSWORD, DEMO_DOMAIN, plan_community
from profiles.models import (
    CareerStage,
    Industry,
    Profile,
    ProfileSkill,
    Skill,
    SkillKind,
    time_zone_names,
)
from profiles.services import missing_for_onboarding

pytestmark = pytest.mark.django_db

ADMINS, MENTORS, MENTEES, BOTH = 1, 36, 120, 6
EVERYONE = ADMINS + MENTORS + MENTEES + BOTH


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def demo_profiles() -> "list[Profile]":
    return list(
        Profile.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}")
        .select_related("user")
        .order_by("user__email")
    )


def snapshot() -> list[tuple[str, str, str, str, str]]:
    return sorted(
        Profile.objects.values_list(
            "user__email", "display_name", "industry", "time_zone", "user__password"
        )
    )


def test_seed_creates_the_expected_community() -> None:
    seed()

    assert User.objects.count() == EVERYONE
    assert Profile.objects.count() == EVERYONE
    assert Profile.objects.filter(wants_to_mentor=True, wants_mentoring=False).count() == (
        ADMINS + MENTORS
    )
    assert Profile.objects.filter(wants_mentoring=True, wants_to_mentor=False).count() == MENTEES
    assert Profile.objects.filter(wants_mentoring=True, wants_to_mentor=True).count() == BOTH
    assert User.objects.filter(email__startswith="mentor").count() == MENTORS
    assert User.objects.filter(email__startswith="mentee").count() == MENTEES
    assert User.objects.filter(email__startswith="both").count() == BOTH


def test_only_the_admin_is_staff_and_has_no_places() -> None:
    seed()

    admin = User.objects.get(is_staff=True)
    assert admin.email == f"admin@{DEMO_DOMAIN}"
    assert admin.is_superuser
    assert admin.profile.onboarded_at is not None
    assert admin.profile.mentor_capacity == 0
    assert not admin.profile.is_accepting_requests
    assert not User.objects.filter(is_superuser=True).exclude(pk=admin.pk).exists()


def test_everyone_is_onboarded_with_a_verified_primary_email() -> None:
    seed()

    assert not Profile.objects.filter(
        Q(onboarded_at__isnull=True) | Q(essentials_done_at__isnull=True)
    ).exists()
    verified = EmailAddress.objects.filter(verified=True, primary=True)
    assert verified.count() == EVERYONE
    assert set(verified.values_list("email", flat=True)) == set(
        User.objects.values_list("email", flat=True)
    )
    for profile in demo_profiles():
        assert missing_for_onboarding(profile) == [], profile.user.email


def test_mentors_teach_and_mentees_learn() -> None:
    seed()
    profiles = Profile.objects.annotate(
        expertise=Count("skills", filter=Q(skills__kind=SkillKind.EXPERTISE)),
        learn=Count("skills", filter=Q(skills__kind=SkillKind.LEARN)),
    )

    for mentor in profiles.filter(user__email__startswith="mentor"):
        assert 3 <= mentor.expertise <= 6
        assert mentor.learn == 0
        assert 1 <= mentor.mentor_capacity <= 4
        assert 6 <= mentor.years_experience <= 30
    for mentee in profiles.filter(user__email__startswith="mentee"):
        assert 2 <= mentee.learn <= 4
        assert mentee.expertise == 0
        assert 0 <= mentee.years_experience <= 8
        assert len(mentee.career_goals) >= 20
        assert mentee.target_role
    for both in profiles.filter(user__email__startswith="both"):
        assert both.expertise >= 3 and both.learn >= 2
    assert not ProfileSkill.objects.filter(kind=SkillKind.EXPERTISE, level__lt=2).exists()
    # Everything comes from the seeded vocabulary: the demo adds no skills of its own.
    assert not Skill.objects.filter(is_curated=False).exists()
    # A few mentors have paused, so "not accepting" shows up in lists and matching.
    assert profiles.filter(user__email__startswith="mentor", is_accepting_requests=False).exists()


def test_profiles_are_valid_and_varied() -> None:
    seed()
    profiles = demo_profiles()

    for profile in profiles:
        profile.full_clean()
        assert profile.meeting_formats, profile.user.email
        assert 1 <= profile.languages.count() <= 3
        assert 2 <= profile.hours_per_month <= 12 or profile.user.is_staff
    zones = {p.time_zone for p in profiles}
    assert zones <= set(time_zone_names())
    continents = {zone.split("/")[0] for zone in zones}
    assert {"Europe", "America", "Asia", "Africa"} <= continents
    assert len({p.display_name for p in profiles}) == EVERYONE
    assert len({p.industry for p in profiles}) >= 10
    assert {p.industry for p in profiles} <= set(Industry.values)
    # Some people share no language with English speakers, so matching has real constraints.
    assert Profile.objects.exclude(languages__code="en").exists()
    assert Profile.objects.filter(linkedin_url__startswith="https://www.linkedin.com/in/").exists()


def test_career_stage_follows_experience() -> None:
    seed()

    for profile in demo_profiles():
        years, stage = profile.years_experience, profile.career_stage
        if stage == CareerStage.STUDENT:
            assert years == 0
        elif stage == CareerStage.EARLY:
            assert 1 <= years <= 3
        elif stage in (CareerStage.LEAD, CareerStage.EXECUTIVE):
            assert years >= 12


def test_second_run_creates_nothing_and_changes_nobody() -> None:
    seed()
    before = snapshot()
    counts = (User.objects.count(), Profile.objects.count(), ProfileSkill.objects.count())

    output = seed(password="a-different-password")

    assert snapshot() == before
    assert (User.objects.count(), Profile.objects.count(), ProfileSkill.objects.count()) == counts
    assert EmailAddress.objects.count() == EVERYONE
    assert f"0 created, {EVERYONE} already there" in output
    for login in ("admin@", "mentor01@", "mentee001@", "both01@"):
        assert f"{login}{DEMO_DOMAIN}" in output


def test_an_existing_account_is_left_alone() -> None:
    someone = User.objects.create_user("Mentor01@demo.mentorship.test", password="their-own-pw-1")

    seed()

    someone.refresh_from_db()
    assert someone.check_password("their-own-pw-1")
    assert not Profile.objects.filter(user=someone).exists()
    assert User.objects.count() == EVERYONE


def test_the_same_seed_gives_the_same_people() -> None:
    seed()
    first = sorted(Profile.objects.values_list("user__email", "display_name", "industry"))
    User.objects.all().delete()

    seed()
    second = sorted(Profile.objects.values_list("user__email", "display_name", "industry"))

    assert first == second
    assert plan_community(mentors=3, mentees=5, both=1) == plan_community(
        mentors=3, mentees=5, both=1
    )


def test_output_names_the_password_and_example_logins() -> None:
    output = seed()

    assert DEFAULT_PASSWORD in output
    assert f"{EVERYONE} created" in output
    for login in ("admin@", "mentor01@", "mentee001@", "both01@"):
        assert f"{login}{DEMO_DOMAIN}" in output


def test_a_demo_mentee_can_log_in(client) -> None:
    seed()

    assert client.login(email=f"mentee001@{DEMO_DOMAIN}", password=DEFAULT_PASSWORD)


@pytest.mark.parametrize("login", ["admin", "mentor01", "mentee001", "both01"])
def test_demo_people_skip_onboarding(client, login: str) -> None:
    seed()
    client.login(email=f"{login}@{DEMO_DOMAIN}", password=DEFAULT_PASSWORD)

    response = client.get(reverse("profiles:detail"))

    assert response.status_code == 200


def test_custom_password_and_counts(client) -> None:
    output = seed(password="another-demo-pass", mentors=2, mentees=3, both=0)

    assert User.objects.count() == 1 + 2 + 3
    assert "both01" not in output
    assert client.login(email=f"mentor02@{DEMO_DOMAIN}", password="another-demo-pass")
    assert not client.login(email=f"mentor02@{DEMO_DOMAIN}", password=DEFAULT_PASSWORD)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(CommandError, match="--mentees"):
        seed(mentees=-1)
    assert not User.objects.exists()


def test_missing_vocabulary_is_reported_and_nothing_is_created() -> None:
    Skill.objects.filter(name="Python").delete()

    with pytest.raises(CommandError, match="Python"):
        seed()
    assert not User.objects.exists()
