"""Every periodic task the beat schedule names is a task the worker knows."""

from django.conf import settings

from mentorship.celery import app as celery_app


def test_every_scheduled_task_is_registered() -> None:
    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "matching.tasks.fail_stuck_runs" in scheduled
    assert scheduled <= set(celery_app.tasks), scheduled - set(celery_app.tasks)
