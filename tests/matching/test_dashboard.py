"""The dashboard as mentees and mentors see it, the accepting switch, and the navbar badge."""

import html
import re
from typing import Any

from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from accounts.models import User
from matching import directory, services
from matching.models import (
    Cohort,
    Enrollment,
    Mentorship,
    MentorshipRequest,
    Role,
)
from profiles.models import Profile, ProfileSkill, Skill, SkillKind
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

MESSAGE = (
    "I am moving from senior engineer to tech lead and you have made that step yourself. "
    "Could we meet once a month to work on running design reviews?"
)


# --- Helpers ----------------------------------------------------------------


def _new_mentor(name: str, **profile: Any) -> User:
    fields = {"wants_mentoring": False, "wants_to_mentor": True, "display_name": name}
    return ProfileFactory(**(fields | profile)).user


def _new_mentee(name: str, **profile: Any) -> User:
    fields = {"wants_mentoring": True, "wants_to_mentor": False, "display_name": name}
    return ProfileFactory(**(fields | profile)).user


def _mentor_enrollment(user: User) -> Enrollment:
    return Enrollment.objects.get(user=user, cohort=services.default_cohort(), role=Role.MENTOR)


def _ask(mentee: User, mentor: User) -> MentorshipRequest:
    return services.send_request(
        mentee=mentee, mentor_enrollment=_mentor_enrollment(mentor), message=MESSAGE
    )


def _teach(user: User, skill: str) -> None:
    ProfileSkill.objects.create(
        profile=user.profile, skill=Skill.objects.get(name=skill), kind=SkillKind.EXPERTISE
    )


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _section(response: HttpResponse, heading_id: str) -> str:
    """The raw HTML of the dashboard card labelled by ``heading_id``; '' when absent."""
    match = re.search(
        rf'<section\b[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>',
        response.content.decode(),
        re.S,
    )
    return match.group(1) if match else ""


def _suggested_names(response: HttpResponse) -> list[str]:
    mentee_card = _section(response, "mentee-heading")
    if "Suggested mentors" not in mentee_card:
        return []
    listing = mentee_card.split("Suggested mentors", 1)[1].split("</ul>", 1)[0]
    return [
        html.unescape(n)
        for n in re.findall(r'<a\b[^>]*href="/mentors/\d+/"[^>]*>([^<]*)</a>', listing)
    ]


def _badge(response: HttpResponse) -> str | None:
    """The navbar's pending-request count, or None when no badge is shown."""
    match = re.search(
        r'<span\b[^>]*aria-label="(\d+) waiting for your answer"[^>]*>\s*(\d+)\s*</span>',
        response.content.decode(),
    )
    if not match:
        return None
    assert match.group(1) == match.group(2)
    return match.group(1)


# --- Mentee -----------------------------------------------------------------


def test_mentee_dashboard_suggests_free_mentors_teaching_what_they_want_to_learn(
    client: Client, mentee: User
) -> None:
    speaker = _new_mentor("Sol Speaker", years_experience=1)
    _teach(speaker, "Public speaking")  # the mentee wants to learn this
    for n in range(3):
        _new_mentor(f"Vet {n}", years_experience=30)
    paused = _new_mentor("Pablo Paused", is_accepting_requests=False, years_experience=40)
    _teach(paused, "Public speaking")
    elsewhere = ProfileFactory(
        wants_mentoring=False, wants_to_mentor=True, display_name="Rita Remote", enrolled=False
    ).user
    services.join_cohort(
        user=elsewhere, cohort=Cohort.objects.create(name="Elsewhere", slug="else"), role="mentor"
    )
    _teach(elsewhere, "Public speaking")

    client.force_login(mentee)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    names = _suggested_names(response)
    assert names[0] == "Sol Speaker"
    assert len(names) == 3
    assert "Pablo Paused" not in names
    assert "Rita Remote" not in names
    assert reverse("matching:directory") in _section(response, "mentee-heading")


def test_mentee_dashboard_lists_sent_requests_with_their_status(
    client: Client, mentee: User, mentor: User
) -> None:
    pending = _ask(mentee, mentor)
    other = _new_mentor("Dana Decliner")
    declined = _ask(mentee, other)
    services.decline_request(request=declined, by=other, reason="no_capacity")

    client.force_login(mentee)
    card = _section(client.get(reverse("dashboard")), "mentee-heading")
    rows = re.findall(r'<li class="small mb-1">(.*?)</li>', card, re.S)
    by_link = {re.search(r'href="([^"]+)"', row).group(1): _plain(row) for row in rows}
    assert by_link[pending.get_absolute_url()] == (
        f"{mentor.get_full_name()} · Waiting for the mentor"
    )
    assert by_link[declined.get_absolute_url()] == "Dana Decliner · Declined"


