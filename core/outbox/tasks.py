from celery import shared_task

from core.outbox import services


@shared_task(name="outbox.deliver_email")
def deliver_email(outbox_id: int) -> bool:
    # Safe to run twice: deliver() sends a row at most once.
    return services.deliver(outbox_id)


@shared_task(name="outbox.sweep_outbox")
def sweep_outbox() -> int:
    return services.sweep()
