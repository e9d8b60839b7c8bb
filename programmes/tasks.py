from celery import shared_task


@shared_task(name="programmes.tasks.import_batch")
def import_batch(batch_id: int) -> str:
    # Safe to run twice: each chunk is committed with its progress, under the batch's lock.
    from programmes.services.imports import run_import

    return run_import(batch_id=batch_id)
