"""What the matching emails say: the words, the links, and what they keep private."""

from collections.abc import Callable
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

import pytest

from accounts.models import User
from core.outbox.models import OutboxEmail
from matching import services
from matching.models import (
    DeclineReason,
    Enrollment,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
)

pytestmark = pytest.mark.django_db

MakeEnrollment = Callable[..., Enrollment]

PREFIX = "[Mentorship] "
BLAME_WORDS = [
    "reject",
    "fault",
    "not good enough",
    "unqualified",
    "unsuitable",
    "insufficient",
    "weak",
    "failed",
    "denied",
    "unfortunately",
]


def _email(template: str, to: str | None = None) -> OutboxEmail:
    rows = OutboxEmail.objects.filter(template=template)
    if to is not None:
        rows = [row for row in rows if row.to == [to]]
    (row,) = rows
    return row


@pytest.fixture(autouse=True)
def _plain_names(mentee: User, mentor: User) -> None:
    # Faker names may hold apostrophes, which HTML escapes: pin names the tests can find.
    # Saved through the cached profiles, which get_full_name() reads.
    _rename(mentee, display_name="Mia Mentee")
    _rename(
        mentor, display_name="Otto Mentor", headline="Principal engineer", time_zone="Asia/Tokyo"
    )


def _rename(user: User, **fields: str) -> None:
    for name, value in fields.items():
        setattr(user.profile, name, value)
    user.profile.save()


# --- request_received ---------------------------------------------------------------


def test_request_received_quotes_the_message_and_links_to_the_request(
    pending_request: MentorshipRequest, request_text: str, mentee: User
) -> None:
    email = _email("request_received")

    assert email.subject == f"{PREFIX}Mia Mentee asked you to be their mentor"
    assert request_text in email.body_text
    link = f"http://testserver/requests/{pending_request.pk}/"
    assert link in email.body_text
    assert f'href="{link}"' in email.body_html
    expires = pending_request.expires_at
    assert f"The request stays open until {date_format(expires)}." in email.body_text
    # Addresses are shared only once a mentorship starts.
    assert mentee.email not in email.body_text
    assert mentee.email not in email.body_html


def test_request_received_shows_the_first_goal_and_keeps_text_raw_but_html_escaped(
    mentee: User, mentor_enrollment: Enrollment, request_text: str
) -> None:
    text = f"{request_text} Tom & Jerry <talk>"
    services.send_request(
        mentee=mentee,
        mentor_enrollment=mentor_enrollment,
        message=text,
        first_goal="Speak at a meetup",
    )

    email = _email("request_received")
    assert "Tom & Jerry <talk>" in email.body_text
    assert "Tom &amp; Jerry &lt;talk&gt;" in email.body_html
    assert "<talk>" not in email.body_html
    assert "A first goal they would like to work on" in email.body_text
    assert "Speak at a meetup" in email.body_text


def test_request_received_leaves_out_the_first_goal_section_when_there_is_none(
    pending_request: MentorshipRequest,
) -> None:
    assert "first goal" not in _email("request_received").body_text


# --- introduction -------------------------------------------------------------------


