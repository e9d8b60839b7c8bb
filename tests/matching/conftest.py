"""Fixtures for the matching tests: cohorts, enrollments, requests and mentorships."""

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from matching.models import Cohort, Enrollment, Mentorship, MentorshipRequest, Role
from matching.services import accept_request, default_cohort, send_request
from tests.factories import CohortFactory, EnrollmentFactory, ProfileFactory

# Comfortably above MIN_REQUEST_MESSAGE, and distinctive enough to find in an email.
REQUEST_MESSAGE = (
    "Hello! I am preparing my first conference talk about migrating a monolith and "
    "would love your help structuring it and rehearsing the hard questions."
)


@pytest.fixture
def request_text() -> str:
    return REQUEST_MESSAGE


@pytest.fixture
def community(db: None) -> Cohort:
    return default_cohort()


@pytest.fixture
def make_cohort(db: None) -> Callable[..., Cohort]:
    def make(**fields: Any) -> Cohort:
        return CohortFactory(**fields)

    return make


def _enrollment(user: User, cohort: Cohort | None, role: Role) -> Enrollment:
    if cohort is None or cohort.is_default:
        return Enrollment.objects.get(user=user, cohort=default_cohort(), role=role)
    return EnrollmentFactory(user=user, cohort=cohort, role=role)


@pytest.fixture
def make_mentor(db: None) -> Callable[..., Enrollment]:
    """A mentor's enrollment: in the community cohort, or only in ``cohort`` when given."""

    def make(cohort: Cohort | None = None, **profile: Any) -> Enrollment:
        in_community = cohort is None or cohort.is_default
        person = ProfileFactory(
            wants_mentoring=False, wants_to_mentor=True, enrolled=in_community, **profile
        )
        return _enrollment(person.user, cohort, Role.MENTOR)

    return make


@pytest.fixture
def make_mentee(db: None) -> Callable[..., Enrollment]:
    """A mentee's enrollment: in the community cohort, or only in ``cohort`` when given."""

    def make(cohort: Cohort | None = None, **profile: Any) -> Enrollment:
        in_community = cohort is None or cohort.is_default
        person = ProfileFactory(
            wants_mentoring=True, wants_to_mentor=False, enrolled=in_community, **profile
        )
        return _enrollment(person.user, cohort, Role.MENTEE)

    return make


@pytest.fixture
def mentor_enrollment(mentor: User) -> Enrollment:
    return Enrollment.objects.get(user=mentor, cohort=default_cohort(), role=Role.MENTOR)


@pytest.fixture
def mentee_enrollment(mentee: User) -> Enrollment:
    return Enrollment.objects.get(user=mentee, cohort=default_cohort(), role=Role.MENTEE)


@pytest.fixture
def stranger(db: None) -> User:
    """Onboarded, in the community cohort, but no part of the request or mentorship at hand."""
    return ProfileFactory(wants_mentoring=True, wants_to_mentor=True).user


@pytest.fixture
def pending_request(
    mentee: User, mentee_enrollment: Enrollment, mentor_enrollment: Enrollment
) -> MentorshipRequest:
    return send_request(mentee=mentee, mentor_enrollment=mentor_enrollment, message=REQUEST_MESSAGE)


@pytest.fixture
def mentorship(pending_request: MentorshipRequest, mentor: User) -> Mentorship:
    return accept_request(request=pending_request, by=mentor)
