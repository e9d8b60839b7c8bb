"""A shared language before a mentorship starts, and one capacity across programmes.

Found by trying the product: an English-only mentee could ask, and be accepted by, a
Romanian-only mentor; a mentor in three programmes could hold three times their number.
"""

import html
import re
from collections.abc import Callable
from functools import partial

from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

import pytest

from accounts.models import User
from matching import selectors, services
from matching.models import (
    Cohort,
    Enrollment,
    MatchRun,
    Mentorship,
    MentorshipRequest,
    RequestStatus,
)
from profiles.models import Profile
from tests.factories import ProfileFactory
from tests.helpers import refused

pytestmark = pytest.mark.django_db

MakeEnrollment = Callable[..., Enrollment]
MakeCohort = Callable[..., Cohort]


def _counts() -> tuple[int, ...]:
    return (MentorshipRequest.objects.count(), Mentorship.objects.count())


_refused = partial(refused, _counts)


def _send(mentee: User, mentor: Enrollment, text: str) -> MentorshipRequest:
    return services.send_request(mentee=mentee, mentor_enrollment=mentor, message=text)


def _speaks(user: User, *codes: str) -> None:
    user.profile.languages.set(codes)


def _text(response: HttpResponse) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


CARD_NAME = re.compile(r'id="mentor-\d+-name"[^>]*>\s*<a\b[^>]*>([^<]*)</a>')


def _card_names(response: HttpResponse) -> list[str]:
    return [html.unescape(n) for n in CARD_NAME.findall(response.content.decode())]


# --- Requests and accepts need a shared language ------------------------------------------


def test_mentee_cannot_ask_a_mentor_they_share_no_language_with(
    make_mentor: MakeEnrollment, make_mentee: MakeEnrollment, request_text: str
) -> None:
    mentor = make_mentor(languages=["ro"], display_name="Radu Pop")
    mentee = make_mentee(languages=["en"]).user

    with _refused("You and Radu Pop have no language in common: they speak Romanian"):
        _send(mentee, mentor, request_text)


def test_the_refusal_says_what_the_mentee_speaks_and_what_to_do(
    make_mentor: MakeEnrollment, make_mentee: MakeEnrollment, request_text: str
) -> None:
    mentor = make_mentor(languages=["zh", "es"])
    mentee = make_mentee(languages=["en"]).user

    with pytest.raises(ValidationError) as caught:
        _send(mentee, mentor, request_text)

    (said,) = caught.value.messages
    assert "they speak Chinese and Spanish, and your profile lists English" in said
    assert "choose a mentor who speaks one of yours, or add a language you speak" in said


def test_one_shared_language_is_enough_to_ask(
    make_mentor: MakeEnrollment, make_mentee: MakeEnrollment, request_text: str
) -> None:
    mentor = make_mentor(languages=["ro", "de"])
    mentee = make_mentee(languages=["en", "de"]).user

    assert _send(mentee, mentor, request_text).status == RequestStatus.PENDING


def test_someone_who_lists_no_language_is_not_refused_for_it(
    make_mentor: MakeEnrollment, make_mentee: MakeEnrollment, request_text: str
) -> None:
    mentor = make_mentor(languages=["ro"])
    mentee = make_mentee(languages=["en"]).user
    _speaks(mentee)  # nothing listed: the site cannot tell, so it does not refuse

    assert _send(mentee, mentor, request_text).status == RequestStatus.PENDING


def test_a_programme_may_allow_requests_without_a_shared_language(
    make_cohort: MakeCohort,
    make_mentor: MakeEnrollment,
    make_mentee: MakeEnrollment,
    request_text: str,
) -> None:
    cohort = make_cohort(allow_requests_without_shared_language=True)
    mentor = make_mentor(cohort, languages=["ro"])
    mentee = make_mentee(cohort, languages=["en"])

    request = _send(mentee.user, mentor, request_text)
    mentorship = services.accept_request(request=request, by=mentor.user)

    assert mentorship.mentee_enrollment == mentee