def test_introduction_to_the_mentee_gives_the_mentors_address_and_an_agenda(
    mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    email = _email("introduction", to=mentee.email)

    assert email.subject == f"{PREFIX}Meet Otto Mentor, your new mentor"
    assert mentor.email in email.body_text
    assert f"mailto:{mentor.email}" in email.body_html
    assert "A suggested agenda for your first meeting" in email.body_text
    assert "A suggested agenda for your first meeting" in email.body_html
    assert "Principal engineer" in email.body_text
    assert "Otto Mentor is in Asia/Tokyo" in email.body_text
    assert f"http://testserver/mentorships/{mentorship.pk}/" in email.body_text
    assert "has accepted your request" in email.body_text


def test_introduction_to_the_mentor_gives_the_mentees_address_request_and_agenda(
    mentorship: Mentorship, mentee: User, mentor: User, request_text: str
) -> None:
    email = _email("introduction", to=mentor.email)

    assert email.subject == f"{PREFIX}Meet Mia Mentee, your new mentee"
    assert mentee.email in email.body_text
    assert f"mailto:{mentee.email}" in email.body_html
    assert "A suggested agenda for your first meeting" in email.body_text
    assert "You are now mentoring Mia Mentee" in email.body_text
    assert request_text in email.body_text
    assert "Become a tech lead" in email.body_text  # the mentee's career goals
    assert f"http://testserver/mentorships/{mentorship.pk}/" in email.body_text


def test_request_closed_matched_does_not_say_who_the_new_mentor_is(
    mentee: User,
    mentor: User,
    mentor_enrollment: Enrollment,
    make_mentor: MakeEnrollment,
    request_text: str,
) -> None:
    other = make_mentor()
    services.send_request(mentee=mentee, mentor_enrollment=mentor_enrollment, message=request_text)
    closed = services.send_request(mentee=mentee, mentor_enrollment=other, message=request_text)
    accepted = MentorshipRequest.objects.get(mentor_enrollment=mentor_enrollment)

    services.accept_request(request=accepted, by=mentor)

    email = _email("request_closed_matched")
    assert email.to == [other.user.email]
    assert email.subject == f"{PREFIX}Mia Mentee has found a mentor"
    assert "Otto Mentor" not in email.body_text
    assert mentor.email not in email.body_text
    assert mentee.email not in email.body_text
    assert closed.cohort.name in email.body_text


# --- request_declined ---------------------------------------------------------------


@pytest.mark.parametrize(
    "reason", [DeclineReason.NO_CAPACITY, DeclineReason.NOT_A_FIT, DeclineReason.BETTER_MATCH]
)
def test_request_declined_gives_the_reason_without_blame(
    pending_request: MentorshipRequest, mentor: User, reason: DeclineReason
) -> None:
    services.decline_request(
        request=pending_request, by=mentor, reason=reason, note="Try asking Ana Lopez."
    )

    email = _email("request_declined")
    assert email.subject == f"{PREFIX}Otto Mentor can't be your mentor this time"
    assert str(reason.label) in email.body_text
    assert "Try asking Ana Lopez." in email.body_text
    assert "http://testserver/mentors/" in email.body_text
    text = f"{email.subject}\n{email.body_text}".lower()
    assert [word for word in BLAME_WORDS if word in text] == []
    assert mentor.email not in email.body_text


def test_request_declined_for_another_reason_shows_the_note_only(
    pending_request: MentorshipRequest, mentor: User
) -> None:
    services.decline_request(
        request=pending_request, by=mentor, reason=DeclineReason.OTHER, note="Moving abroad."
    )

    email = _email("request_declined")
    assert "Moving abroad." in email.body_text
    assert "Their reason" not in email.body_text
    assert [word for word in BLAME_WORDS if word in email.body_text.lower()] == []


# --- expiry, ending, introductions -----------------------------------------------


def test_request_expired_tells_each_side_what_they_can_do(
    pending_request: MentorshipRequest, mentee: User, mentor: User
) -> None:
    services.expire_requests(now=pending_request.expires_at + timedelta(seconds=1))

    to_mentee = _email("request_expired", to=mentee.email)
    to_mentor = _email("request_expired", to=mentor.email)
    assert to_mentee.subject == f"{PREFIX}Your request to Otto Mentor has expired"
    assert "http://testserver/mentors/" in to_mentee.body_text
    assert "says nothing about you" in to_mentee.body_text
    assert to_mentor.subject == f"{PREFIX}The request from Mia Mentee has expired"
    assert "http://testserver/profile/role/" in to_mentor.body_text


def test_mentorship_ended_shows_the_reason_to_the_other_side_only(
    mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    services.end_mentorship(
        mentorship=mentorship,
        by=mentee,
        outcome=MentorshipStatus.ENDED_EARLY,
        reason="I changed jobs.",
    )

    to_mentor = _email("mentorship_ended", to=mentor.email)
    to_mentee = _email("mentorship_ended", to=mentee.email)
    assert to_mentor.subject == f"{PREFIX}Your mentorship with Mia Mentee has ended"
    assert "Mia Mentee has closed your mentorship" in to_mentor.body_text
    assert "I changed jobs." in to_mentor.body_text
    assert to_mentee.subject == f"{PREFIX}Your mentorship with Otto Mentor has ended"
    assert "You have closed your mentorship with Otto Mentor" in to_mentee.body_text
    assert "I changed jobs." not in to_mentee.body_text
    assert f"http://testserver/mentorships/{mentorship.pk}/" in to_mentee.body_text


def test_introduction_made_gives_each_the_others_address_and_the_mentors_words(
    mentorship: Mentorship, mentor: User, mentee: User, stranger: User
) -> None:
    _rename(stranger, display_name="Cleo Contact")
    introduction = services.introduce(
        mentorship=mentorship,
        by=mentor,
        contact_email=stranger.email,
        message="Cleo ran the same migration last year.",
    )
    request = _email("introduction_request")
    # Nothing is shared with the contact before they accept.
    assert mentee.email not in request.body_text
    assert "Cleo ran the same migration last year." in request.body_text

    services.answer_introduction(introduction=introduction, by=stranger, accept=True)

    made = _email("introduction_made")
    assert made.subject == f"{PREFIX}Introduction: Mia Mentee, meet Cleo Contact"
    assert f"Mia Mentee, meet Cleo Contact: {stranger.email}" in made.body_text
    assert f"Cleo Contact, meet Mia Mentee: {mentee.email}" in made.body_text
    assert "Cleo ran the same migration last year." in made.body_text
    assert f"http://testserver/introductions/{introduction.pk}/" in made.body_text


def test_introduction_declined_shares_no_contact_details(
    mentorship: Mentorship, mentor: User, mentee: User, stranger: User
) -> None:
    _rename(stranger, display_name="Cleo Contact")
    introduction = services.introduce(
        mentorship=mentorship, by=mentor, contact_email=stranger.email, message="Meet!"
    )

    services.answer_introduction(introduction=introduction, by=stranger, accept=False)

    email = _email("introduction_declined")
    assert email.subject == f"{PREFIX}Cleo Contact declined your introduction"
    assert stranger.email not in email.body_text
    assert mentee.email not in email.body_text


# --- Every subject ------------------------------------------------------------------


def test_every_matching_email_subject_starts_with_the_site_prefix(
    mentee: User,
    mentor: User,
    mentor_enrollment: Enrollment,
    stranger: User,
    make_mentor: MakeEnrollment,
    make_mentee: MakeEnrollment,
    request_text: str,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        spare = make_mentor()
        accepted = services.send_request(
            mentee=mentee, mentor_enrollment=mentor_enrollment, message=request_text
        )
        services.send_request(mentee=mentee, mentor_enrollment=spare, message=request_text)
        services.post_request_message(request=accepted, author=mentor, body="Hello!")
        mentorship = services.accept_request(request=accepted, by=mentor)
        services.post_mentorship_message(mentorship=mentorship, author=mentee, body="Hi!")
        for accept in (True, False):
            contact = stranger if accept else make_mentor().user
            introduction = services.introduce(
                mentorship=mentorship, by=mentor, contact_email=contact.email, message="Meet!"
            )
            services.answer_introduction(introduction=introduction, by=contact, accept=accept)
        services.end_mentorship(
            mentorship=mentorship, by=mentor, outcome=MentorshipStatus.COMPLETED
        )
        asker = make_mentee().user
        declined = services.send_request(
            mentee=asker, mentor_enrollment=spare, message=request_text
        )
        services.decline_request(request=declined, by=spare.user, reason=DeclineReason.OTHER)
        withdrawn = services.send_request(
            mentee=asker, mentor_enrollment=spare, message=request_text
        )
        services.withdraw_request(request=withdrawn, by=asker)
        services.send_request(mentee=asker, mentor_enrollment=spare, message=request_text)
        services.expire_requests(now=timezone.now() + timedelta(days=60))

    templates = set(OutboxEmail.objects.values_list("template", flat=True))
    assert templates >= {
        "request_received",
        "request_message",
        "request_closed_matched",
        "introduction",
        "mentorship_message",
        "introduction_request",
        "introduction_made",
        "introduction_declined",
        "mentorship_ended",
        "request_declined",
        "request_withdrawn",
        "request_expired",
    }
    rows = list(OutboxEmail.objects.all())
    for row in rows:
        assert row.subject.startswith(PREFIX), row.template
        assert len(row.subject) > len(PREFIX) + 5, row.template
        assert "\n" not in row.subject, row.template
    assert len(mail.outbox) == len(rows)
    for message in mail.outbox:
        assert message.subject.startswith(PREFIX)
