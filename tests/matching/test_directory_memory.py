"""The directory keeps its mentors in memory (matching/directory.py) and stays true.

Each test reads the directory as a mentee does, changes something the way the site does
(or the way another process would, unseen here), and reads it again.
"""

import re

from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from accounts.models import User
from matching import directory
from matching.models import DirectoryVersion, Enrollment, MentorshipRequest, Suggestion
from matching.services import accept_request, default_cohort
from profiles.models import Profile
from programmes.services.closing import close_cohort
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

CARD_NAME = re.compile(r'id="mentor-\d+-name"[^>]*>\s*<a\b[^>]*>([^<]*)</a>')


def _names(client: Client, **params: str) -> list[str]:
    response = client.get(reverse("matching:directory"), params)
    assert response.status_code == 200
    return CARD_NAME.findall(response.content.decode())


def _queries(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        _names(client, **params)
    return len(captured)


def _version(part: int) -> int:
    return DirectoryVersion.objects.get(pk=part).number


def _bump(part: int) -> None:
    """What another process's committed change does to the count."""
    DirectoryVersion.objects.filter(pk=part).update(number=F("number") + 1)


def _mentor_with_capacity(name: str, capacity: int) -> Enrollment:
    enrollment = Enrollment.objects.get(user__profile__display_name=name, role="mentor")
    enrollment.capacity_override = capacity
    enrollment.save()
    return enrollment


def _request_to(mentor: Enrollment) -> MentorshipRequest:
    """A waiting request from a new mentee, as the request form would leave it."""
    asker = ProfileFactory(wants_mentoring=True, wants_to_mentor=False).user
    return MentorshipRequest.objects.create(
        cohort=mentor.cohort,
        mentee_enrollment=Enrollment.objects.get(user=asker, role="mentee"),
        mentor_enrollment=mentor,
        message="m" * 80,
    )


@pytest.fixture
def seeker(client: Client, mentee: User) -> Client:
    ProfileFactory(display_name="Ada Mentor", wants_mentoring=False, wants_to_mentor=True)
    ProfileFactory(display_name="Bo Mentor", wants_mentoring=False, wants_to_mentor=True)
    client.force_login(mentee)
    _names(client)  # sessions, content types
    return client


def test_a_second_page_reads_the_mentors_from_memory(seeker: Client) -> None:
    directory.forget()
    first = _queries(seeker)
    second = _queries(seeker)
    # the mentors with their skills, languages and those names (5 queries) and their
    # activity (1) are not read again, nor the cards' mentors with their skills and
    # languages (3): their rendered cards are kept
    assert second == first - 9
    assert _names(seeker) == ["Ada Mentor", "Bo Mentor"]


def test_cards_show_a_renamed_mentor_and_places_taken(seeker: Client, mentee: User) -> None:
    def card(name: str) -> str:
        page = seeker.get(reverse("matching:directory")).content.decode()
        return next(c for c in re.findall(r"<article\b.*?</article>", page, re.S) if name in c)

    bo = _mentor_with_capacity("Bo Mentor", 2)
    request = _request_to(bo)
    assert "2 of 2 places free" in card("Bo Mentor")
    accept_request(request=request, by=bo.user)
    assert "1 of 2 places free" in card("Bo Mentor")

    profile = bo.user.profile
    profile.display_name = "Bo Renamed"
    profile.save()
    assert "Bo Renamed" in card("Bo Renamed")


def test_each_viewer_sees_their_own_fit_on_a_card_rendered_once(
    seeker: Client, mentee: User
) -> None:
    ada = Enrollment.objects.get(user__profile__display_name="Ada Mentor")
    other = ProfileFactory(wants_mentoring=True, wants_to_mentor=False).user
    for who, score, reason in ((mentee, 0.82, "Teaches <Python>"), (other, 0.31, "Speaks Welsh")):
        Suggestion.objects.create(
            cohort=ada.cohort,
            mentee_enrollment=Enrollment.objects.get(user=who, role="mentee"),
            mentor_enrollment=ada,
            rank=1,
            score=score,
            reasons=[reason],
            weights_version=1,
        )
    second = Client()
    second.force_login(other)

    def ada_card(client: Client) -> str:
        page = client.get(reverse("matching:directory")).content.decode()
        return next(c for c in re.findall(r"<article\b.*?</article>", page, re.S) if "Ada" in c)

    mine = ada_card(seeker)
    with CaptureQueriesContext(connection) as captured:
        theirs = ada_card(second)
    assert "82% fit" in mine and "Teaches &lt;Python&gt;" in mine and "31%" not in mine
    assert "31% fit" in theirs and "Speaks Welsh" in theirs and "82%" not in theirs
    # the second viewer's page used the card the first one's rendered: no mentor profile
    # was read for it
    assert not [q for q in captured if '"profiles_profile_languages"' in q["sql"]]
    assert "<!--fit-->" not in mine + theirs


def test_a_change_made_here_shows_at_once(seeker: Client) -> None:
    assert _names(seeker, q="zeppelin") == []
    profile = Profile.objects.get(display_name="Bo Mentor")
    profile.headline = "Flies zeppelins"
    profile.save()
    assert _names(seeker, q="zeppelin") == ["Bo Mentor"]


def test_another_process_change_shows_once_its_count_moves(seeker: Client) -> None:
    assert _names(seeker, q="zeppelin") == []
    # Written without signals, as this process sees another process's commit.
    Profile.objects.filter(display_name="Bo Mentor").update(headline="Flies zeppelins")
    assert _names(seeker, q="zeppelin") == [], "the copy in memory is used"
    _bump(directory.MENTORS)
    assert _names(seeker, q="zeppelin") == ["Bo Mentor"]


def test_activity_is_read_again_alone_and_places_follow_it(seeker: Client, mentee: User) -> None:
    bo = _mentor_with_capacity("Bo Mentor", 1)
    request = _request_to(bo)
    assert _names(seeker, free_only="on") == ["Ada Mentor", "Bo Mentor"]
    accept_request(request=request, by=bo.user)

    with CaptureQueriesContext(connection) as captured:
        names = _names(seeker, free_only="on")
    assert names == ["Ada Mentor"]
    warm = _queries(seeker, free_only="on")
    assert len(captured) == warm + 1, "only the activity (1 query) is read again"


def test_closing_a_cohort_frees_its_mentors_places(seeker: Client, mentor: User) -> None:
    ada = _mentor_with_capacity("Ada Mentor", 1)
    accept_request(request=_request_to(ada), by=ada.user)
    assert "Ada Mentor" not in _names(seeker, free_only="on")
    boss = UserFactory(is_staff=True, is_superuser=True)
    close_cohort(cohort=default_cohort(), by=boss)  # completes mentorships with one update()
    assert "Ada Mentor" in _names(seeker, free_only="on")


def test_committed_changes_move_the_count_of_their_part(
    mentee: User, mentor: User, django_capture_on_commit_callbacks
) -> None:
    mentors, activity = _version(directory.MENTORS), _version(directory.ACTIVITY)

    with django_capture_on_commit_callbacks(execute=True):
        mentee.last_login = mentee.date_joined
        mentee.save(update_fields=["last_login"])  # as logging in does
    # nothing kept depends on it: the "recent" sort reads last logins when asked
    assert (_version(directory.MENTORS), _version(directory.ACTIVITY)) == (mentors, activity)

    with django_capture_on_commit_callbacks(execute=True):
        profile = mentor.profile
        profile.years_experience = 12
        profile.save()
    assert _version(directory.MENTORS) == mentors + 1

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        profile.save()
    assert callbacks, "the count moves only once the change is committed"
    assert _version(directory.MENTORS) == mentors + 1