def test_mentor_cannot_accept_a_mentee_they_no_longer_share_a_language_with(
    make_mentor: MakeEnrollment, make_mentee: MakeEnrollment, request_text: str
) -> None:
    mentor = make_mentor(languages=["en", "ro"])
    mentee = make_mentee(languages=["en"], display_name="Emma Brown")
    request = _send(mentee.user, mentor, request_text)
    _speaks(mentor.user, "ro")  # the mentor corrects their profile

    with _refused("You and Emma Brown have no language in common: they speak English"):
        services.accept_request(request=request, by=mentor.user)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_the_cohort_setting_is_on_its_admin_page(client: Client) -> None:
    admin = ProfileFactory(user__is_staff=True, user__is_superuser=True, enrolled=False).user
    cohort = Cohort.objects.create(name="Across Borders", slug="across-borders")
    client.force_login(admin)

    page = client.get(reverse("admin:matching_cohort_change", args=[cohort.pk]))

    assert page.status_code == 200
    assert 'name="allow_requests_without_shared_language"' in page.content.decode()


# --- One capacity across programmes ------------------------------------------------------


def _mentor_in(cohorts: list[Cohort], capacity: int) -> list[Enrollment]:
    person = ProfileFactory(
        wants_mentoring=False, wants_to_mentor=True, mentor_capacity=capacity, enrolled=False
    ).user
    return [Enrollment.objects.create(user=person, cohort=c, role="mentor") for c in cohorts]


def _asked_and_accepted(
    mentor: Enrollment, make_mentee: MakeEnrollment, request_text: str
) -> Mentorship:
    mentee = make_mentee(mentor.cohort)
    request = _send(mentee.user, mentor, request_text)
    return services.accept_request(request=request, by=mentor.user)


def test_mentor_capacity_counts_mentorships_in_every_programme(
    make_cohort: MakeCohort, make_mentee: MakeEnrollment, request_text: str
) -> None:
    spring, autumn, winter = (make_cohort() for _ in range(3))
    in_spring, in_autumn, in_winter = _mentor_in([spring, autumn, winter], capacity=2)
    _asked_and_accepted(in_spring, make_mentee, request_text)
    _asked_and_accepted(in_autumn, make_mentee, request_text)
    # Asked while there was room; accepted after the other programmes filled it.
    request = MentorshipRequest.objects.create(
        cohort=winter,
        mentee_enrollment=make_mentee(winter),
        mentor_enrollment=in_winter,
        message=request_text,
    )

    with _refused("you already mentor 2 of 2 across all your programmes"):
        services.accept_request(request=request, by=in_winter.user)


def test_a_full_mentor_cannot_be_asked_in_another_programme(
    make_cohort: MakeCohort, make_mentee: MakeEnrollment, request_text: str
) -> None:
    spring, autumn = make_cohort(), make_cohort()
    in_spring, in_autumn = _mentor_in([spring, autumn], capacity=1)
    _asked_and_accepted(in_spring, make_mentee, request_text)

    with _refused("This mentor has no free places right now"):
        _send(make_mentee(autumn).user, in_autumn, request_text)


def test_places_left_are_the_same_in_every_programme_sharing_the_number(
    make_cohort: MakeCohort, make_mentee: MakeEnrollment, request_text: str
) -> None:
    spring, autumn = make_cohort(), make_cohort()
    in_spring, in_autumn = _mentor_in([spring, autumn], capacity=3)
    _asked_and_accepted(in_spring, make_mentee, request_text)

    loaded = {e.pk: e for e in Enrollment.objects.with_load().filter(user=in_spring.user)}
    assert [loaded[e.pk].places_left() for e in (in_spring, in_autumn)] == [2, 2]
    assert [Enrollment.objects.get(pk=e.pk).places_left() for e in (in_spring, in_autumn)] == [
        2,
        2,
    ]


def test_a_programmes_own_limit_counts_only_its_mentorships(
    make_cohort: MakeCohort, make_mentee: MakeEnrollment, request_text: str
) -> None:
    spring, autumn = make_cohort(name="Spring 2027"), make_cohort()
    in_spring, in_autumn = _mentor_in([spring, autumn], capacity=1)
    Enrollment.objects.filter(pk=in_spring.pk).update(capacity_override=1)
    in_spring.refresh_from_db()
    _asked_and_accepted(in_autumn, make_mentee, request_text)

    # Spring's own limit still has its place, though the mentor's own number is used up.
    _asked_and_accepted(in_spring, make_mentee, request_text)
    loaded = {e.pk: e for e in Enrollment.objects.with_load().filter(user=in_spring.user)}
    assert (loaded[in_spring.pk].places_taken(), loaded[in_spring.pk].capacity) == (1, 1)
    assert (loaded[in_autumn.pk].places_taken(), loaded[in_autumn.pk].capacity) == (1, 1)


