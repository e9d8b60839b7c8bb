"""Plain helpers for the import and invitation tests: cohorts, programme admins, files.

Helpers rather than a conftest, so that other programmes tests can keep their own.
"""

from typing import Any

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from matching.models import Cohort, Enrollment, Role
from programmes.groups import PROGRAMME_ADMIN_GROUP
from tests.factories import ProfileFactory, UserFactory

_counter = iter(range(1, 1_000_000))


def make_cohort(**fields: Any) -> Cohort:
    n = next(_counter)
    return Cohort.objects.create(
        **{"name": f"Cohort {n}", "slug": f"cohort-{n}", **fields},
    )


def make_programme_admin(*cohorts: Cohort, in_group: bool = True) -> User:
    """Staff, in the "Programme admin" group, listed in each cohort's admins."""
    user = UserFactory(is_staff=True)
    if in_group:
        user.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
    for cohort in cohorts:
        cohort.admins.add(user)
    return user


def enroll(cohort: Cohort, role: Role, **profile: Any) -> Enrollment:
    """An onboarded person enrolled in ``cohort`` only."""
    person = ProfileFactory(
        wants_mentoring=role == Role.MENTEE,
        wants_to_mentor=role == Role.MENTOR,
        enrolled=False,
        **profile,
    )
    return Enrollment.objects.create(user=person.user, cohort=cohort, role=role)


def csv_upload(content: str | bytes, name: str = "people.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")
