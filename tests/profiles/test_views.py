"""Onboarding and profile pages: access, step order, bad input, happy paths, query counts."""

import html
import re
import zoneinfo
from typing import Any

from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from profiles.models import Language, Profile, ProfileSkill, Skill, SkillKind
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

ONBOARDING_URLS = [
    "profiles:onboarding-start",
    "profiles:onboarding-role",
    "profiles:onboarding-about",
    "profiles:onboarding-skills",
]
PROFILE_URLS = ["profiles:detail", "profiles:edit", "profiles:role", "profiles:skills"]

ABOUT = {
    "display_name": "Grace Hopper",
    "headline": "Compiler pioneer moving into teaching",
    "job_title": "Rear admiral",
    "organisation": "US Navy",
    "industry": "public",
    "years_experience": "12",
    "career_stage": "senior",
    "languages": ["en", "es"],
    "time_zone": "America/New_York",
    "hours_per_month": "6",
    "meeting_formats": ["video", "chat"],
    "career_goals": "Teach a new generation to write programs people can read.",
    "target_role": "Professor",
    "bio": "Found the first actual bug.",
    "linkedin_url": "https://www.linkedin.com/in/grace",
}
REQUIRED_ABOUT_FIELDS = [
    "display_name",
    "headline",
    "job_title",
    "industry",
    "years_experience",
    "career_stage",
    "time_zone",
    "hours_per_month",
    "career_goals",
]


# HTML helpers: the client has no DOM, and these pin "the error sits next to its field".


def _html(response) -> str:
    return response.content.decode()


