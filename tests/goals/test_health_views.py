"""The "Is this working?" page: only the person asked opens it, a link from the email
changes nothing until the form is posted, bad input is answered plainly, and "Not a
good fit" offers the kind ending, which reopens the mentee's search."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from goals.models import CheckAnswer, FitCheck
from goals.services import health
from matching.models import Cohort, Mentorship, MentorshipRequest, MentorshipStatus
from matching.services import join_cohort
from tests.factories import ProfileFactory, site_programme_admin
from tests.helpers import emails

pytestmark = pytest.mark.django_db

PEOPLE = ["mentee", "mentor", "admin", "stranger", "other_cohort", "staff", "anonymous"]


@pytest.fixture
def check(mentorship: Mentorship, mentee: User) -> FitCheck:
    health.send_fit_checks(today=timezone.localdate(mentorship.started_at) + timedelta(days=14))
    return FitCheck.objects.get(person=mentee)


@pytest.fixture
def people(mentorship, mentee, mentor, stranger, staff):
    other = ProfileFactory(wants_mentoring=True, enrolled=False).user
    join_cohort(user=other, cohort=Cohort.objects.create(name="Other", slug="other"), role="mentee")
    return {
        "mentee": mentee,
        "mentor": mentor,  # the counterpart
        "admin": site_programme_admin(mentorship.cohort),
        "stranger": stranger,
        "other_cohort": other,
        "staff": staff,
        "anonymous": None,
    }


def _url(check: FitCheck, query: str = "") -> str:
    return reverse("goals:fit-check", args=[check.pk]) + query


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_person_asked_opens_the_check(client, check, people, who) -> None:
    if people[who]:
        client.force_login(people[who])
    response = client.get(_url(check))
    if who == "mentee":
        assert response.status_code == 200
        assert b"Is this working?" in response.content
    elif who == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", [p for p in PEOPLE if p not in ("mentee", "anonymous")])
def test_nobody_else_can_answer(client, check, people, who) -> None:
    client.force_login(people[who])
    response = client.post(_url(check), {"answer": CheckAnswer.POOR_FIT})
    assert response.status_code == 404
    check.refresh_from_db()
    assert not check.is_answered
    assert emails("fit_concern") == []


def test_the_emails_link_preselects_but_changes_nothing(client, check, mentee) -> None:
    client.force_login(mentee)
    response = client.get(_url(check, "?answer=poor_fit"))
    assert response.status_code == 200
    assert response.context["form"]["answer"].value() == "poor_fit"
    check.refresh_from_db()
    assert not check.is_answered


@pytest.mark.parametrize("query", ["?answer=nonsense", "?answer=", "?answer=POOR_FIT", "?x=1"])
def test_a_strange_link_shows_the_question_unselected(client, check, mentee, query) -> None:
    client.force_login(mentee)
    response = client.get(_url(check, query))
    assert response.status_code == 200
    assert response.context["form"]["answer"].value() is None


@pytest.mark.parametrize(
    "data", [{}, {"answer": "maybe"}, {"answer": "Not a good fit"}, {"answer": "x" * 5000}]
)
def test_bad_answers_come_back_with_an_error(client, check, mentee, data) -> None:
    client.force_login(mentee)
    response = client.post(_url(check), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    check.refresh_from_db()
    assert not check.is_answered


def test_a_long_comment_is_refused_and_kept(client, check, mentee) -> None:
    client.force_login(mentee)
    response = client.post(_url(check), {"answer": "going_well", "comment": "x" * 1001})
    assert response.status_code == 200
    assert "comment" in response.context["form"].errors
    assert response.context["form"]["comment"].value() == "x" * 1001


def test_an_unknown_check_is_404(client, mentee) -> None:
    client.force_login(mentee)
    assert client.get(reverse("goals:fit-check", args=[999999])).status_code == 404


def test_answering_twice_keeps_the_first_answer(client, check, mentee) -> None:
    client.force_login(mentee)
    assert client.post(_url(check), {"answer": "going_well"}).status_code == 302
    response = client.post(_url(check), {"answer": "poor_fit"}, follow=True)
    assert response.status_code == 200
    assert b"already answered" in response.content
    check.refresh_from_db()
    assert check.answer == CheckAnswer.GOING_WELL


def test_not_a_good_fit_offers_the_kind_ending_which_reopens_the_search(
    client, check, mentee, mentorship
) -> None:
    mentorship.cohort.admins.add(site_programme_admin())
    client.force_login(mentee)
    response = client.post(_url(check), {"answer": "poor_fit", "comment": "Different goals."})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"End the mentorship kindly" in page.content
    end_url = reverse("matching:mentorship-end", args=[mentorship.pk])
    assert end_url.encode() in page.content
    assert len(emails("fit_concern")) == 1

    form = page.context["end_form"]
    response = client.post(
        end_url, {"outcome": form["outcome"].value(), "reason": form["reason"].value()}
    )
    assert response.status_code == 302
    mentorship.refresh_from_db()
    assert mentorship.status == MentorshipStatus.ENDED_EARLY
    # The mentee may ask again: a request to another mentor goes through.
    other = ProfileFactory(wants_mentoring=False, wants_to_mentor=True).user
    enrollment = other.enrollments.get(role="mentor")
    client.post(
        reverse("matching:request-create", args=[enrollment.pk]),
        {"message": "I would love your help preparing my first conference talk. " * 2},
    )
    assert MentorshipRequest.objects.filter(
        mentee_enrollment__user=mentee, mentor_enrollment=enrollment
    ).exists()


def test_the_mentorship_page_shows_the_open_check_to_its_person_only(
    client, check, mentee, mentor, mentorship
) -> None:
    client.force_login(mentee)
    html = client.get(mentorship.get_absolute_url()).content.decode()
    assert 'id="fit-check-heading"' in html
    assert _url(check, "?answer=going_well").replace("&", "&amp;") in html

    client.force_login(mentor)
    mentor_check = FitCheck.objects.get(person=mentor)
    html = client.get(mentorship.get_absolute_url()).content.decode()
    assert _url(check) not in html
    assert _url(mentor_check) in html

    health.answer_check(check=mentor_check, by=mentor, answer=CheckAnswer.GOING_WELL)
    html = client.get(mentorship.get_absolute_url()).content.decode()
    assert 'id="fit-check-heading"' not in html


def test_an_ended_mentorship_asks_nothing(client, check, mentee, mentorship) -> None:
    client.force_login(mentee)
    client.post(
        reverse("matching:mentorship-end", args=[mentorship.pk]),
        {"outcome": "completed", "reason": ""},
    )
    html = client.get(mentorship.get_absolute_url()).content.decode()
    assert 'id="fit-check-heading"' not in html
    page = client.get(_url(check))
    assert b"has ended" in page.content
    response = client.post(_url(check), {"answer": "going_well"})
    assert response.status_code == 200
    check.refresh_from_db()
    assert not check.is_answered


def test_check_ins_can_be_switched_off_in_the_email_settings(client, mentee) -> None:
    client.force_login(mentee)
    url = reverse("profiles:email-settings")
    page = client.get(url).content.decode()
    assert "Check-ins" in page
    assert "is it working?" in " ".join(page.split())
    client.post(url, {"email_reminders": "on", "email_digest": "on"})
    mentee.profile.refresh_from_db()
    assert mentee.profile.email_check_ins is False
