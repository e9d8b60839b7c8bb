"""Matching pages: the access matrix for every object view, then each flow as a user story.

The cast is fixed (see STYLE.md): the two participants, a stranger in the same cohort, a
member of another cohort, staff enrolled nowhere, and the anonymous visitor. Refused
actions must leave the database exactly as it was, so each refusal compares a snapshot.
"""

import html
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from core.outbox.models import OutboxEmail
from matching import directory, services
from matching.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Introduction,
    IntroductionStatus,
    JoinMode,
    Mentorship,
    MentorshipFeedback,
    MentorshipMessage,
    MentorshipRequest,
    MentorshipStatus,
    RequestMessage,
    RequestStatus,
    Role,
)
from profiles.models import Profile, ProfileSkill, Skill, SkillKind
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

MESSAGE = (
    "I am moving from senior engineer to tech lead and you have made that step yourself. "
    "Could we meet once a month to work on running design reviews?"
)
LOGIN = "login"  # expected outcome: redirected to the login page


# --- The cast ---------------------------------------------------------------


@dataclass
class Cast:
    mentee: User
    mentor: User
    stranger: User  # a mentee in the same cohort, party to nothing
    other_cohort: User  # enrolled only in another programme
    staff: User  # staff and superuser, enrolled nowhere
    contact: User  # a community member the mentor may introduce

    def get(self, actor: str) -> User | None:
        return None if actor == "anonymous" else getattr(self, actor)


def _member_of(cohort: Cohort, *, role: str = "mentee", **profile: Any) -> User:
    """An onboarded person enrolled in ``cohort`` only (not in the community)."""
    intent = {"wants_mentoring": role == "mentee", "wants_to_mentor": role == "mentor"}
    user = ProfileFactory(enrolled=False, **(intent | profile)).user
    services.join_cohort(user=user, cohort=cohort, role=role)
    return user


def _new_mentor(name: str, **profile: Any) -> User:
    """A community mentor called ``name``."""
    fields = {"wants_mentoring": False, "wants_to_mentor": True, "display_name": name}
    return ProfileFactory(**(fields | profile)).user


def _mentor_enrollment(user: User, cohort: Cohort | None = None) -> Enrollment:
    return Enrollment.objects.get(
        user=user, cohort=cohort or services.default_cohort(), role=Role.MENTOR
    )


@pytest.fixture
def other_programme(db) -> Cohort:
    return Cohort.objects.create(name="Women in Data", slug="women-in-data")


@pytest.fixture
def cast(mentee: User, mentor: User, other_programme: Cohort) -> Cast:
    return Cast(
        mentee=mentee,
        mentor=mentor,
        stranger=ProfileFactory(display_name="Sam Stranger").user,
        other_cohort=_member_of(other_programme, display_name="Olga Elsewhere"),
        staff=ProfileFactory(
            user__is_staff=True, user__is_superuser=True, display_name="Stef Staff", enrolled=False
        ).user,
        contact=_new_mentor("Carla Contact"),
    )


@pytest.fixture
def pending_request(cast: Cast) -> MentorshipRequest:
    return services.send_request(
        mentee=cast.mentee, mentor_enrollment=_mentor_enrollment(cast.mentor), message=MESSAGE
    )


@pytest.fixture
def mentorship(cast: Cast, pending_request: MentorshipRequest) -> Mentorship:
    return services.accept_request(request=pending_request, by=cast.mentor)


@pytest.fixture
def ended_mentorship(cast: Cast, mentorship: Mentorship) -> Mentorship:
    return services.end_mentorship(mentorship=mentorship, by=cast.mentor, outcome="completed")


@pytest.fixture
def introduction(cast: Cast, mentorship: Mentorship) -> Introduction:
    return services.introduce(
        mentorship=mentorship,
        by=cast.mentor,
        contact_email=cast.contact.email,
        message="You both moved from engineering into leading teams.",
    )


# --- Helpers ----------------------------------------------------------------


def _as(client: Client, user: User | None) -> Client:
    if user is not None:
        client.force_login(user)
    return client