def _tag(page: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    match = re.search(
        rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', page
    )
    assert match, f"no field with id {element_id}"
    return match.group(0)


def _text_of(page: str, element_id: str) -> str:
    match = re.search(rf'<div\b[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"no element with id {element_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def assert_field_error(response, name: str, message: str) -> None:
    """The field is marked invalid and its own error block carries the message."""
    page = _html(response)
    field_id = f"id_{name}"
    if f'id="{field_id}"' not in page:
        field_id = f"id_{name}_0"  # a checkbox group: the first box stands for the group
    assert "is-invalid" in _tag(page, field_id)
    error_id = f"id_{name}-error" if "-" in name else f"id_{name}_error"
    assert message in _text_of(page, error_id)


def assert_no_field_error(response, name: str) -> None:
    page = _html(response)
    assert f'id="id_{name}_error"' not in page
    assert "is-invalid" not in _tag(page, f"id_{name}")


def _value_of(page: str, element_id: str) -> str | None:
    tag = _tag(page, element_id)
    if tag.startswith("<textarea"):
        body = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</textarea>', page, re.S)
        return html.unescape(body.group(1)).strip()
    value = re.search(r'\bvalue="([^"]*)"', tag)
    return html.unescape(value.group(1)) if value else None


def _is_selected(page: str, name: str, value: str) -> bool:
    select = re.search(rf'<select\b[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    return bool(re.search(rf'<option value="{re.escape(value)}"[^>]*\bselected\b', select.group(1)))


def _is_checked(page: str, name: str, value: str) -> bool:
    box = re.search(rf'<input\b[^>]*name="{name}" value="{re.escape(value)}"[^>]*>', page)
    assert box, f"no checkbox {name}={value}"
    return "checked" in box.group(0)


def assert_keeps_typed_about(response, data: dict[str, Any], skip: str = "") -> None:
    """Everything the person typed on the about form is shown back to them."""
    page = _html(response)
    typed = ["display_name", "headline", "job_title", "organisation", "years_experience"]
    typed += ["hours_per_month", "career_goals", "target_role", "bio", "linkedin_url"]
    for name in typed:
        if name != skip and name in data:
            assert _value_of(page, f"id_{name}") == data[name], name
    for name in ["industry", "career_stage", "time_zone"]:
        if name != skip and name in data:
            assert _is_selected(page, name, data[name]), name
    for name in ["languages", "meeting_formats"]:
        if name != skip:
            for value in data.get(name, []):
                assert _is_checked(page, name, value), f"{name}={value}"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _skill_rows(profile: Profile) -> set[tuple[str, str, int]]:
    return {
        (row.skill.name, row.kind, row.level)
        for row in ProfileSkill.objects.filter(profile=profile).select_related("skill")
    }


def _skills_post(prefix: str, rows: list[tuple[str, str]], initial: int = 0) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for i, (name, level) in enumerate(rows):
        data[f"{prefix}-{i}-name"] = name
        data[f"{prefix}-{i}-level"] = level
    return data


@pytest.fixture
def starter(db) -> Profile:
    """Step 1 done (wants a mentor), nothing else yet."""
    user = UserFactory()
    return Profile.objects.create(user=user, wants_mentoring=True)


@pytest.fixture
def half_onboarded(db) -> Profile:
    """Steps 1 and 2 done, no skills, not onboarded."""
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False, onboarded_at=None)
    ProfileSkill.objects.filter(profile=profile).delete()
    return profile


# Middleware: nobody signed in gets past onboarding without finishing it.


@pytest.mark.parametrize(
    "url",
    ["/dashboard/", "/profile/", "/profile/edit/", "/profile/role/", "/profile/skills/"],
)
def test_newcomer_is_sent_to_onboarding_from_app_pages(client, newcomer, url: str) -> None:
    client.force_login(newcomer)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("profiles:onboarding-start")


def test_half_onboarded_person_is_sent_to_onboarding_from_the_dashboard(
    client, half_onboarded
) -> None:
    client.force_login(half_onboarded.user)
    response = client.get(reverse("dashboard"))
    assert response.url == reverse("profiles:onboarding-start")
    assert client.get(response.url).url == reverse("profiles:onboarding-skills")


def test_newcomer_can_open_the_first_onboarding_step(client, newcomer) -> None:
    client.force_login(newcomer)
    assert client.get(reverse("profiles:onboarding-start")).url == reverse(
        "profiles:onboarding-role"
    )
    response = client.get(reverse("profiles:onboarding-role"))
    assert response.status_code == 200
    assert "What brings you here?" in _html(response)


def test_half_onboarded_person_can_open_every_onboarding_step(client, half_onboarded) -> None:
    client.force_login(half_onboarded.user)
    for name in ["profiles:onboarding-role", "profiles:onboarding-about"]:
        assert client.get(reverse(name)).status_code == 200, name
    response = client.get(reverse("profiles:onboarding-skills"))
    assert response.status_code == 200
    assert "Skills you want to learn" in _html(response)


def test_newcomer_can_reach_account_pages(client, newcomer) -> None:
    client.force_login(newcomer)
    assert client.get(reverse("account_email")).status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_newcomer_can_log_out(client, newcomer) -> None:
    client.force_login(newcomer)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session


def test_onboarded_person_reaches_the_dashboard(client, mentee) -> None:
    client.force_login(mentee)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert f"Welcome, {html.escape(mentee.profile.display_name)}" in _html(response)


def test_onboarding_start_sends_an_onboarded_person_to_the_dashboard(client, mentor) -> None:
    client.force_login(mentor)
    response = client.get(reverse("profiles:onboarding-start"))
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_staff_without_profile_can_open_the_admin(client) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Programme administration" in _html(response)


# Anonymous visitors


@pytest.mark.parametrize("name", ONBOARDING_URLS + PROFILE_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login(client, name: str, method: str) -> None:
    url = reverse(name)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_anonymous_post_to_onboarding_creates_nothing(client) -> None:
    before = Profile.objects.count()
    client.post(reverse("profiles:onboarding-role"), {"wants_mentoring": "on"})
    assert Profile.objects.count() == before


# Step order


def test_onboarding_start_resumes_at_the_first_unfinished_step(
    client, newcomer, starter, half_onboarded
) -> None:
    expected = {
        newcomer: "profiles:onboarding-role",
        starter.user: "profiles:onboarding-about",
        half_onboarded.user: "profiles:onboarding-skills",
    }
    for user, name in expected.items():
        client.force_login(user)
        assert client.get(reverse("profiles:onboarding-start")).url == reverse(name)


@pytest.mark.parametrize("method", ["get", "post"])
def test_step_two_without_a_profile_goes_back_to_step_one(client, newcomer, method: str) -> None:
    client.force_login(newcomer)
    response = getattr(client, method)(reverse("profiles:onboarding-about"), ABOUT)
    assert response.status_code == 302
    assert response.url == reverse("profiles:onboarding-role")
    assert not Profile.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_step_three_before_step_two_goes_back_to_start(client, starter, method: str) -> None:
    client.force_login(starter.user)
    data = _skills_post("learn", [("SQL", "2")])
    response = getattr(client, method)(reverse("profiles:onboarding-skills"), data)
    assert response.status_code == 302
    assert response.url == reverse("profiles:onboarding-start")
    assert client.get(response.url).url == reverse("profiles:onboarding-about")
    starter.refresh_from_db()
    assert starter.onboarded_at is None
    assert not starter.skills.exists()


def test_step_three_without_a_profile_goes_back_to_start(client, newcomer) -> None:
    client.force_login(newcomer)
    response = client.get(reverse("profiles:onboarding-skills"))
    assert response.url == reverse("profiles:onboarding-start")


# Full onboarding, step by step


def test_onboarding_role_creates_the_profile_and_moves_to_step_two(client, newcomer) -> None:
    client.force_login(newcomer)
    response = client.post(
        reverse("profiles:onboarding-role"),
        {"wants_to_mentor": "on", "mentor_capacity": "4", "is_accepting_requests": "on"},
    )
    assert response.url == reverse("profiles:onboarding-about")
    profile = Profile.objects.get(user=newcomer)
    assert (profile.wants_mentoring, profile.wants_to_mentor) == (False, True)
    assert profile.mentor_capacity == 4
    assert profile.onboarded_at is None


def test_onboarding_about_saves_essentials_and_moves_to_step_three(client, starter) -> None:
    client.force_login(starter.user)
    response = client.post(reverse("profiles:onboarding-about"), ABOUT)
    assert response.status_code == 302
    assert response.url == reverse("profiles:onboarding-skills")
    starter.refresh_from_db()
    assert starter.display_name == "Grace Hopper"
    assert starter.essentials_done_at is not None
    assert starter.onboarded_at is None
    assert set(starter.languages.values_list("code", flat=True)) == {"en", "es"}
    assert starter.meeting_formats == ["video", "chat"]


def test_onboarding_skills_finishes_onboarding(client, half_onboarded) -> None:
    client.force_login(half_onboarded.user)
    data = _skills_post("learn", [("sql", "3"), ("public speaking", "1"), ("", "2")])
    response = client.post(reverse("profiles:onboarding-skills"), data)
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert "Welcome aboard! Your profile is ready." in _messages(response)
    half_onboarded.refresh_from_db()
    assert half_onboarded.is_onboarded
    assert _skill_rows(half_onboarded) == {
        ("SQL", SkillKind.LEARN, 3),
        ("Public speaking", SkillKind.LEARN, 1),
    }
    assert client.get(reverse("dashboard")).status_code == 200


def test_onboarding_skills_needs_both_lists_from_someone_doing_both(client, half_onboarded) -> None:
    Profile.objects.filter(pk=half_onboarded.pk).update(wants_to_mentor=True)
    client.force_login(half_onboarded.user)

    page = _html(client.get(reverse("profiles:onboarding-skills")))
    assert 'data-prefix="expertise"' in page
    assert 'data-prefix="learn"' in page

    data = {
        **_skills_post("learn", [("SQL", "2")]),
        **_skills_post("expertise", [("", "2")]),
    }
    response = client.post(reverse("profiles:onboarding-skills"), data)
    assert response.status_code == 200
    assert "Add at least one skill you can teach." in _html(response)
    half_onboarded.refresh_from_db()
    assert half_onboarded.onboarded_at is None
    assert _skill_rows(half_onboarded) == set()

    data.update(_skills_post("expertise", [("Python", "3")]))
    response = client.post(reverse("profiles:onboarding-skills"), data)
    assert response.url == reverse("dashboard")
    assert _skill_rows(half_onboarded) == {
        ("SQL", SkillKind.LEARN, 2),
        ("Python", SkillKind.EXPERTISE, 3),
    }


def test_onboarding_skills_without_the_expertise_formset_is_refused(client, half_onboarded) -> None:
    Profile.objects.filter(pk=half_onboarded.pk).update(wants_to_mentor=True)
    client.force_login(half_onboarded.user)

    response = client.post(
        reverse("profiles:onboarding-skills"), _skills_post("learn", [("SQL", "2")])
    )

    assert response.status_code == 200
    half_onboarded.refresh_from_db()
    assert half_onboarded.onboarded_at is None
    assert _skill_rows(half_onboarded) == set()


# Bad input: the role form


@pytest.fixture(params=["onboarding", "profile"])
def role_page(request, newcomer, mentee) -> tuple[Any, str]:
    """The role form during onboarding (newcomer) and afterwards (mentee)."""
    if request.param == "onboarding":
        return newcomer, reverse("profiles:onboarding-role")
    return mentee, reverse("profiles:role")


def _intent_state(user) -> tuple | None:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return None
    return (
        profile.wants_mentoring,
        profile.wants_to_mentor,
        profile.mentor_capacity,
        profile.is_accepting_requests,
    )


def test_role_form_without_any_intent_is_refused(client, role_page) -> None:
    user, url = role_page
    before = _intent_state(user)
    client.force_login(user)

    response = client.post(url, {"mentor_capacity": "7"})

    assert response.status_code == 200
    page = _html(response)
    alert = re.search(r'<div class="alert alert-danger"[^>]*>(.*?)</div>', page, re.S)
    assert alert
    assert "Choose at least one" in alert.group(1)
    assert _value_of(page, "id_mentor_capacity") == "7"
    assert "checked" not in _tag(page, "id_wants_mentoring")
    assert "checked" not in _tag(page, "id_is_accepting_requests")
    assert _intent_state(user) == before


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ("11", "Ensure this value is less than or equal to 10."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("abc", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_role_form_refuses_a_bad_capacity(client, role_page, capacity: str, message: str) -> None:
    user, url = role_page
    before = _intent_state(user)
    client.force_login(user)

    response = client.post(
        url, {"wants_mentoring": "on", "wants_to_mentor": "on", "mentor_capacity": capacity}
    )

    assert response.status_code == 200
    assert_field_error(response, "mentor_capacity", message)
    page = _html(response)
    assert (_value_of(page, "id_mentor_capacity") or "") == capacity
    assert "checked" in _tag(page, "id_wants_to_mentor")
    assert "checked" in _tag(page, "id_wants_mentoring")
    assert _intent_state(user) == before


# Bad input: the about form


@pytest.fixture(params=["onboarding", "profile"])
def about_page(request, starter, mentee) -> tuple[Profile, str]:
    """The about form during onboarding (step 2) and afterwards (edit profile)."""
    if request.param == "onboarding":
        return starter, reverse("profiles:onboarding-about")
    return mentee.profile, reverse("profiles:edit")


def _essentials_state(profile: Profile) -> dict[str, Any]:
    fresh = Profile.objects.get(pk=profile.pk)
    return {
        "display_name": fresh.display_name,
        "headline": fresh.headline,
        "years_experience": fresh.years_experience,
        "hours_per_month": fresh.hours_per_month,
        "time_zone": fresh.time_zone,
        "career_goals": fresh.career_goals,
        "linkedin_url": fresh.linkedin_url,
        "meeting_formats": fresh.meeting_formats,
        "languages": set(fresh.languages.values_list("code", flat=True)),
        "essentials_done_at": fresh.essentials_done_at,
        "updated_at": fresh.updated_at,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("years_experience", "61", "Ensure this value is less than or equal to 60."),
        ("years_experience", "-1", "Ensure this value is greater than or equal to 0."),
        ("hours_per_month", "0", "Ensure this value is greater than or equal to 1."),
        ("hours_per_month", "41", "Ensure this value is less than or equal to 40."),
        ("time_zone", "Mars/Olympus", "Select a valid choice. Mars/Olympus is not one of"),
        ("time_zone", "US/Pacific", "Select a valid choice."),
        ("career_goals", "be better", "Say a little more (at least 20 characters)"),
        ("linkedin_url", "https://evil.example.com/in/x", "Enter a LinkedIn address"),
        ("linkedin_url", "https://linkedin.com.evil.example/in/x", "Enter a LinkedIn address"),
        ("linkedin_url", "https://www.linkedin.com@evil.example/in/x", "Enter a LinkedIn address"),
        ("languages", [], "Pick at least one language you can meet in."),
        ("languages", ["xx"], "Select a valid choice."),
        ("meeting_formats", [], "Pick at least one way you like to meet."),
        ("meeting_formats", ["carrier_pigeon"], "Select a valid choice."),
        ("headline", "h" * 141, "Ensure this value has at most 140 characters (it has 141)."),
        ("display_name", " a ", "Enter at least two characters."),
        ("display_name", "x" * 81, "Ensure this value has at most 80 characters"),
        ("industry", "astrology", "Select a valid choice."),
        ("bio", "b" * 3001, "Ensure this value has at most 3000 characters"),
    ],
)
def test_about_form_refuses_bad_input_and_keeps_what_was_typed(
    client, about_page, field: str, value: Any, message: str
) -> None:
    profile, url = about_page
    before = _essentials_state(profile)
    client.force_login(profile.user)

    response = client.post(url, {**ABOUT, field: value})

    assert response.status_code == 200
    assert_field_error(response, field, message)
    assert_keeps_typed_about(response, ABOUT, skip=field)
    if isinstance(value, str) and field not in {"time_zone", "industry"}:
        assert _value_of(_html(response), f"id_{field}") == value
    assert _essentials_state(profile) == before


@pytest.mark.parametrize("field", REQUIRED_ABOUT_FIELDS)
def test_about_form_requires_the_essentials(client, about_page, field: str) -> None:
    profile, url = about_page
    before = _essentials_state(profile)
    client.force_login(profile.user)
    data = {k: v for k, v in ABOUT.items() if k != field}

    response = client.post(url, data)

    assert response.status_code == 200
    assert_field_error(response, field, "This field is required.")
    assert_keeps_typed_about(response, data, skip=field)
    assert _essentials_state(profile) == before


def test_about_form_shows_every_error_at_once(client, starter) -> None:
    client.force_login(starter.user)
    response = client.post(
        reverse("profiles:onboarding-about"),
        {**ABOUT, "years_experience": "61", "hours_per_month": "0", "linkedin_url": "x"},
    )
    assert_field_error(response, "years_experience", "less than or equal to 60")
    assert_field_error(response, "hours_per_month", "greater than or equal to 1")
    assert_field_error(response, "linkedin_url", "Enter a")
    assert_no_field_error(response, "display_name")
    starter.refresh_from_db()
    assert starter.essentials_done_at is None
    assert starter.display_name == ""


def test_career_goals_are_optional_for_a_mentor(client, mentor) -> None:
    client.force_login(mentor)
    response = client.post(reverse("profiles:edit"), {**ABOUT, "career_goals": ""})
    assert response.status_code == 302
    mentor.profile.refresh_from_db()
    assert mentor.profile.career_goals == ""


def test_hours_per_month_input_advertises_the_same_minimum_the_server_enforces(
    client, mentee
) -> None:
    # The browser's number spinner should not offer 0 when the server refuses it.
    client.force_login(mentee)
    tag = _tag(_html(client.get(reverse("profiles:edit"))), "id_hours_per_month")
    assert 'min="1"' in tag
    assert 'max="40"' in tag


# Bad input: the skills forms


@pytest.fixture(params=["onboarding", "profile"])
def skills_page(request, half_onboarded, mentee) -> tuple[Profile, str]:
    """The skills form during onboarding (step 3) and afterwards (edit skills)."""
    if request.param == "onboarding":
        return half_onboarded, reverse("profiles:onboarding-skills")
    return mentee.profile, reverse("profiles:skills")


def _skills_state(profile: Profile) -> tuple:
    fresh = Profile.objects.get(pk=profile.pk)
    return _skill_rows(fresh), fresh.onboarded_at, Skill.objects.count()


def test_skills_form_requires_a_skill_to_learn_from_a_mentee(client, skills_page) -> None:
    profile, url = skills_page
    before = _skills_state(profile)
    client.force_login(profile.user)

    response = client.post(url, _skills_post("learn", [("", "2"), ("", "3")]))

    assert response.status_code == 200
    page = _html(response)
    fieldset = re.search(
        r'<fieldset class="skill-formset[^"]*" data-prefix="learn">(.*?)</fieldset>', page, re.S
    )
    assert fieldset
    assert "Add at least one skill you want to learn." in fieldset.group(1)
    assert _skills_state(profile) == before


def test_skills_form_refuses_the_same_skill_twice_in_different_case(client, skills_page) -> None:
    profile, url = skills_page
    before = _skills_state(profile)
    client.force_login(profile.user)

    response = client.post(
        url, _skills_post("learn", [("Event storming", "2"), ("event STORMING", "3")])
    )

    assert response.status_code == 200
    assert_field_error(response, "learn-1-name", "You already listed this skill.")
    page = _html(response)
    assert "is-invalid" not in _tag(page, "id_learn-0-name")
    assert _value_of(page, "id_learn-0-name") == "Event storming"
    assert _value_of(page, "id_learn-1-name") == "event STORMING"
    assert _is_selected(page, "learn-1-level", "3")
    assert _skills_state(profile) == before
    assert not Skill.objects.filter(name__iexact="event storming").exists()


@pytest.mark.parametrize("name", ["!!!", "123", "--- ---"])
def test_skills_form_refuses_a_name_without_letters(client, skills_page, name: str) -> None:
    profile, url = skills_page
    before = _skills_state(profile)
    client.force_login(profile.user)

    response = client.post(url, _skills_post("learn", [("SQL", "2"), (name, "1")]))

    assert response.status_code == 200
    assert_field_error(response, "learn-1-name", "A skill name needs at least one letter.")
    page = _html(response)
    assert _value_of(page, "id_learn-1-name") == name
    assert _value_of(page, "id_learn-0-name") == "SQL"
    assert _skills_state(profile) == before


def test_skills_form_refuses_a_name_over_sixty_characters(client, skills_page) -> None:
    profile, url = skills_page
    before = _skills_state(profile)
    client.force_login(profile.user)

    response = client.post(url, _skills_post("learn", [("s" * 61, "2")]))

    assert response.status_code == 200
    assert_field_error(response, "learn-0-name", "at most 60 characters")
    assert _skills_state(profile) == before


@pytest.mark.parametrize("level", ["4", "0", "expert"])
def test_skills_form_refuses_a_level_outside_the_choices(client, skills_page, level: str) -> None:
    profile, url = skills_page
    before = _skills_state(profile)
    client.force_login(profile.user)

    response = client.post(url, _skills_post("learn", [("SQL", level)]))

    assert response.status_code == 200
    page = _html(response)
    assert "is-invalid" in _tag(page, "id_learn-0-level")
    assert "Select a valid choice." in page
    assert _value_of(page, "id_learn-0-name") == "SQL"
    assert _skills_state(profile) == before


def test_skills_form_refuses_more_than_fifteen_rows(client, skills_page) -> None:
    profile, url = skills_page
    before = _skills_state(profile)
    client.force_login(profile.user)
    names = list(Skill.objects.values_list("name", flat=True)[:16])

    response = client.post(url, _skills_post("learn", [(n, "2") for n in names]))

    assert response.status_code == 200
    page = _html(response)
    assert "Please submit at most 15 forms." in page
    assert _value_of(page, "id_learn-0-name") == names[0]
    assert _skills_state(profile) == before


def test_skills_form_accepts_exactly_fifteen_rows(client, skills_page) -> None:
    profile, url = skills_page
    client.force_login(profile.user)
    names = list(Skill.objects.values_list("name", flat=True)[:15])

    response = client.post(url, _skills_post("learn", [(n, "1") for n in names]))

    assert response.status_code == 302
    assert {name for name, _, _ in _skill_rows(profile)} == set(names)


# Happy paths after onboarding


def test_profile_edit_saves_and_returns_to_the_profile(client, mentee) -> None:
    essentials_done_at = mentee.profile.essentials_done_at
    client.force_login(mentee)

    response = client.post(reverse("profiles:edit"), ABOUT)

    assert response.status_code == 302
    assert response.url == reverse("profiles:detail")
    assert "Your profile is saved." in _messages(response)
    profile = Profile.objects.get(pk=mentee.profile.pk)
    assert profile.display_name == "Grace Hopper"
    assert profile.headline == ABOUT["headline"]
    assert profile.years_experience == 12
    assert profile.hours_per_month == 6
    assert profile.time_zone == "America/New_York"
    assert profile.linkedin_url == "https://www.linkedin.com/in/grace"
    assert profile.meeting_formats == ["video", "chat"]
    assert set(profile.languages.values_list("code", flat=True)) == {"en", "es"}
    # Editing later does not move the moment the essentials were first done.
    assert profile.essentials_done_at == essentials_done_at


def test_profile_edit_tidies_the_display_name(client, mentee) -> None:
    client.force_login(mentee)
    client.post(reverse("profiles:edit"), {**ABOUT, "display_name": "  Grace    Hopper "})
    mentee.profile.refresh_from_db()
    assert mentee.profile.display_name == "Grace Hopper"


def test_profile_edit_shows_the_current_values(client, mentee) -> None:
    client.force_login(mentee)
    page = _html(client.get(reverse("profiles:edit")))
    assert _value_of(page, "id_display_name") == mentee.profile.display_name
    assert _is_selected(page, "time_zone", "Europe/Berlin")
    assert _is_checked(page, "languages", "en")
    assert _is_checked(page, "meeting_formats", "video")
    assert not _is_checked(page, "meeting_formats", "chat")


def test_role_page_turning_a_mentee_into_a_mentor_asks_for_expertise(client, mentee) -> None:
    client.force_login(mentee)

    response = client.post(
        reverse("profiles:role"),
        {
            "wants_mentoring": "on",
            "wants_to_mentor": "on",
            "mentor_capacity": "3",
            "is_accepting_requests": "on",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("profiles:skills")
    assert "Add the skills you can teach so mentees can find you." in _messages(response)
    mentee.profile.refresh_from_db()
    assert mentee.profile.wants_to_mentor
    assert mentee.profile.mentor_capacity == 3
    page = _html(client.get(response.url))
    assert 'data-prefix="expertise"' in page


def test_role_page_for_a_mentor_with_expertise_returns_to_the_profile(client, mentor) -> None:
    client.force_login(mentor)

    response = client.post(
        reverse("profiles:role"), {"wants_to_mentor": "on", "mentor_capacity": "0"}
    )

    assert response.url == reverse("profiles:detail")
    assert "Your role settings are saved." in _messages(response)
    mentor.profile.refresh_from_db()
    assert mentor.profile.mentor_capacity == 0
    assert not mentor.profile.is_accepting_requests


def test_skills_page_saves_skills_and_levels(client, mentee) -> None:
    client.force_login(mentee)

    response = client.post(
        reverse("profiles:skills"),
        _skills_post("learn", [("Public speaking", "3"), ("sql", "1"), ("", "2")], initial=4),
    )

    assert response.status_code == 302
    assert response.url == reverse("profiles:detail")
    assert "Your skills are saved." in _messages(response)
    assert _skill_rows(mentee.profile) == {
        ("Public speaking", SkillKind.LEARN, 3),
        ("SQL", SkillKind.LEARN, 1),
    }


def test_skills_page_keeps_an_unchanged_skill_that_is_submitted_again(client, mentee) -> None:
    client.force_login(mentee)
    page = _html(client.get(reverse("profiles:skills")))
    initial = re.search(r'name="learn-INITIAL_FORMS" value="(\d+)"', page).group(1)

    response = client.post(
        reverse("profiles:skills"),
        _skills_post("learn", [("Public speaking", "2"), ("Go", "1")], initial=int(initial)),
    )

    assert response.status_code == 302
    assert _skill_rows(mentee.profile) == {
        ("Public speaking", SkillKind.LEARN, 2),
        ("Go", SkillKind.LEARN, 1),
    }


def test_skills_page_keeps_a_resubmitted_skill_whatever_initial_forms_says(client, mentee) -> None:
    # The rows posted are the person's skills. A row must not be dropped because it happens
    # to equal what the database holds at that index.
    client.force_login(mentee)

    response = client.post(
        reverse("profiles:skills"),
        _skills_post("learn", [("Public speaking", "2"), ("Go", "1")], initial=0),
    )

    assert response.status_code == 302
    assert _skill_rows(mentee.profile) == {
        ("Public speaking", SkillKind.LEARN, 2),
        ("Go", SkillKind.LEARN, 1),
    }


def test_skills_page_leaves_expertise_alone_when_only_learn_changes(client) -> None:
    both = ProfileFactory(wants_mentoring=True, wants_to_mentor=True).user
    client.force_login(both)

    response = client.post(
        reverse("profiles:skills"),
        {
            **_skills_post("learn", [("Go", "3")], initial=1),
            **_skills_post("expertise", [("Python", "2")], initial=1),
        },
    )

    assert response.status_code == 302
    assert _skill_rows(both.profile) == {
        ("Go", SkillKind.LEARN, 3),
        ("Python", SkillKind.EXPERTISE, 2),
    }


def test_skills_page_lists_current_skills(client, mentor) -> None:
    client.force_login(mentor)
    page = _html(client.get(reverse("profiles:skills")))
    assert _value_of(page, "id_expertise-0-name") == "Python"
    assert 'data-prefix="learn"' not in page
    assert '<option value="Python">' in page


def test_own_profile_page_shows_name_languages_skills_and_local_time(client) -> None:
    profile = ProfileFactory(
        display_name="Ada Lovelace",
        wants_mentoring=True,
        wants_to_mentor=True,
        time_zone="Asia/Tokyo",
        languages=["en", "fr"],
    )
    client.force_login(profile.user)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")

    before = timezone.now().astimezone(tokyo)
    response = client.get(reverse("profiles:detail"))
    after = timezone.now().astimezone(tokyo)

    assert response.status_code == 200
    page = _html(response)
    assert "<h1" in page
    assert "Ada Lovelace" in page
    assert "English, French" in page
    assert "Python" in page
    assert "Public speaking" in page
    assert "Asia/Tokyo" in page
    times = {before.strftime("%H:%M"), after.strftime("%H:%M")}
    assert any(f"(now {t})" in page for t in times)


def test_profile_pages_only_ever_show_your_own_profile(client, mentee) -> None:
    other = ProfileFactory(display_name="Zebulon Quux", headline="Someone else entirely")
    client.force_login(mentee)

    for name in PROFILE_URLS:
        page = _html(client.get(reverse(name)))
        assert "Zebulon Quux" not in page, name
        assert "Someone else entirely" not in page, name
    assert html.escape(mentee.profile.display_name) in _html(client.get(reverse("profiles:detail")))
    # There is no address for somebody else's profile.
    assert client.get(f"/profile/{other.pk}/").status_code == 404


def test_profile_edit_cannot_be_pointed_at_another_profile(client, mentee) -> None:
    other = ProfileFactory(display_name="Zebulon Quux")
    client.force_login(mentee)

    client.post(reverse("profiles:edit"), {**ABOUT, "user": other.user_id, "id": other.pk})

    other.refresh_from_db()
    assert other.display_name == "Zebulon Quux"
    mentee.profile.refresh_from_db()
    assert mentee.profile.display_name == "Grace Hopper"


# Query counts


def _give_learn_skills(profile: Profile, count: int) -> None:
    ProfileSkill.objects.filter(profile=profile).delete()
    for skill in Skill.objects.all()[:count]:
        ProfileSkill.objects.create(profile=profile, skill=skill, kind=SkillKind.LEARN)
    for skill in Skill.objects.all()[count : count * 2]:
        ProfileSkill.objects.create(profile=profile, skill=skill, kind=SkillKind.EXPERTISE)


@pytest.mark.parametrize("name", ["profiles:detail", "dashboard"])
def test_page_queries_do_not_grow_with_the_number_of_skills(client, name: str) -> None:
    counts = []
    # Both people exist before measuring, so each sees the other in the directory.
    profiles = {
        count: ProfileFactory(wants_mentoring=True, wants_to_mentor=True) for count in (1, 10)
    }
    for count, profile in profiles.items():
        _give_learn_skills(profile, count)
        profile.languages.set(Language.objects.all()[: count * 2])
        client.force_login(profile.user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
        assert response.status_code == 200
        assert len(ProfileSkill.objects.filter(profile=profile)) == count * 2
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The dashboard's "Up next" card adds four queries (meetings, action items, goals due,
# reviews waiting) and the navbar's review badge one: fixed, whatever the data.
@pytest.mark.parametrize(("name", "budget"), [("profiles:detail", 10), ("dashboard", 25)])
def test_page_stays_within_a_small_query_budget(
    client, django_assert_max_num_queries, name: str, budget: int
) -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=True)
    _give_learn_skills(profile, 10)
    client.force_login(profile.user)
    with django_assert_max_num_queries(budget):
        assert client.get(reverse(name)).status_code == 200