def test_mentee_dashboard_links_the_active_mentorship_and_stops_suggesting(
    client: Client, mentee: User, mentor: User
) -> None:
    _new_mentor("Sol Speaker")
    mentorship = services.accept_request(request=_ask(mentee, mentor), by=mentor)
    client.force_login(mentee)
    response = client.get(reverse("dashboard"))
    card = _section(response, "mentee-heading")
    assert f"Your mentor: {mentor.get_full_name()}" in _plain(card)
    assert f'href="{mentorship.get_absolute_url()}"' in card
    assert _suggested_names(response) == []
    assert "Find a mentor</a>" not in card


def test_mentee_only_dashboard_has_no_mentor_card(client: Client, mentee: User) -> None:
    client.force_login(mentee)
    response = client.get(reverse("dashboard"))
    assert _section(response, "mentee-heading")
    assert not _section(response, "mentor-heading")


# --- Mentor -----------------------------------------------------------------


def test_mentor_dashboard_lists_pending_requests_mentees_and_load(
    client: Client, mentor: User
) -> None:
    waiting = [_ask(_new_mentee(f"Asker {n}"), mentor) for n in range(2)]
    matched = _new_mentee("Mo Matched")
    mentorship = services.accept_request(request=_ask(matched, mentor), by=mentor)

    client.force_login(mentor)
    response = client.get(reverse("dashboard"))
    card = _section(response, "mentor-heading")
    text = _plain(card)
    assert "Waiting for your answer (2)" in text
    for req in waiting:
        assert f'href="{req.get_absolute_url()}"' in card
        assert req.mentee_enrollment.user.get_full_name() in text
    mentees = _plain(card.split("Your mentees", 1)[1].split("</ul>", 1)[0])
    assert mentees == "MM Mo Matched Community"
    assert f'href="{mentorship.get_absolute_url()}"' in card
    assert "Community 1 of 2 places taken" in text
    assert not _section(response, "mentee-heading")


def test_mentor_dashboard_counts_people_mentored_once_each(client: Client, mentor: User) -> None:
    returning = _new_mentee("Rae Returning")
    first = services.accept_request(request=_ask(returning, mentor), by=mentor)
    services.end_mentorship(mentorship=first, by=mentor, outcome="completed")
    services.accept_request(request=_ask(returning, mentor), by=mentor)
    other = services.accept_request(request=_ask(_new_mentee("Ola Other"), mentor), by=mentor)
    services.end_mentorship(mentorship=other, by=mentor, outcome="ended_early", reason="Moved")

    client.force_login(mentor)
    text = _plain(_section(client.get(reverse("dashboard")), "mentor-heading"))
    assert "People you've mentored 2" in text
    assert "Mentorships completed 1" in text
    assert "Community 1 of 2 places taken" in text
    assert Mentorship.objects.count() == 3


def test_mentor_without_requests_sees_an_empty_state(client: Client, mentor: User) -> None:
    client.force_login(mentor)
    text = _plain(_section(client.get(reverse("dashboard")), "mentor-heading"))
    assert "Waiting for your answer" not in text
    assert "No mentees yet." in text
    assert "Community 0 of 2 places taken" in text


def test_mentor_pauses_and_resumes_new_requests_from_the_dashboard(
    client: Client, mentor: User, mentee: User
) -> None:
    client.force_login(mentor)
    url = reverse("matching:set-accepting")
    response = client.post(url)  # the "Pause" button sends no accepting field
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "New requests are paused. Your current mentees are not affected."
    ]
    assert Profile.objects.get(user=mentor).is_accepting_requests is False
    card = _section(client.get(reverse("dashboard")), "mentor-heading")
    assert "New requests paused" in _plain(card)
    assert '<input type="hidden" name="accepting" value="on">' in card

    # Paused means the mentee cannot ask.
    client.force_login(mentee)
    client.post(
        reverse("matching:request-create", args=[_mentor_enrollment(mentor).pk]),
        {"message": MESSAGE},
    )
    assert not MentorshipRequest.objects.exists()

    client.force_login(mentor)
    response = client.post(url, {"accepting": "on"})
    assert response.status_code == 302
    assert Profile.objects.get(user=mentor).is_accepting_requests is True
    card = _section(client.get(reverse("dashboard")), "mentor-heading")
    assert "Open to new requests Pause new requests" in _plain(card)
    assert 'name="accepting"' not in card


