from contextlib import nullcontext

from django.utils import translation

from celery import shared_task


@shared_task(name="programmes.tasks.import_batch")
def import_batch(batch_id: int) -> str:
    # Safe to run twice: each chunk is committed with its progress, under the batch's lock.
    from programmes.models import ImportBatch
    from programmes.services.imports import run_import

    # The notes it leaves on rows (and why it failed) are read by whoever applied it.
    language = (
        ImportBatch.objects.filter(pk=batch_id)
        .values_list("applied_by__language", flat=True)
        .first()
    )
    with translation.override(language) if language else nullcontext():
        return run_import(batch_id=batch_id)
