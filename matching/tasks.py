from celery import shared_task

from matching import services


@shared_task(name="matching.tasks.expire_requests")
def expire_requests() -> int:
    # Safe to run twice and to overlap: each request is closed under a row lock.
    return services.expire_requests()