def test_navbar_shows_the_mentors_pending_request_count_on_every_page(
    client: Client, mentor: User, mentee: User
) -> None:
    client.force_login(mentor)
    assert _badge(client.get(reverse("dashboard"))) is None
    first = _ask(mentee, mentor)
    _ask(_new_mentee("Second Asker"), mentor)
    for name in ("dashboard", "matching:requests", "matching:cohorts"):
        assert _badge(client.get(reverse(name))) == "2"
    services.accept_request(request=first, by=mentor)
    assert _badge(client.get(reverse("dashboard"))) == "1"


def test_navbar_shows_no_badge_to_a_mentee(client: Client, mentee: User, mentor: User) -> None:
    _ask(mentee, mentor)
    client.force_login(mentee)
    assert _badge(client.get(reverse("dashboard"))) is None


def test_dashboard_sends_a_newcomer_to_onboarding(client: Client, newcomer: User) -> None:
    client.force_login(newcomer)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("profiles:onboarding-start")


# --- Query counts -----------------------------------------------------------


def test_mentor_dashboard_query_count_does_not_grow_with_pending_requests(
    client: Client, mentor: User
) -> None:
    Profile.objects.filter(user=mentor).update(mentor_capacity=10)
    _ask(_new_mentee("Asker 0"), mentor)
    mentorship = services.accept_request(request=_ask(_new_mentee("Kept"), mentor), by=mentor)
    client.force_login(mentor)
    url = reverse("dashboard")
    client.get(url)  # warm caches (content types, sessions)

    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert "Waiting for your answer (1)" in _plain(_section(response, "mentor-heading"))
    for n in range(1, 8):
        asker = _new_mentee(f"Asker {n}")
        _ask(asker, mentor)
        if n < 4:  # more mentees too, so that list cannot hide a per-row query
            other = _new_mentee(f"Matched {n}")
            services.accept_request(request=_ask(other, mentor), by=mentor)
    with CaptureQueriesContext(connection) as eight:
        response = client.get(url)
    assert "Waiting for your answer (8)" in _plain(_section(response, "mentor-heading"))
    assert mentorship.get_absolute_url() in response.content.decode()
    assert len(eight) == len(one), [q["sql"] for q in eight.captured_queries]


def test_mentee_dashboard_query_count_does_not_grow_with_sent_requests(
    client: Client, mentee: User
) -> None:
    def ask_and_get_declined(n: int) -> None:
        mentor = _new_mentor(f"Mentor {n}")
        _teach(mentor, "Public speaking")
        services.decline_request(request=_ask(mentee, mentor), by=mentor, reason="not_a_fit")

    ask_and_get_declined(0)
    client.force_login(mentee)
    url = reverse("dashboard")
    client.get(url)

    # The suggestions fall back on the directory, whose mentors the new ones below drop
    # from memory: both readings start from that.
    directory.forget()
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 6):
        ask_and_get_declined(n)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    assert len(_suggested_names(response)) == 3
    assert len(six) == len(one), [q["sql"] for q in six.captured_queries]


def test_dashboard_lists_mentors_the_mentee_looked_at_newest_first(client):
    viewer = ProfileFactory(wants_mentoring=True, display_name="Viewer Person").user
    first = ProfileFactory(wants_to_mentor=True, wants_mentoring=False, display_name="Ada First")
    second = ProfileFactory(wants_to_mentor=True, wants_mentoring=False, display_name="Bo Second")
    client.force_login(viewer)
    for profile in (first, second, first):
        enrollment = profile.user.enrollments.get(role="mentor")
        assert (
            client.get(reverse("matching:mentor-detail", args=[enrollment.pk])).status_code == 200
        )
    page = client.get(reverse("dashboard")).content.decode()
    section = page[page.index("Mentors you looked at") :]
    assert section.index("Ada First") < section.index("Bo Second")

    # A mentor who leaves the programme drops out of the list.
    second.user.enrollments.update(status="left")
    page = client.get(reverse("dashboard")).content.decode()
    assert "Bo Second" not in page[page.index("Mentors you looked at") :]