def _text(response: HttpResponse) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def _html(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def _flashes(response: HttpResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _assert_outcome(response: HttpResponse, expected: int | str, url: str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login") + "?next=")
        assert url in html.unescape(response.url.replace("%2F", "/"))
    else:
        assert response.status_code == expected


def _state() -> dict[str, Any]:
    """Everything a matching action could change."""
    return {
        "requests": list(
            MentorshipRequest.objects.order_by("pk").values_list(
                "pk", "status", "decline_reason", "decline_note", "closed_at"
            )
        ),
        "request_messages": RequestMessage.objects.count(),
        "mentorships": list(
            Mentorship.objects.order_by("pk").values_list(
                "pk", "status", "end_reason", "ended_by", "ended_at"
            )
        ),
        "mentorship_messages": MentorshipMessage.objects.count(),
        "feedback": MentorshipFeedback.objects.count(),
        "introductions": list(
            Introduction.objects.order_by("pk").values_list("pk", "contact", "status")
        ),
        "enrollments": list(
            Enrollment.objects.order_by("pk").values_list("pk", "user", "cohort", "role", "status")
        ),
        "accepting": list(
            Profile.objects.order_by("pk").values_list("pk", "is_accepting_requests")
        ),
        "emails": list(OutboxEmail.objects.order_by("pk").values_list("pk", "template")),
    }


def _refused(
    client: Client, cast: Cast, actor: str, url: str, data: dict[str, Any] | None = None
) -> HttpResponse:
    """POST as ``actor`` and insist that nothing changed."""
    _as(client, cast.get(actor))
    before = _state()
    response = client.post(url, data or {})
    assert _state() == before
    return response


def _field_tag(page: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{field_id}"[^>]*>', page)
    assert match, f"no field with id {field_id}"
    return match.group(0)


def _error_next_to(page: str, field_id: str, next_field_id: str | None) -> str:
    """The text of the error shown between a field and the next one (or the form's end)."""
    field_at = page.index(f'id="{field_id}"')
    end = page.index(f'id="{next_field_id}"') if next_field_id else page.index("</form>", field_at)
    match = re.search(
        r'<(\w+)\b[^>]*class="invalid-feedback"[^>]*>(.*?)</\1>', page[field_at:end], re.S
    )
    assert match, f"no error next to {field_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


CARD_NAME = re.compile(r'id="mentor-\d+-name"[^>]*>\s*<a\b[^>]*>([^<]*)</a>')


def _card_names(response: HttpResponse) -> list[str]:
    """Mentor names on the directory page, in order."""
    return [html.unescape(n) for n in CARD_NAME.findall(response.content.decode())]


def _cards(response: HttpResponse) -> dict[str, str]:
    """Each directory card's text, by mentor name."""
    cards = re.findall(r"<article\b.*?</article>", response.content.decode(), re.S)
    out = {}
    for card in cards:
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())
        out[html.unescape(CARD_NAME.search(card).group(1))] = text
    return out


# --- Access matrix: pages ---------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentee", 200),
        ("stranger", 200),  # also a mentee in the community: may browse and ask
        ("mentor", 404),  # not a mentee anywhere, and it is their own card
        ("contact", 404),  # a fellow mentor, not a mentee
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_mentor_detail_is_visible_only_to_mentees_sharing_the_cohort(
    client: Client, cast: Cast, actor: str, expected: int | str
) -> None:
    url = reverse("matching:mentor-detail", args=[_mentor_enrollment(cast.mentor).pk])
    response = _as(client, cast.get(actor)).get(url)
    _assert_outcome(response, expected, url)
    if expected == 200:
        assert cast.mentor.get_full_name() in _text(response)


def test_mentor_detail_of_another_cohort_is_visible_once_the_mentee_joins_it(
    client: Client, cast: Cast, other_programme: Cohort
) -> None:
    elsewhere = _member_of(other_programme, role="mentor", display_name="Rita Remote")
    url = reverse(
        "matching:mentor-detail", args=[_mentor_enrollment(elsewhere, other_programme).pk]
    )
    client.force_login(cast.mentee)
    assert client.get(url).status_code == 404
    services.join_cohort(user=cast.mentee, cohort=other_programme, role="mentee")
    assert client.get(url).status_code == 200


def test_mentor_detail_of_a_mentor_who_left_is_404(client: Client, cast: Cast) -> None:
    enrollment = _mentor_enrollment(cast.mentor)
    enrollment.status = EnrollmentStatus.LEFT
    enrollment.save()
    client.force_login(cast.mentee)
    assert client.get(reverse("matching:mentor-detail", args=[enrollment.pk])).status_code == 404


def test_mentor_detail_of_an_unknown_id_is_404(client: Client, cast: Cast) -> None:
    client.force_login(cast.mentee)
    assert client.get(reverse("matching:mentor-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentee", 200),
        ("mentor", 200),
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_request_detail_is_visible_to_its_two_sides_only(
    client: Client, cast: Cast, pending_request: MentorshipRequest, actor: str, expected: int | str
) -> None:
    url = reverse("matching:request-detail", args=[pending_request.pk])
    response = _as(client, cast.get(actor)).get(url)
    _assert_outcome(response, expected, url)
    if expected == 200:
        assert pending_request.message in _text(response)
    else:
        assert pending_request.message not in _text(response)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentee", 200),
        ("mentor", 200),
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_mentorship_detail_is_visible_to_its_two_sides_only(
    client: Client, cast: Cast, mentorship: Mentorship, actor: str, expected: int | str
) -> None:
    url = reverse("matching:mentorship-detail", args=[mentorship.pk])
    response = _as(client, cast.get(actor)).get(url)
    _assert_outcome(response, expected, url)
    if expected == 200:
        assert cast.mentee.email in _text(response)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentee", 200),
        ("mentor", 200),
        ("contact", 200),
        ("stranger", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_introduction_detail_is_visible_to_mentor_mentee_and_contact_only(
    client: Client, cast: Cast, introduction: Introduction, actor: str, expected: int | str
) -> None:
    url = reverse("matching:introduction-detail", args=[introduction.pk])
    response = _as(client, cast.get(actor)).get(url)
    _assert_outcome(response, expected, url)
    if expected == 200:
        assert introduction.message in _text(response)


def test_only_the_contact_sees_the_answer_buttons(
    client: Client, cast: Cast, introduction: Introduction
) -> None:
    url = reverse("matching:introduction-detail", args=[introduction.pk])
    answer = reverse("matching:introduction-answer", args=[introduction.pk])
    for user, shown in ((cast.contact, True), (cast.mentor, False), (cast.mentee, False)):
        client.force_login(user)
        assert (answer in client.get(url).content.decode()) is shown


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentee", 200),
        ("mentor", 200),
        ("stranger", 200),
        ("other_cohort", 200),
        ("staff", 200),
        ("anonymous", LOGIN),
    ],
)
def test_programmes_page_is_open_to_every_onboarded_person(
    client: Client, cast: Cast, actor: str, expected: int | str
) -> None:
    url = reverse("matching:cohorts")
    response = _as(client, cast.get(actor)).get(url)
    _assert_outcome(response, expected, url)
    if expected == 200:
        assert "Community" in _text(response)


def test_programmes_page_sends_a_newcomer_to_onboarding(client: Client, newcomer: User) -> None:
    client.force_login(newcomer)
    response = client.get(reverse("matching:cohorts"))
    assert response.status_code == 302
    assert response.url == reverse("profiles:onboarding-start")


@pytest.mark.parametrize(
    "name", ["matching:directory", "matching:requests", "matching:cohorts", "dashboard"]
)
def test_list_pages_send_anonymous_visitors_to_login(client: Client, name: str) -> None:
    url = reverse(name)
    _assert_outcome(client.get(url), LOGIN, url)


# --- Access matrix: actions -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "obj", "actor"),
    [
        ("matching:request-create", "mentor_enrollment", "mentee"),
        ("matching:request-accept", "pending_request", "mentor"),
        ("matching:request-decline", "pending_request", "mentor"),
        ("matching:request-withdraw", "pending_request", "mentee"),
        ("matching:mentorship-end", "mentorship", "mentor"),
        ("matching:mentorship-feedback", "ended_mentorship", "mentee"),
        ("matching:mentorship-introduce", "mentorship", "mentor"),
        ("matching:introduction-answer", "introduction", "contact"),
        ("matching:set-accepting", None, "mentor"),
    ],
)
def test_actions_answer_get_with_405_and_change_nothing(
    client: Client,
    cast: Cast,
    request: pytest.FixtureRequest,
    name: str,
    obj: str | None,
    actor: str,
) -> None:
    if obj == "mentor_enrollment":
        args = [_mentor_enrollment(cast.mentor).pk]
    else:
        args = [request.getfixturevalue(obj).pk] if obj else []
    client.force_login(cast.get(actor))
    before = _state()
    assert client.get(reverse(name, args=args)).status_code == 405
    assert _state() == before


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentor", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_only_mentees_sharing_the_cohort_can_send_a_request(
    client: Client, cast: Cast, actor: str, expected: int | str
) -> None:
    url = reverse("matching:request-create", args=[_mentor_enrollment(cast.mentor).pk])
    response = _refused(client, cast, actor, url, {"message": MESSAGE})
    _assert_outcome(response, expected, url)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentee", 403),
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_only_the_mentor_can_accept_a_request(
    client: Client, cast: Cast, pending_request: MentorshipRequest, actor: str, expected: int | str
) -> None:
    url = reverse("matching:request-accept", args=[pending_request.pk])
    _assert_outcome(_refused(client, cast, actor, url), expected, url)


def test_the_mentor_accepts_a_request(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    client.force_login(cast.mentor)
    response = client.post(reverse("matching:request-accept", args=[pending_request.pk]))
    mentorship = Mentorship.objects.get(request=pending_request)
    assert response.status_code == 302
    assert response.url == mentorship.get_absolute_url()
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.ACCEPTED


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentee", 403),
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_only_the_mentor_can_decline_a_request(
    client: Client, cast: Cast, pending_request: MentorshipRequest, actor: str, expected: int | str
) -> None:
    url = reverse("matching:request-decline", args=[pending_request.pk])
    response = _refused(client, cast, actor, url, {"reason": "no_capacity"})
    _assert_outcome(response, expected, url)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentor", 403),
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_only_the_mentee_can_withdraw_a_request(
    client: Client, cast: Cast, pending_request: MentorshipRequest, actor: str, expected: int | str
) -> None:
    url = reverse("matching:request-withdraw", args=[pending_request.pk])
    _assert_outcome(_refused(client, cast, actor, url), expected, url)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_outsiders_cannot_post_in_a_request_thread(
    client: Client, cast: Cast, pending_request: MentorshipRequest, actor: str, expected: int | str
) -> None:
    url = reverse("matching:request-detail", args=[pending_request.pk])
    _assert_outcome(_refused(client, cast, actor, url, {"body": "Hello?"}), expected, url)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_outsiders_cannot_post_in_a_mentorship_thread(
    client: Client, cast: Cast, mentorship: Mentorship, actor: str, expected: int | str
) -> None:
    url = reverse("matching:mentorship-detail", args=[mentorship.pk])
    _assert_outcome(_refused(client, cast, actor, url, {"body": "Hello?"}), expected, url)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_outsiders_cannot_end_a_mentorship(
    client: Client, cast: Cast, mentorship: Mentorship, actor: str, expected: int | str
) -> None:
    url = reverse("matching:mentorship-end", args=[mentorship.pk])
    response = _refused(client, cast, actor, url, {"outcome": "completed"})
    _assert_outcome(response, expected, url)


@pytest.mark.parametrize("actor", ["mentee", "mentor"])
def test_either_side_can_end_a_mentorship(
    client: Client, cast: Cast, mentorship: Mentorship, actor: str
) -> None:
    client.force_login(cast.get(actor))
    response = client.post(
        reverse("matching:mentorship-end", args=[mentorship.pk]), {"outcome": "completed"}
    )
    assert response.status_code == 302
    assert response.url == mentorship.get_absolute_url()
    mentorship.refresh_from_db()
    assert mentorship.status == MentorshipStatus.COMPLETED
    assert mentorship.ended_by == cast.get(actor)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_outsiders_cannot_leave_feedback(
    client: Client, cast: Cast, ended_mentorship: Mentorship, actor: str, expected: int | str
) -> None:
    url = reverse("matching:mentorship-feedback", args=[ended_mentorship.pk])
    response = _refused(client, cast, actor, url, {"rating": "1", "comment": "Spam"})
    _assert_outcome(response, expected, url)


@pytest.mark.parametrize("actor", ["mentee", "mentor"])
def test_either_side_can_leave_feedback_once(
    client: Client, cast: Cast, ended_mentorship: Mentorship, actor: str
) -> None:
    url = reverse("matching:mentorship-feedback", args=[ended_mentorship.pk])
    client.force_login(cast.get(actor))
    assert client.post(url, {"rating": "4"}).status_code == 302
    before = _state()
    again = client.post(url, {"rating": "1"})
    assert again.status_code == 200
    # The page shows the rating already given rather than a second form.
    assert "Thanks: you rated this mentorship 4/5." in _text(again)
    assert _state() == before
    assert list(ended_mentorship.feedback.values_list("author", "rating")) == [
        (cast.get(actor).pk, 4)
    ]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentee", 403),
        ("stranger", 404),
        ("contact", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_only_the_mentor_can_introduce(
    client: Client, cast: Cast, mentorship: Mentorship, actor: str, expected: int | str
) -> None:
    url = reverse("matching:mentorship-introduce", args=[mentorship.pk])
    data = {"contact_email": cast.contact.email, "message": "You should meet."}
    _assert_outcome(_refused(client, cast, actor, url, data), expected, url)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mentor", 403),
        ("mentee", 403),
        ("stranger", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", LOGIN),
    ],
)
def test_only_the_contact_can_answer_an_introduction(
    client: Client, cast: Cast, introduction: Introduction, actor: str, expected: int | str
) -> None:
    url = reverse("matching:introduction-answer", args=[introduction.pk])
    response = _refused(client, cast, actor, url, {"answer": "accept"})
    _assert_outcome(response, expected, url)


def test_set_accepting_changes_only_the_senders_own_profile(client: Client, cast: Cast) -> None:
    client.force_login(cast.mentor)
    # A tampered form naming someone else has no say: the view only knows request.user.
    response = client.post(reverse("matching:set-accepting"), {"user": cast.contact.pk})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    accepting = dict(Profile.objects.values_list("user", "is_accepting_requests"))
    assert accepting.pop(cast.mentor.pk) is False
    assert all(accepting.values())


def test_set_accepting_sends_anonymous_visitors_to_login(client: Client, cast: Cast) -> None:
    url = reverse("matching:set-accepting")
    _assert_outcome(_refused(client, cast, "anonymous", url), LOGIN, url)


# --- Directory --------------------------------------------------------------


def test_directory_lists_only_mentors_of_shared_cohorts(
    client: Client, mentee: User, mentor: User, other_programme: Cohort
) -> None:
    _member_of(other_programme, role="mentor", display_name="Rita Remote")
    paused_out = ProfileFactory(wants_mentoring=False, wants_to_mentor=True, display_name="Nia")
    Enrollment.objects.filter(user=paused_out.user).update(status=EnrollmentStatus.LEFT)
    client.force_login(mentee)
    response = client.get(reverse("matching:directory"))
    assert response.status_code == 200
    assert _card_names(response) == [mentor.get_full_name()]
    assert "1 match." in _text(response)


def test_directory_card_shows_name_headline_expertise_places_and_response_time(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    Profile.objects.filter(user=cast.mentor).update(headline="Staff engineer, ex-startup CTO")
    client.force_login(cast.stranger)
    cards = _cards(client.get(reverse("matching:directory")))
    card = cards[cast.mentor.get_full_name()]
    assert "Staff engineer, ex-startup CTO" in card
    assert "Python" in card
    assert "1 of 2 places free" in card
    # The mentor answered one request within seconds.
    assert "Usually replies within a day" in card
    fresh = cards[cast.contact.get_full_name()]
    assert "2 of 2 places free" in fresh
    assert "New mentor: no replies to measure yet" in fresh


def test_directory_card_says_when_a_mentor_is_full_or_paused(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    Profile.objects.filter(user=cast.mentor).update(mentor_capacity=1)
    Profile.objects.filter(user=cast.contact).update(is_accepting_requests=False)
    client.force_login(cast.stranger)
    cards = _cards(client.get(reverse("matching:directory")))
    assert "Full right now" in cards[cast.mentor.get_full_name()]
    assert "Not taking requests" in cards[cast.contact.get_full_name()]


@pytest.fixture
def assorted_mentors(mentee: User) -> dict[str, User]:
    """Community mentors who differ in one way each from the plain one."""
    sql = Skill.objects.get(name="SQL")
    people = {
        "plain": _new_mentor("Paula Plain"),
        "sql": _new_mentor("Quinn Query"),
        "finance": _new_mentor("Fiona Finance", industry="finance"),
        "german": _new_mentor("Gerda Deutsch", languages=["de"]),
        "far": _new_mentor("Lars Pacific", time_zone="America/Los_Angeles"),
        "phone": _new_mentor("Phil Phone", meets_by_phone=True),
        "veteran": _new_mentor("Vera Veteran", years_experience=30),
        "paused": _new_mentor("Pablo Paused", is_accepting_requests=False),
        "full": _new_mentor("Fran Full", mentor_capacity=0),
    }
    ProfileSkill.objects.create(profile=people["sql"].profile, skill=sql, kind=SkillKind.EXPERTISE)
    # The mentee speaks German too: the directory shows only mentors who share a
    # language with them until they untick that filter.
    mentee.profile.languages.add("de")
    return people


def _names(*users: User) -> set[str]:
    return {u.get_full_name() for u in users}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("industry=finance", ["finance"]),
        ("language=de", ["german"]),
        ("meeting_format=phone", ["phone"]),
        ("q=Fiona", ["finance"]),
        ("q=sql", ["sql"]),  # the search also reads the skills a mentor teaches
    ],
)
def test_each_directory_filter_narrows_the_list(
    client: Client,
    mentee: User,
    assorted_mentors: dict[str, User],
    query: str,
    expected: list[str],
) -> None:
    client.force_login(mentee)
    everyone = _card_names(client.get(reverse("matching:directory")))
    assert len(everyone) == len(assorted_mentors)
    names = _card_names(client.get(f"{reverse('matching:directory')}?{query}"))
    assert set(names) == _names(*(assorted_mentors[k] for k in expected))


def test_directory_skills_filter_keeps_mentors_teaching_any_chosen_skill(
    client: Client, mentee: User, assorted_mentors: dict[str, User]
) -> None:
    client.force_login(mentee)
    sql = Skill.objects.get(name="SQL").pk
    names = _card_names(client.get(reverse("matching:directory"), {"skills": [sql]}))
    assert names == [assorted_mentors["sql"].get_full_name()]
    python = Skill.objects.get(name="Python").pk
    names = _card_names(client.get(reverse("matching:directory"), {"skills": [sql, python]}))
    assert len(names) == len(assorted_mentors)


def test_directory_overlap_filter_drops_far_away_time_zones(
    client: Client, mentee: User, assorted_mentors: dict[str, User]
) -> None:
    client.force_login(mentee)  # Europe/Berlin
    names = _card_names(client.get(reverse("matching:directory"), {"overlap": "4"}))
    assert assorted_mentors["far"].get_full_name() not in names
    assert len(names) == len(assorted_mentors) - 1


def test_directory_free_only_hides_full_and_paused_mentors(
    client: Client, mentee: User, assorted_mentors: dict[str, User]
) -> None:
    client.force_login(mentee)
    names = _card_names(client.get(reverse("matching:directory"), {"free_only": "on"}))
    assert set(names) == _names(
        *(u for k, u in assorted_mentors.items() if k not in ("paused", "full"))
    )


def test_directory_sorts_by_experience_and_by_recent_activity(
    client: Client, mentee: User, assorted_mentors: dict[str, User]
) -> None:
    client.force_login(mentee)
    by_experience = _card_names(client.get(reverse("matching:directory"), {"sort": "experience"}))
    assert by_experience[0] == assorted_mentors["veteran"].get_full_name()
    phone = assorted_mentors["phone"]
    phone.last_login = timezone.now()
    phone.save(update_fields=["last_login"])  # as logging in does
    by_recent = _card_names(client.get(reverse("matching:directory"), {"sort": "recent"}))
    assert by_recent[0] == assorted_mentors["phone"].get_full_name()


def test_directory_best_fit_puts_mentors_teaching_what_the_mentee_wants_first(
    client: Client, mentee: User, assorted_mentors: dict[str, User]
) -> None:
    speaker = _new_mentor("Sol Speaker", years_experience=1)
    ProfileSkill.objects.create(
        profile=speaker.profile,
        skill=Skill.objects.get(name="Public speaking"),
        kind=SkillKind.EXPERTISE,
    )
    client.force_login(mentee)  # wants to learn public speaking
    names = _card_names(client.get(reverse("matching:directory"), {"sort": "best_fit"}))
    assert names[0] == "Sol Speaker"
    assert names[1] == assorted_mentors["veteran"].get_full_name()


def test_directory_cohort_filter_limits_to_one_programme(
    client: Client, mentee: User, mentor: User, other_programme: Cohort
) -> None:
    _member_of(other_programme, role="mentor", display_name="Rita Remote")
    services.join_cohort(user=mentee, cohort=other_programme, role="mentee")
    client.force_login(mentee)
    assert set(_card_names(client.get(reverse("matching:directory")))) == {
        "Rita Remote",
        mentor.get_full_name(),
    }
    names = _card_names(client.get(reverse("matching:directory"), {"cohort": other_programme.pk}))
    assert names == ["Rita Remote"]


def test_directory_paginates_and_keeps_filters_in_page_links(client: Client, mentee: User) -> None:
    for n in range(15):
        _new_mentor(f"Mentor {n:02d}")
    client.force_login(mentee)
    first = client.get(reverse("matching:directory"), {"industry": "software"})
    assert len(_card_names(first)) == 12
    assert "Page 1 of 2" in _text(first)
    assert 'href="?industry=software&page=2"' in _html(first)
    second = client.get(reverse("matching:directory"), {"industry": "software", "page": "2"})
    assert second.status_code == 200
    assert len(_card_names(second)) == 3
    assert "Page 2 of 2" in _text(second)
    assert not set(_card_names(first)) & set(_card_names(second))


@pytest.mark.parametrize(
    "query",
    [
        "skills=abc",
        "skills=99999999",
        "skills=99999999999999999999999",
        "overlap=99",
        "overlap=abc",
        "sort=bogus",
        "page=999",
        "page=-1",
        "page=abc",
        "industry=nope",
        "language=zz",
        "meeting_format=fax",
        "cohort=abc",
        "cohort=999999",
        "cohort=99999999999999999999999",
        "page=99999999999999999999999",
        "q=" + "x" * 300,
        "skills=abc&overlap=99&sort=bogus&page=999",
    ],
)
def test_directory_survives_tampered_filters(
    client: Client, mentee: User, mentor: User, query: str
) -> None:
    client.force_login(mentee)
    response = client.get(f"{reverse('matching:directory')}?{query}")
    assert response.status_code == 200
    # A bad value is dropped, not turned into "no results".
    assert _card_names(response) == [mentor.get_full_name()]


def test_a_nul_byte_in_the_directory_address_is_a_plain_400(client: Client, mentee: User) -> None:
    client.force_login(mentee)
    response = client.get(f"{reverse('matching:directory')}?q=%00")
    assert response.status_code == 400
    assert "no page uses" in response.content.decode()


def test_directory_query_count_does_not_grow_with_the_number_of_mentors(
    client: Client, mentee: User
) -> None:
    for n in range(3):
        _new_mentor(f"Early {n}", languages=["en", "de"])
    client.force_login(mentee)
    url = reverse("matching:directory")
    client.get(url)  # warm caches (content types, sessions)

    # New mentors drop the directory's copy of the mentors (matching/directory.py): both
    # readings start without it.
    directory.forget()
    with CaptureQueriesContext(connection) as few:
        assert len(_card_names(client.get(url))) == 3
    for n in range(17):
        _new_mentor(f"Later {n}", languages=["en", "de"])
    with CaptureQueriesContext(connection) as many:
        assert len(_card_names(client.get(url))) == 12
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_directory_tells_a_mentor_only_person_how_to_become_a_mentee(
    client: Client, mentor: User
) -> None:
    client.force_login(mentor)
    response = client.get(reverse("matching:directory"))
    assert response.status_code == 200
    assert "You are not a mentee in any programme yet." in _text(response)
    assert _card_names(response) == []


# --- Sending a request ------------------------------------------------------


def test_short_request_message_is_refused_next_to_the_field_and_kept(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.mentee)
    url = reverse("matching:request-create", args=[_mentor_enrollment(cast.mentor).pk])
    response = client.post(url, {"message": "Please help", "first_goal": "Run a design review"})
    assert response.status_code == 200
    page = _html(response)
    tag = _field_tag(page, "id_message")
    assert "is-invalid" in tag
    error = _error_next_to(page, "id_message", "id_first_goal")
    assert "at least 80 characters" in error
    assert "you have 11" in error
    assert "(at least 80 characters)" in _text(response)  # the hint under the field
    assert re.search(r">\s*Please help</textarea>", page)
    assert 'value="Run a design review"' in _field_tag(page, "id_first_goal")
    assert not MentorshipRequest.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_padded_request_message_is_measured_without_its_spaces(client: Client, cast: Cast) -> None:
    client.force_login(cast.mentee)
    url = reverse("matching:request-create", args=[_mentor_enrollment(cast.mentor).pk])
    response = client.post(url, {"message": "Hi" + " " * 100})
    assert response.status_code == 200
    assert "is-invalid" in _field_tag(_html(response), "id_message")
    assert not MentorshipRequest.objects.exists()


def test_valid_request_redirects_to_its_page_with_a_flash(client: Client, cast: Cast) -> None:
    client.force_login(cast.mentee)
    url = reverse("matching:request-create", args=[_mentor_enrollment(cast.mentor).pk])
    response = client.post(url, {"message": MESSAGE, "first_goal": "Lead a design review"})
    sent = MentorshipRequest.objects.get()
    assert response.status_code == 302
    assert response.url == sent.get_absolute_url()
    assert _flashes(response) == [f"Your request is on its way to {cast.mentor.get_full_name()}."]
    assert (sent.mentee_enrollment.user, sent.status) == (cast.mentee, RequestStatus.PENDING)
    assert sent.first_goal == "Lead a design review"
    assert list(OutboxEmail.objects.values_list("template", "to")) == [
        ("request_received", [cast.mentor.email])
    ]
    # The mentor page now points at the open request instead of offering the form again.
    page = client.get(reverse("matching:mentor-detail", args=[_mentor_enrollment(cast.mentor).pk]))
    assert sent.get_absolute_url() in _html(page)
    assert 'id="id_message"' not in _html(page)


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ({"is_accepting_requests": False}, "This mentor has paused new requests for now."),
        ({"mentor_capacity": 0}, "This mentor has no free places right now."),
    ],
)
def test_request_to_a_paused_or_full_mentor_shows_why_and_creates_nothing(
    client: Client, cast: Cast, setup: dict[str, Any], error: str
) -> None:
    Profile.objects.filter(user=cast.mentor).update(**setup)
    client.force_login(cast.mentee)
    url = reverse("matching:request-create", args=[_mentor_enrollment(cast.mentor).pk])
    before = _state()
    response = client.post(url, {"message": MESSAGE})
    assert response.status_code == 200
    assert error in _text(response)
    assert "can't take new mentees right now" in _text(response)
    assert _state() == before