def test_a_programmes_own_limit_is_said_when_it_is_full(
    make_cohort: MakeCohort, make_mentee: MakeEnrollment, request_text: str
) -> None:
    spring = make_cohort(name="Spring 2027")
    (in_spring,) = _mentor_in([spring], capacity=5)
    Enrollment.objects.filter(pk=in_spring.pk).update(capacity_override=1)
    in_spring.refresh_from_db()
    first = _send(make_mentee(spring).user, in_spring, request_text)
    second = _send(make_mentee(spring).user, in_spring, request_text)
    services.accept_request(request=first, by=in_spring.user)

    with _refused("Spring 2027 sets its own limit of 1 for you"):
        services.accept_request(request=second, by=in_spring.user)


def test_capacity_summary_says_which_limit_applies(
    make_cohort: MakeCohort, make_mentee: MakeEnrollment, request_text: str
) -> None:
    spring, autumn, winter = make_cohort(name="Spring 2027"), make_cohort(), make_cohort()
    in_spring, in_autumn, in_winter = _mentor_in([spring, autumn, winter], capacity=3)
    Enrollment.objects.filter(pk=in_spring.pk).update(capacity_override=1)
    _asked_and_accepted(in_autumn, make_mentee, request_text)
    _asked_and_accepted(in_winter, make_mentee, request_text)

    summary = selectors.capacity_summary(in_spring.user)

    assert summary is not None
    assert summary.lines() == [
        "You mentor 2 of 3 across your programmes",
        "Spring 2027 sets its own limit of 1 (0 taken there)",
    ]


def test_capacity_is_read_in_one_query_however_many_programmes(
    make_cohort: MakeCohort, django_assert_num_queries: Callable[..., object]
) -> None:
    enrollments = _mentor_in([make_cohort() for _ in range(4)], capacity=3)
    user = User.objects.select_related("profile").get(pk=enrollments[0].user_id)

    with django_assert_num_queries(1):  # type: ignore[operator]
        selectors.capacity_summary(user)


def test_role_page_shows_the_capacity_across_programmes(
    client: Client, make_cohort: MakeCohort, make_mentee: MakeEnrollment, request_text: str
) -> None:
    spring, autumn = make_cohort(name="Spring 2027"), make_cohort()
    in_spring, in_autumn = _mentor_in([spring, autumn], capacity=3)
    Profile.objects.filter(user=in_spring.user).update(onboarded_at="2026-01-01T00:00Z")
    Enrollment.objects.filter(pk=in_spring.pk).update(capacity_override=1)
    _asked_and_accepted(in_autumn, make_mentee, request_text)
    client.force_login(in_spring.user)

    for url in (reverse("profiles:role"), reverse("profiles:detail")):
        text = _text(client.get(url))
        assert "You mentor 1 of 3 across your programmes" in text, url
        assert "Spring 2027 sets its own limit of 1" in text, url


# --- The directory and the mentor page say it ---------------------------------------------


@pytest.fixture
def speakers(make_mentor: MakeEnrollment) -> dict[str, Enrollment]:
    return {
        "german": make_mentor(languages=["de"], display_name="Greta German"),
        "both": make_mentor(languages=["en", "de"], display_name="Bea Both"),
        "chinese": make_mentor(languages=["zh"], display_name="Chen Chinese"),
        "spanish": make_mentor(languages=["es"], display_name="Sofia Spanish"),
    }


@pytest.fixture
def english_mentee(make_mentee: MakeEnrollment) -> User:
    return make_mentee(languages=["en"], display_name="Eli English").user


def test_directory_shows_only_mentors_sharing_a_language_by_default(
    client: Client, english_mentee: User, speakers: dict[str, Enrollment]
) -> None:
    client.force_login(english_mentee)

    response = client.get(reverse("matching:directory"))

    assert _card_names(response) == ["Bea Both"]
    assert "You both speak English" in _text(response)
    box = re.search(r'<input[^>]*name="shared_language"[^>]*>', response.content.decode())
    assert box is not None and "checked" in box.group(0)


def test_unticking_the_language_filter_shows_everyone_with_the_reason(
    client: Client, english_mentee: User, speakers: dict[str, Enrollment]
) -> None:
    client.force_login(english_mentee)

    # The form sends its marker and no checkbox when the box is unticked.
    response = client.get(reverse("matching:directory"), {"filtered": "1"})

    assert sorted(_card_names(response)) == sorted(
        ["Greta German", "Bea Both", "Chen Chinese", "Sofia Spanish"]
    )
    text = _text(response)
    assert "No language in common: they speak Chinese" in text
    assert "No language in common: they speak Spanish" in text
    box = re.search(r'<input[^>]*name="shared_language"[^>]*>', response.content.decode())
    assert box is not None and "checked" not in box.group(0)


