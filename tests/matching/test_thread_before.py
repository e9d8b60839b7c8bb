"""The conversation before accepting opens the mentorship's thread: the request's message,
the questions and answers about it, then what the pair wrote since."""

import html
import re

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

import pytest

from accounts.models import User
from matching import selectors, services
from matching.models import Cohort, Enrollment, Mentorship, MentorshipRequest, Role
from tests.factories import ProfileFactory, site_programme_admin

pytestmark = pytest.mark.django_db

MESSAGE = (
    "Hello! I am preparing my first conference talk about migrating a monolith and "
    "would love your help structuring it and rehearsing the hard questions."
)
QUESTION = "How much time can you give it each week?"
ANSWER = "Two evenings, and a Saturday morning before the talk."


def _text(response: HttpResponse) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def _mentor_enrollment(user: User) -> Enrollment:
    return Enrollment.objects.get(user=user, cohort=services.default_cohort(), role=Role.MENTOR)


@pytest.fixture
def asked(mentee: User, mentor: User) -> MentorshipRequest:
    request = services.send_request(
        mentee=mentee,
        mentor_enrollment=_mentor_enrollment(mentor),
        message=MESSAGE,
        first_goal="Give the talk at PyCon",
    )
    services.post_request_message(request=request, author=mentor, body=QUESTION)
    services.post_request_message(request=request, author=mentee, body=ANSWER)
    return request


@pytest.fixture
def mentorship(asked: MentorshipRequest, mentor: User) -> Mentorship:
    return services.accept_request(request=asked, by=mentor)


def _other_cohort_member() -> User:
    person = ProfileFactory(wants_mentoring=True, enrolled=False).user
    cohort = Cohort.objects.create(name="Other", slug="other")
    services.join_cohort(user=person, cohort=cohort, role="mentee")
    return person


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mentee", 200),
        ("mentor", 200),
        ("stranger", 404),
        ("other_cohort", 404),
        # The mentorship page holds the pair's contact details: programme admins read
        # goals and meetings, not this page.
        ("admin", 404),
        ("staff", 404),
        ("anonymous", 302),
    ],
)
def test_only_the_pair_reads_the_conversation_before(
    client: Client, mentorship: Mentorship, staff: User, who: str, expected: int
) -> None:
    people = {
        "mentee": mentorship.mentee,
        "mentor": mentorship.mentor,
        "stranger": ProfileFactory().user,
        "other_cohort": _other_cohort_member(),
        "admin": site_programme_admin(mentorship.cohort),
        "staff": staff,
    }
    if who in people:
        client.force_login(people[who])
    response = client.get(reverse("matching:mentorship-detail", args=[mentorship.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert QUESTION in _text(response)
    elif expected == 302:
        assert reverse("account_login") in response["Location"]
    else:
        assert QUESTION not in response.content.decode()


@pytest.mark.parametrize("side", ["mentee", "mentor"])
def test_the_request_and_its_questions_open_the_mentorship_thread(
    client: Client, mentorship: Mentorship, side: str
) -> None:
    services.post_mentorship_message(
        mentorship=mentorship, author=mentorship.mentor, body="Welcome aboard!"
    )
    client.force_login(getattr(mentorship, side))
    text = _text(client.get(mentorship.get_absolute_url()))
    marker = text.index("Before the mentorship started")
    # Oldest first: the request, the question, the answer; then what came after.
    order = [text.index(part) for part in (MESSAGE, QUESTION, ANSWER, "Welcome aboard!")]
    assert marker < order[0] and order == sorted(order)
    assert "Give the talk at PyCon" in text
    assert text.index("Since ") < order[-1]
    assert "No messages yet" not in text
    page = client.get(mentorship.get_absolute_url()).content.decode()
    assert reverse("matching:request-detail", args=[mentorship.request_id]) in page


def test_with_nothing_since_the_thread_invites_a_hello(
    client: Client, mentorship: Mentorship
) -> None:
    client.force_login(mentorship.mentee)
    text = _text(client.get(mentorship.get_absolute_url()))
    assert MESSAGE in text and "Nothing since the mentorship started. Say hello" in text


def test_a_pair_made_by_a_match_run_has_no_conversation_before(
    client: Client, mentee: User, mentor: User
) -> None:
    mentorship = Mentorship.objects.create(
        cohort=services.default_cohort(),
        mentee_enrollment=Enrollment.objects.get(user=mentee, role=Role.MENTEE),
        mentor_enrollment=_mentor_enrollment(mentor),
    )
    client.force_login(mentee)
    text = _text(client.get(mentorship.get_absolute_url()))
    assert "Before the mentorship started" not in text
    assert "No messages yet. Say hello" in text


def test_the_conversation_is_read_not_copied(mentorship: Mentorship) -> None:
    assert not mentorship.messages.exists()
    thread = selectors.conversation_before(mentorship)
    assert [m.body for m in thread] == [MESSAGE, QUESTION, ANSWER]
    assert [m.author for m in thread] == [mentorship.mentee, mentorship.mentor, mentorship.mentee]


def test_the_conversation_before_costs_two_queries_however_long(
    mentee: User, mentor: User, django_assert_num_queries
) -> None:
    def pair(questions: int) -> Mentorship:
        asker = ProfileFactory(wants_mentoring=True, wants_to_mentor=False).user
        request = services.send_request(
            mentee=asker, mentor_enrollment=_mentor_enrollment(mentor), message=MESSAGE
        )
        for n in range(questions):
            services.post_request_message(request=request, author=mentor, body=f"Q{n}")
            services.post_request_message(request=request, author=asker, body=f"A{n}")
        return services.accept_request(request=request, by=mentor)

    mentor.profile.mentor_capacity = 5
    mentor.profile.save()
    for questions in (1, 8):
        mentorship = selectors.mentorship_for(mentor, pair(questions).pk)
        with django_assert_num_queries(2):
            thread = selectors.conversation_before(mentorship)
            [m.author.profile.display_name for m in thread]
        assert len(thread) == 1 + 2 * questions