def test_a_second_request_to_the_same_mentor_is_refused(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    client.force_login(cast.mentee)
    url = reverse("matching:request-create", args=[_mentor_enrollment(cast.mentor).pk])
    before = _state()
    response = client.post(url, {"message": MESSAGE})
    assert response.status_code == 200
    # The page points at the open request instead of the form.
    assert pending_request.get_absolute_url() in _html(response)
    assert _state() == before


# --- Request page -----------------------------------------------------------


def test_the_mentor_sees_accept_and_decline_the_mentee_sees_withdraw(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    url = reverse("matching:request-detail", args=[pending_request.pk])
    accept = reverse("matching:request-accept", args=[pending_request.pk])
    decline = reverse("matching:request-decline", args=[pending_request.pk])
    withdraw = reverse("matching:request-withdraw", args=[pending_request.pk])

    client.force_login(cast.mentor)
    page = client.get(url).content.decode()
    assert accept in page
    assert decline in page
    assert withdraw not in page

    client.force_login(cast.mentee)
    page = client.get(url).content.decode()
    assert withdraw in page
    assert accept not in page
    assert decline not in page


def test_an_empty_thread_message_is_refused_on_the_page(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    client.force_login(cast.mentee)
    url = reverse("matching:request-detail", args=[pending_request.pk])
    before = _state()
    response = client.post(url, {"body": "   "})
    assert response.status_code == 200
    assert "is-invalid" in _field_tag(_html(response), "id_body")
    assert "Write a message first." in _text(response)
    assert _state() == before


def test_a_thread_message_is_listed_and_emailed_to_the_other_side(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    url = reverse("matching:request-detail", args=[pending_request.pk])
    client.force_login(cast.mentor)
    response = client.post(url, {"body": "What do you do in design reviews today?"})
    assert response.status_code == 302
    assert response.url == url
    assert _flashes(response) == ["Message sent."]

    client.force_login(cast.mentee)
    assert "What do you do in design reviews today?" in _text(client.get(url))
    emails = OutboxEmail.objects.filter(template="request_message")
    assert list(emails.values_list("to", flat=True)) == [[cast.mentee.email]]


def test_decline_without_a_reason_is_refused_and_keeps_the_note(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    client.force_login(cast.mentor)
    url = reverse("matching:request-decline", args=[pending_request.pk])
    before = _state()
    response = client.post(url, {"note": "Ask Bo, she ran this programme."})
    assert response.status_code == 200
    assert "Pick the reason closest to yours." in _text(response)
    assert "Ask Bo, she ran this programme.</textarea>" in _html(response)
    assert "<details open>" in response.content.decode()
    assert _state() == before
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.PENDING


def test_decline_with_a_reason_shows_the_mentee_a_kind_explanation(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    client.force_login(cast.mentor)
    response = client.post(
        reverse("matching:request-decline", args=[pending_request.pk]),
        {"reason": "no_capacity", "note": "Ask Bo, she ran this programme."},
    )
    assert response.status_code == 302
    assert response.url == reverse("matching:requests")
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.DECLINED

    client.force_login(cast.mentee)
    page = _text(client.get(pending_request.get_absolute_url()))
    assert (
        f"{cast.mentor.get_full_name()} can't take you on right now: "
        "I don't have enough time right now."
    ) in page
    assert "This says nothing about you." in page
    assert "“Ask Bo, she ran this programme.”" in page
    assert OutboxEmail.objects.filter(template="request_declined", to=[cast.mentee.email]).exists()


def test_accepting_leads_both_sides_to_a_page_with_both_emails(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    client.force_login(cast.mentor)
    response = client.post(reverse("matching:request-accept", args=[pending_request.pk]))
    mentorship = Mentorship.objects.get()
    assert response.status_code == 302
    assert response.url == mentorship.get_absolute_url()
    for user in (cast.mentor, cast.mentee):
        client.force_login(user)
        page = _html(client.get(response.url))
        assert f'href="mailto:{cast.mentor.email}"' in page
        assert f'href="mailto:{cast.mentee.email}"' in page
    intro_emails = OutboxEmail.objects.filter(template="introduction")
    assert sorted(e for row in intro_emails.values_list("to", flat=True) for e in row) == sorted(
        [cast.mentor.email, cast.mentee.email]
    )
    # The request page now links to the mentorship.
    assert mentorship.get_absolute_url() in _html(client.get(pending_request.get_absolute_url()))


def test_accepting_twice_shows_a_message_instead_of_an_error(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    client.force_login(cast.mentor)
    before = _state()
    response = client.post(reverse("matching:request-accept", args=[mentorship.request_id]))
    assert response.status_code == 302
    assert response.url == mentorship.request.get_absolute_url()
    assert _flashes(response) == ["This request is already accepted."]
    assert _state() == before


def test_the_mentor_cannot_accept_beyond_capacity(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    Profile.objects.filter(user=cast.mentor).update(mentor_capacity=0)
    client.force_login(cast.mentor)
    before = _state()
    response = client.post(reverse("matching:request-accept", args=[pending_request.pk]))
    assert response.status_code == 302
    assert response.url == pending_request.get_absolute_url()
    assert "You have no free places left in this programme" in _flashes(response)[0]
    assert _state() == before


def test_a_message_on_a_closed_request_is_refused(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    services.withdraw_request(request=pending_request, by=cast.mentee)
    client.force_login(cast.mentor)
    before = _state()
    response = client.post(pending_request.get_absolute_url(), {"body": "Still there?"})
    assert response.status_code == 200
    assert "This request was withdrawn." in _text(response)
    assert _state() == before


def test_the_mentee_withdraws_a_request(
    client: Client, cast: Cast, pending_request: MentorshipRequest
) -> None:
    client.force_login(cast.mentee)
    response = client.post(reverse("matching:request-withdraw", args=[pending_request.pk]))
    assert response.status_code == 302
    assert response.url == reverse("matching:requests")
    assert _flashes(response) == ["Your request is withdrawn."]
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.WITHDRAWN
    assert "This request was withdrawn." in _text(client.get(pending_request.get_absolute_url()))
    assert OutboxEmail.objects.filter(template="request_withdrawn", to=[cast.mentor.email]).exists()


# --- Mentorship page --------------------------------------------------------


def test_mentorship_thread_message_is_listed_and_emailed(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    url = mentorship.get_absolute_url()
    client.force_login(cast.mentee)
    response = client.post(url, {"body": "Tuesday at 10 works for me."})
    assert response.status_code == 302
    assert response.url == url
    client.force_login(cast.mentor)
    assert "Tuesday at 10 works for me." in _text(client.get(url))
    emails = OutboxEmail.objects.filter(template="mentorship_message")
    assert list(emails.values_list("to", flat=True)) == [[cast.mentor.email]]


def test_empty_mentorship_message_is_refused_on_the_page(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    client.force_login(cast.mentee)
    before = _state()
    response = client.post(mentorship.get_absolute_url(), {"body": ""})
    assert response.status_code == 200
    assert "Write a message first." in _text(response)
    assert _state() == before


def test_ending_early_without_a_reason_is_refused(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    client.force_login(cast.mentee)
    before = _state()
    response = client.post(
        reverse("matching:mentorship-end", args=[mentorship.pk]),
        {"outcome": "ended_early", "reason": "  "},
    )
    assert response.status_code == 200
    page = _html(response)
    assert "is-invalid" in _field_tag(page, "id_reason")
    assert "Say briefly why it is ending early." in _error_next_to(page, "id_reason", None)
    assert _state() == before
    mentorship.refresh_from_db()
    assert mentorship.is_active


def test_ending_as_completed_opens_the_feedback_form(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    client.force_login(cast.mentee)
    response = client.post(
        reverse("matching:mentorship-end", args=[mentorship.pk]), {"outcome": "completed"}
    )
    assert response.status_code == 302
    assert _flashes(response) == ["The mentorship has ended. Please leave a short feedback."]
    page = client.get(mentorship.get_absolute_url())
    assert "How did it go?" in _text(page)
    assert reverse("matching:mentorship-feedback", args=[mentorship.pk]) in _html(page)
    # The conversation is read-only now, and the end form is gone.
    assert 'id="id_body"' not in _html(page)
    assert reverse("matching:mentorship-end", args=[mentorship.pk]) not in _html(page)
    assert OutboxEmail.objects.filter(template="mentorship_ended").count() == 2


def test_feedback_before_the_end_is_refused(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    client.force_login(cast.mentee)
    before = _state()
    response = client.post(
        reverse("matching:mentorship-feedback", args=[mentorship.pk]), {"rating": "5"}
    )
    assert response.status_code == 200
    assert _state() == before


def test_feedback_without_a_rating_is_refused_and_keeps_the_comment(
    client: Client, cast: Cast, ended_mentorship: Mentorship
) -> None:
    client.force_login(cast.mentee)
    before = _state()
    response = client.post(
        reverse("matching:mentorship-feedback", args=[ended_mentorship.pk]),
        {"comment": "Generous with time."},
    )
    assert response.status_code == 200
    assert "This field is required." in _text(response)
    assert "Generous with time.</textarea>" in _html(response)
    assert _state() == before


def test_feedback_is_thanked_and_hidden_from_the_other_side(
    client: Client, cast: Cast, ended_mentorship: Mentorship
) -> None:
    client.force_login(cast.mentee)
    response = client.post(
        reverse("matching:mentorship-feedback", args=[ended_mentorship.pk]),
        {"rating": "5", "comment": "Candid notes for the programme team only."},
    )
    assert response.status_code == 302
    assert response.url == ended_mentorship.get_absolute_url()
    mine = _text(client.get(response.url))
    assert "Thanks: you rated this mentorship 5/5." in mine
    assert "How did it go?" not in mine

    client.force_login(cast.mentor)
    theirs = _text(client.get(response.url))
    assert "Candid notes for the programme team only." not in theirs
    assert "you rated" not in theirs
    assert "How did it go?" in theirs


def test_introducing_an_unknown_email_is_refused_on_the_field(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    client.force_login(cast.mentor)
    url = reverse("matching:mentorship-introduce", args=[mentorship.pk])
    # Someone with an account who shares no programme is "unknown" too: no address probing.
    for email in ("nobody@example.org", cast.other_cohort.email):
        before = _state()
        response = client.post(url, {"contact_email": email, "message": "Meet her."})
        assert response.status_code == 200
        page = _html(response)
        assert "is-invalid" in _field_tag(page, "id_contact_email")
        assert f'value="{email}"' in _field_tag(page, "id_contact_email")
        error = _error_next_to(page, "id_contact_email", "id_message")
        assert error == "Nobody with that email shares a programme with you."
        assert _state() == before


def test_introduction_is_made_accepted_and_emailed_to_all_three(
    client: Client, cast: Cast, mentorship: Mentorship
) -> None:
    client.force_login(cast.mentor)
    response = client.post(
        reverse("matching:mentorship-introduce", args=[mentorship.pk]),
        {"contact_email": cast.contact.email.upper(), "message": "You both lead small teams."},
    )
    assert response.status_code == 302
    assert response.url == mentorship.get_absolute_url()
    introduction = Introduction.objects.get()
    assert (introduction.contact, introduction.status) == (cast.contact, "pending")
    assert OutboxEmail.objects.filter(
        template="introduction_request", to=[cast.contact.email]
    ).exists()

    client.force_login(cast.contact)
    dashboard = client.get(reverse("dashboard"))
    assert (
        f"{cast.mentor.get_full_name()} would like to introduce you to "
        f"{cast.mentee.get_full_name()}."
    ) in _text(dashboard)
    assert introduction.get_absolute_url() in _html(dashboard)
    response = client.post(
        reverse("matching:introduction-answer", args=[introduction.pk]), {"answer": "accept"}
    )
    assert response.status_code == 302
    assert response.url == introduction.get_absolute_url()
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ACCEPTED
    made = OutboxEmail.objects.get(template="introduction_made")
    assert sorted(made.to) == sorted([cast.mentor.email, cast.mentee.email, cast.contact.email])

    # The mentee now sees how to reach the contact.
    client.force_login(cast.mentee)
    page = _html(client.get(mentorship.get_absolute_url()))
    assert f'href="mailto:{cast.contact.email}"' in page


def test_a_declined_introduction_shares_nothing(
    client: Client, cast: Cast, introduction: Introduction
) -> None:
    client.force_login(cast.contact)
    response = client.post(
        reverse("matching:introduction-answer", args=[introduction.pk]), {"answer": "decline"}
    )
    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.DECLINED
    assert not OutboxEmail.objects.filter(template="introduction_made").exists()
    client.force_login(cast.mentee)
    assert cast.contact.email not in _html(client.get(introduction.mentorship.get_absolute_url()))


def test_answering_an_introduction_twice_changes_nothing(
    client: Client, cast: Cast, introduction: Introduction
) -> None:
    url = reverse("matching:introduction-answer", args=[introduction.pk])
    client.force_login(cast.contact)
    client.get(client.post(url, {"answer": "accept"}).url)  # read the first flash
    before = _state()
    response = client.post(url, {"answer": "decline"})
    assert response.status_code == 302
    assert _flashes(response) == ["You have already answered this introduction."]
    assert _state() == before


# --- Programmes -------------------------------------------------------------


@pytest.fixture
def programmes(db) -> dict[str, Cohort]:
    return {
        "open": Cohort.objects.create(name="Returners 2025", slug="returners"),
        "invite": Cohort.objects.create(
            name="Acme Leaders", slug="acme", join_mode=JoinMode.INVITE, invite_code="ACME-42"
        ),
        "closed": Cohort.objects.create(
            name="Closed Circle", slug="closed", is_enrollment_open=False
        ),
    }


def test_programmes_page_lists_open_cohorts_only(
    client: Client, mentee: User, programmes: dict[str, Cohort]
) -> None:
    client.force_login(mentee)
    page = _text(client.get(reverse("matching:cohorts")))
    assert "Returners 2025" in page
    assert "Acme Leaders" in page
    assert "Community" in page
    assert "Closed Circle" not in page


def test_joining_an_open_cohort_as_mentee_enrolls(
    client: Client, mentee: User, programmes: dict[str, Cohort]
) -> None:
    client.force_login(mentee)
    cohort = programmes["open"]
    response = client.post(reverse("matching:cohorts"), {"cohort": cohort.pk, "role": "mentee"})
    assert response.status_code == 302
    assert response.url == reverse("matching:cohorts")
    assert _flashes(response) == ["You joined Returners 2025 as mentee."]
    assert Enrollment.objects.filter(
        user=mentee, cohort=cohort, role=Role.MENTEE, status=EnrollmentStatus.ACTIVE
    ).exists()


def test_joining_an_invite_cohort_with_the_wrong_code_is_refused(
    client: Client, mentee: User, programmes: dict[str, Cohort]
) -> None:
    client.force_login(mentee)
    cohort = programmes["invite"]
    before = _state()
    response = client.post(
        reverse("matching:cohorts"),
        {"cohort": cohort.pk, "role": "mentee", "invite_code": "GUESS"},
    )
    assert response.status_code == 200
    page = _html(response)
    tag = _field_tag(page, f"code-{cohort.pk}")
    assert "is-invalid" in tag
    assert 'value="GUESS"' in tag
    error = _error_next_to(page, f"code-{cohort.pk}", None)
    assert error == "That invite code doesn't match this programme."
    assert _state() == before


def test_invite_codes_cannot_be_guessed_in_a_loop(
    client: Client, mentee: User, programmes: dict[str, Cohort]
) -> None:
    client.force_login(mentee)
    cohort = programmes["invite"]
    url = reverse("matching:cohorts")
    for guess in range(5):
        response = client.post(
            url, {"cohort": cohort.pk, "role": "mentee", "invite_code": f"GUESS-{guess}"}
        )
        assert response.status_code == 200
    # The sixth try is refused before the code is even compared, right one included.
    response = client.post(url, {"cohort": cohort.pk, "role": "mentee", "invite_code": "ACME-42"})
    assert response.status_code == 429
    page = _html(response)
    assert _error_next_to(page, f"code-{cohort.pk}", None) == (
        "Too many tries. Wait a few minutes and try again."
    )
    assert not Enrollment.objects.filter(user=mentee, cohort=cohort).exists()
    # Open programmes are not held up by it.
    response = client.post(url, {"cohort": programmes["open"].pk, "role": "mentee"})
    assert response.status_code == 302


def test_joining_an_invite_cohort_with_the_right_code_enrolls(
    client: Client, mentee: User, programmes: dict[str, Cohort]
) -> None:
    client.force_login(mentee)
    cohort = programmes["invite"]
    response = client.post(
        reverse("matching:cohorts"),
        {"cohort": cohort.pk, "role": "mentor", "invite_code": " acme-42 "},
    )
    assert response.status_code == 302
    assert Enrollment.objects.filter(user=mentee, cohort=cohort, role=Role.MENTOR).exists()


def test_a_closed_cohort_cannot_be_joined_by_a_tampered_form(
    client: Client, mentee: User, programmes: dict[str, Cohort]
) -> None:
    client.force_login(mentee)
    before = _state()
    response = client.post(
        reverse("matching:cohorts"), {"cohort": programmes["closed"].pk, "role": "mentee"}
    )
    assert response.status_code == 200
    assert _state() == before


def test_joining_a_cohort_twice_explains_instead_of_failing(
    client: Client, mentee: User, programmes: dict[str, Cohort]
) -> None:
    client.force_login(mentee)
    url = reverse("matching:cohorts")
    data = {"cohort": programmes["open"].pk, "role": "mentee"}
    client.post(url, data)
    before = _state()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "You are already a mentee in Returners 2025." in _text(response)
    assert _state() == before
