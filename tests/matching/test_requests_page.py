"""The requests page: waiting requests all shown, answered ones only the latest."""

from django.urls import reverse

import pytest

from matching import selectors, services
from matching.models import Enrollment, MentorshipRequest, RequestStatus
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

MESSAGE = "I would love your help growing into a tech lead role over the next year, please."


def _mentor(name: str):
    return ProfileFactory(display_name=name, wants_mentoring=False, wants_to_mentor=True).user


def _ask(mentee, mentor) -> MentorshipRequest:
    return services.send_request(
        mentee=mentee,
        mentor_enrollment=Enrollment.objects.get(user=mentor, role="mentor"),
        message=MESSAGE,
    )


def _sent_section(html: str) -> str:
    return html.split('id="sent-heading"', 1)[1].split("</section>", 1)[0]


def test_a_mentee_sees_what_waits_and_only_their_last_answered_requests(client, mentee):
    shown = selectors.CLOSED_REQUESTS_SHOWN
    for n in range(shown + 3):
        mentor = _mentor(f"Declining Mentor {n:02d}")
        services.decline_request(request=_ask(mentee, mentor), by=mentor, reason="not_a_fit")
    _ask(mentee, _mentor("Waiting Mentor"))
    client.force_login(mentee)
    sent = _sent_section(client.get(reverse("matching:requests")).content.decode())
    waiting, answered = sent.split("Answered or closed", 1)
    assert "Waiting Mentor" in waiting and "Declining Mentor" not in waiting
    # the newest answered requests, newest first; the three oldest are left out
    assert answered.count("Declining Mentor") == shown
    assert answered.index(f"Declining Mentor {shown + 2:02d}") < answered.index(
        f"Declining Mentor {shown:02d}"
    )
    assert "Declining Mentor 02" not in answered and f"Your last {shown}." in answered
    assert MentorshipRequest.objects.filter(status=RequestStatus.DECLINED).count() == shown + 3


def test_someone_who_never_asked_is_pointed_to_the_directory(client, mentee):
    client.force_login(mentee)
    sent = _sent_section(client.get(reverse("matching:requests")).content.decode())
    assert "You haven't asked anyone yet." in sent
    assert reverse("matching:directory") in sent


def test_a_few_answered_requests_carry_no_last_n_note(client, mentee):
    mentor = _mentor("Only Mentor")
    services.decline_request(request=_ask(mentee, mentor), by=mentor, reason="not_a_fit")
    client.force_login(mentee)
    sent = _sent_section(client.get(reverse("matching:requests")).content.decode())
    assert "None waiting for an answer." in sent and "Only Mentor" in sent
    assert "Your last" not in sent
