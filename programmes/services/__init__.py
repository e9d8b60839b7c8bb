"""The back office's services: imports, invitations, surveys and closing a cohort."""

from collections.abc import Sequence

from django.db import transaction

from accounts.models import User
from matching.models import AuditAction, Cohort
from matching.services import audit


@transaction.atomic
def record_export(*, kind: str, cohorts: Sequence[Cohort], by: User) -> None:
    """Leave one audit entry per cohort: these files carry people's personal data."""
    for cohort in cohorts:
        audit.record(
            actor=by,
            cohort=cohort,
            action=AuditAction.DATA_EXPORTED,
            summary=f"Exported the {kind} of {cohort.name} as CSV",
            details={"kind": kind, "cohorts": [c.pk for c in cohorts]},
        )
