from celery import shared_task

from webhooks import services


@shared_task(name="webhooks.deliver")
def deliver_webhook(delivery_id: int) -> bool:
    # Safe to run twice: deliver() posts a row until it is delivered, then never again.
    return services.deliver(delivery_id)


@shared_task(name="webhooks.sweep")
def sweep_webhooks() -> int:
    return services.sweep()
