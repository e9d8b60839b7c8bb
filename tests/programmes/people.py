"""Plain helpers for the import and invitation tests: enrollments and files.

Helpers rather than a conftest, so that other programmes tests can keep their own.
"""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from matching.models import Cohort, Enrollment, Role
from tests.factories import ProfileFactory


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
