"""The directory's filters and the request form, as rendered by crispy-forms: every field
has its label, its help and errors are tied to it, and what the person chose stays."""

from django.test import Client
from django.urls import reverse

import pytest

from accounts.models import User
from matching import services
from matching.models import Cohort, Enrollment, Role
from matching.selectors import SORTS
from profiles.models import Industry, Language, MeetingFormat, Skill
from tests.form_html import (
    error_of,
    field_tag,
    has_error,
    help_of,
    label_of,
    options_of,
    value_of,
)

pytestmark = pytest.mark.django_db

FILTER_LABELS = {
    "id_q": "Search",
    "id_sort": "Sort",
    "id_skills": "Skills",
    "id_industry": "Industry",
    "id_language": "Language",
    "id_overlap": "Working hours overlap",
    "id_meeting_format": "Meets by",
    "id_free_only": "Has a free place",
}


@pytest.fixture
def python() -> Skill:
    return Skill.objects.get(name="Python")


def _page(client: Client, query: str = "") -> str:
    response = client.get(f"{reverse('matching:directory')}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_directory_filters_are_labelled_with_their_help(
    client: Client, mentee: User, mentor: User
) -> None:
    client.force_login(mentee)
    page = _page(client)
    for field_id, label in FILTER_LABELS.items():
        assert label_of(page, field_id) == label
        assert not has_error(page, field_id)
    assert help_of(page, "id_skills").startswith("Mentors who can teach any of these.")
    assert value_of(page, "id_skills") == ""
    # The skills the listed mentors teach, and the fixed choices with their "any" first.
    assert "Python" in options_of(page, "id_skills")
    assert options_of(page, "id_industry")[:2] == ["Any industry", Industry.SOFTWARE.label]
    assert options_of(page, "id_language")[0] == "Any language"
    assert options_of(page, "id_sort") == list(SORTS.values())
    # One programme: nothing to choose between.
    assert 'id="id_cohort"' not in page


def test_directory_keeps_every_filter_chosen(
    client: Client, mentee: User, mentor: User, python: Skill
) -> None:
    english = Language.objects.get(code="en")
    client.force_login(mentee)
    page = _page(
        client,
        f"q=design+%3Clead%3E&skills={python.pk}&industry=software&language={english.pk}"
        "&overlap=4&meeting_format=video&free_only=on&sort=experience",
    )
    assert value_of(page, "id_q") == "design <lead>"
    assert 'value="design &lt;lead&gt;"' in field_tag(page, "id_q")  # escaped, not markup
    assert value_of(page, "id_skills") == "Python"
    assert value_of(page, "id_industry") == Industry.SOFTWARE.label
    assert value_of(page, "id_language") == english.name
    assert value_of(page, "id_overlap") == "4+ hours"
    assert value_of(page, "id_meeting_format") == MeetingFormat.VIDEO.label
    assert value_of(page, "id_free_only") == "on"
    assert value_of(page, "id_sort") == SORTS["experience"]
    assert not any(has_error(page, field_id) for field_id in FILTER_LABELS)


def test_directory_shows_a_bad_filter_next_to_its_field_and_keeps_the_others(
    client: Client, mentee: User, mentor: User
) -> None:
    client.force_login(mentee)
    page = _page(client, "q=py&overlap=99&sort=bogus&free_only=on")
    assert "Select a valid choice" in error_of(page, "id_overlap")
    assert "Select a valid choice" in error_of(page, "id_sort")
    assert value_of(page, "id_q") == "py"
    assert value_of(page, "id_free_only") == "on"
    assert not has_error(page, "id_q")
    # The bad values are dropped, not turned into "no results".
    assert mentor.profile.display_name in page


def test_directory_offers_the_programme_filter_to_members_of_several(
    client: Client, mentee: User
) -> None:
    other = Cohort.objects.create(name="Women in Data", slug="women-in-data")
    services.join_cohort(user=mentee, cohort=other, role=Role.MENTEE)
    client.force_login(mentee)
    page = _page(client, f"cohort={other.pk}")
    assert label_of(page, "id_cohort") == "Cohort"
    assert value_of(page, "id_cohort") == "Women in Data"


def test_request_form_ties_its_help_and_errors_to_the_fields_and_keeps_the_text(
    client: Client, mentee: User, mentor: User
) -> None:
    enrollment = Enrollment.objects.get(user=mentor, role=Role.MENTOR)
    client.force_login(mentee)
    page = client.get(reverse("matching:mentor-detail", args=[enrollment.pk])).content.decode()
    assert label_of(page, "id_message") == "Your message"
    assert label_of(page, "id_first_goal") == "A first goal idea (optional)"
    assert "(at least 80 characters)" in help_of(page, "id_message")
    assert help_of(page, "id_first_goal").startswith("For example: 'Lead a design review")

    response = client.post(
        reverse("matching:request-create", args=[enrollment.pk]),
        {"message": "Please <help>", "first_goal": 'Run a "design" review'},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "at least 80 characters (you have 13)" in error_of(page, "id_message")
    assert value_of(page, "id_message") == "Please <help>"
    assert value_of(page, "id_first_goal") == 'Run a "design" review'
    assert not has_error(page, "id_first_goal")
    assert "(at least 80 characters)" in help_of(page, "id_message")
