"""Accepting requests at the same moment, on PostgreSQL where row locks are real.

SQLite serialises whole transactions and ignores SELECT ... FOR UPDATE, so these
tests only mean something on PostgreSQL and are skipped elsewhere.
"""

import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction

import pytest

from accounts.models import User
from matching import services
from matching.models import (
    Cohort,
    Enrollment,
    Introduction,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
)
from profiles.models import Profile
from tests.factories import ProfileFactory

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks need PostgreSQL; SQLite serialises transactions instead",
    ),
    # Real commits from several connections; serialized_rollback restores the
    # vocabulary and community cohort that the migrations seeded.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MakeEnrollment = Callable[..., Enrollment]


def _accept_all_at_once(pairs: list[tuple[MentorshipRequest, User]]) -> list[object]:
    """Each (request, mentor) accepted in its own thread, all released together.

    Returns, per pair, the Mentorship or the exception raised.
    """
    barrier = threading.Barrier(len(pairs))
    outcomes: list[object] = [None] * len(pairs)

    def accept(index: int, request: MentorshipRequest, by: User) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.accept_request(request=request, by=by)
        except Exception as exc:  # noqa: BLE001 - the test inspects every kind of failure
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept, args=(i, request, by))
        for i, (request, by) in enumerate(pairs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an accept never finished"
    return outcomes


def _describe(outcomes: list[object]) -> list[str]:
    return [f"{type(o).__name__}: {o}" for o in outcomes]


def test_mentor_with_two_places_accepts_six_requests_at_once_and_gets_exactly_two(
    mentor: User,
    mentor_enrollment: Enrollment,
    make_mentee: MakeEnrollment,
    request_text: str,
) -> None:
    Profile.objects.filter(user=mentor).update(mentor_capacity=2)
    requests = [
        services.send_request(
            mentee=make_mentee().user, mentor_enrollment=mentor_enrollment, message=request_text
        )
        for _ in range(6)
    ]

    outcomes = _accept_all_at_once([(request, mentor) for request in requests])

    won = [o for o in outcomes if isinstance(o, Mentorship)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(won) == 2, _describe(outcomes)
    assert len(refused) == 4, _describe(outcomes)
    for error in refused:
        assert "You have no free places left in this programme" in error.messages[0]
    assert (
        Mentorship.objects.filter(
            mentor_enrollment=mentor_enrollment, status=MentorshipStatus.ACTIVE
        ).count()
        == 2
    )
    mentor_enrollment.refresh_from_db()
    assert mentor_enrollment.places_left() == 0
    statuses = sorted(MentorshipRequest.objects.values_list("status", flat=True))
    assert statuses == sorted([RequestStatus.ACCEPTED] * 2 + [RequestStatus.PENDING] * 4)


def test_a_mentor_accepting_in_three_programmes_at_once_stays_within_their_own_number(
    make_cohort: Callable[..., Cohort],
    make_mentee: MakeEnrollment,
    request_text: str,
) -> None:
    """Their capacity is shared by the programmes: each accept locks another enrollment,
    so the mentor's profile is what makes them queue."""
    person = ProfileFactory(
        wants_mentoring=False, wants_to_mentor=True, mentor_capacity=1, enrolled=False
    ).user
    pairs = []
    for _ in range(3):
        cohort = make_cohort()
        mentee = make_mentee(cohort)
        mentor = Enrollment.objects.create(user=person, cohort=cohort, role="mentor")
        request = MentorshipRequest.objects.create(
            cohort=cohort, mentee_enrollment=mentee, mentor_enrollment=mentor, message=request_text
        )
        pairs.append((request, person))

    outcomes = _accept_all_at_once(pairs)

    won = [o for o in outcomes if isinstance(o, Mentorship)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(won), len(refused)) == (1, 2), _describe(outcomes)
    for error in refused:
        assert "you already mentor 1 of 1 across all your programmes" in error.messages[0]


def test_three_mentors_accepting_one_mentee_at_once_make_one_mentorship_without_deadlock(
    mentee: User,
    make_mentor: MakeEnrollment,
    request_text: str,
) -> None:
    mentors = [make_mentor() for _ in range(3)]
    requests = [
        services.send_request(mentee=mentee, mentor_enrollment=row, message=request_text)
        for row in mentors
    ]

    outcomes = _accept_all_at_once(
        [(request, row.user) for request, row in zip(requests, mentors, strict=True)]
    )

    won = [o for o in outcomes if isinstance(o, Mentorship)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    # Anything else (a deadlock reported as OperationalError, say) fails here.
    assert len(won) == 1, _describe(outcomes)
    assert len(refused) == 2, _describe(outcomes)
    for error in refused:
        assert "This request is already withdrawn" in error.messages[0]
    assert Mentorship.objects.filter(mentee_enrollment__user=mentee).count() == 1
    statuses = sorted(MentorshipRequest.objects.values_list("status", flat=True))
    assert statuses == sorted([RequestStatus.ACCEPTED] + [RequestStatus.WITHDRAWN] * 2)


def test_expiry_is_not_held_up_by_the_mentor_accepting_another_request(
    mentor_enrollment: Enrollment, make_mentee: MakeEnrollment, request_text: str
) -> None:
    due = services.send_request(
        mentee=make_mentee().user, mentor_enrollment=mentor_enrollment, message=request_text
    )
    locked, release = threading.Event(), threading.Event()

    def mentor_busy_accepting() -> None:
        # What accept_request holds while it works: the mentor's enrollment row.
        try:
            with transaction.atomic():
                Enrollment.objects.select_for_update().get(pk=mentor_enrollment.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    busy = threading.Thread(target=mentor_busy_accepting)
    busy.start()
    try:
        assert locked.wait(timeout=10)
        expired = services.expire_requests(now=due.expires_at + timedelta(seconds=1))
    finally:
        release.set()
        busy.join(timeout=30)

    # The request row itself was free: only a second expirer should make us skip it.
    assert expired == 1
    due.refresh_from_db()
    assert due.status == RequestStatus.EXPIRED


def test_the_same_introduction_posted_twice_at_once_is_made_once(
    mentor_enrollment: Enrollment, make_mentee: MakeEnrollment, request_text: str
) -> None:
    mentee = make_mentee()
    request = services.send_request(
        mentee=mentee.user, mentor_enrollment=mentor_enrollment, message=request_text
    )
    mentorship = services.accept_request(request=request, by=mentor_enrollment.user)
    contact = make_mentee().user
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def introduce(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.introduce(
                mentorship=mentorship,
                by=mentor_enrollment.user,
                contact_email=contact.email,
                message="You both care about accessible design.",
            )
        except Exception as exc:  # noqa: BLE001 - the test inspects every kind of failure
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=introduce, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    made = [o for o in outcomes if isinstance(o, Introduction)]
    # Before, the loser of the race raised IntegrityError: a 500 on the page.
    assert len(made) + len(refused) == 2, _describe(outcomes)
    assert len(made) == 1, _describe(outcomes)
    assert Introduction.objects.filter(mentorship=mentorship, contact=contact).count() == 1
    for error in refused:
        assert error.message_dict == {"contact_email": ["You have already introduced them."]}


def test_two_recomputes_of_one_cohort_at_once_take_turns(
    mentor_enrollment: Enrollment, make_mentee: MakeEnrollment
) -> None:
    """Both compute, then write one after the other under the cohort's row lock: the
    second compares with what the first wrote, so no pair is written twice."""
    from matching.models import Suggestion
    from matching.services import suggestions

    for _ in range(3):
        make_mentee()
    cohort = mentor_enrollment.cohort
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def recompute(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = suggestions.recompute_suggestions(cohort=cohort)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recompute, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes[0] == outcomes[1] == 3, outcomes
    assert Suggestion.objects.filter(cohort=cohort).count() == 3
