from datetime import timedelta

from django.utils import timezone

from celery import shared_task

from core.models import Submission

# A retry comes within minutes; a day covers a laptop that slept on a half-sent form.
KEEP = timedelta(days=1)


@shared_task(name="core.forget_old_submissions")
def forget_old_submissions() -> int:
    # Safe to run twice: it only deletes what is old enough either way.
    deleted, _ = Submission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted
