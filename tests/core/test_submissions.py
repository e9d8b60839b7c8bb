"""Tokens of sent forms are kept a day, then forgotten by a nightly task."""

import uuid
from datetime import timedelta

from django.utils import timezone

import pytest

from core.models import Submission
from core.tasks import forget_old_submissions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_nightly_task_forgets_tokens_older_than_a_day():
    user = UserFactory()
    now = timezone.now()
    old = Submission.objects.create(
        token=uuid.uuid4(), user=user, created_at=now - timedelta(days=1, minutes=1)
    )
    recent = Submission.objects.create(
        token=uuid.uuid4(), user=user, created_at=now - timedelta(hours=23)
    )
    assert forget_old_submissions.apply().get() == 1
    assert list(Submission.objects.all()) == [recent]
    assert not Submission.objects.filter(pk=old.pk).exists()
    assert forget_old_submissions.apply().get() == 0  # safe to run twice