def test_links_without_the_forms_marker_keep_the_language_filter(
    client: Client, english_mentee: User, speakers: dict[str, Enrollment]
) -> None:
    client.force_login(english_mentee)

    response = client.get(reverse("matching:directory"), {"free_only": "on", "page": "1"})

    assert _card_names(response) == ["Bea Both"]


def test_a_mentee_listing_no_language_sees_everyone_and_how_to_fix_it(
    client: Client, english_mentee: User, speakers: dict[str, Enrollment]
) -> None:
    _speaks(english_mentee)
    client.force_login(english_mentee)

    response = client.get(reverse("matching:directory"))

    assert len(_card_names(response)) == 4
    assert "Your profile lists no languages" in _text(response)


def test_the_language_line_is_each_viewers_own_on_a_cached_card(
    client: Client,
    english_mentee: User,
    make_mentee: MakeEnrollment,
    speakers: dict[str, Enrollment],
) -> None:
    german = make_mentee(languages=["de"]).user
    client.force_login(english_mentee)
    mine = _text(client.get(reverse("matching:directory")))
    client.force_login(german)
    theirs = _text(client.get(reverse("matching:directory")))

    assert "You both speak English" in mine and "You both speak German" not in mine
    assert "You both speak German" in theirs and "You both speak English" not in theirs


def test_mentor_page_says_the_shared_language(
    client: Client, english_mentee: User, speakers: dict[str, Enrollment]
) -> None:
    client.force_login(english_mentee)

    response = client.get(reverse("matching:mentor-detail", args=[speakers["both"].pk]))

    assert response.status_code == 200
    assert "You both speak English" in _text(response)
    assert "Send request" in _text(response)


def test_mentor_page_explains_instead_of_offering_a_request_that_would_be_refused(
    client: Client, english_mentee: User, speakers: dict[str, Enrollment]
) -> None:
    client.force_login(english_mentee)

    response = client.get(reverse("matching:mentor-detail", args=[speakers["chinese"].pk]))

    text = _text(response)
    assert "No language in common: they speak Chinese" in text
    assert "You can't ask Chen Chinese" in text
    assert "Send request" not in text


def test_posting_a_request_without_a_shared_language_shows_the_reason(
    client: Client, english_mentee: User, speakers: dict[str, Enrollment], request_text: str
) -> None:
    client.force_login(english_mentee)

    response = client.post(
        reverse("matching:request-create", args=[speakers["spanish"].pk]),
        {"message": request_text},
    )

    assert response.status_code == 200
    assert "have no language in common: they speak Spanish" in _text(response)
    assert not MentorshipRequest.objects.exists()


def test_accepting_without_a_shared_language_is_refused_with_the_reason(
    client: Client, english_mentee: User, speakers: dict[str, Enrollment], request_text: str
) -> None:
    mentor = speakers["both"]
    request = _send(english_mentee, mentor, request_text)
    _speaks(mentor.user, "de")
    client.force_login(mentor.user)

    response = client.post(reverse("matching:request-accept", args=[request.pk]))

    assert response.status_code == 302
    flashes = [str(m) for m in get_messages(response.wsgi_request)]
    assert "You and Eli English have no language in common" in flashes[0]
    assert not Mentorship.objects.exists()


def test_mentor_page_of_another_programme_is_still_hidden(
    client: Client, english_mentee: User, make_cohort: MakeCohort, make_mentor: MakeEnrollment
) -> None:
    elsewhere = make_mentor(make_cohort(), languages=["en"])
    client.force_login(english_mentee)

    response = client.get(reverse("matching:mentor-detail", args=[elsewhere.pk]))

    assert response.status_code == 404


def test_a_draft_match_run_offers_no_mentor_whose_own_number_is_used_elsewhere(
    make_cohort: MakeCohort, make_mentee: MakeEnrollment, request_text: str
) -> None:
    spring, autumn = make_cohort(), make_cohort()
    in_spring, in_autumn = _mentor_in([spring, autumn], capacity=1)
    Profile.objects.filter(user=in_spring.user).update(onboarded_at="2026-01-01T00:00Z")
    run = MatchRun.objects.create(cohort=autumn, mode="optimal", status="draft")
    assert list(selectors.mentors_with_places(run)) == [in_autumn]

    _asked_and_accepted(in_spring, make_mentee, request_text)

    assert list(selectors.mentors_with_places(run)) == []
