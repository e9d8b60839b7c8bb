"""The programme audit log: who ran, edited or published a match run, imported a file,
closed a cohort or changed the weights.

Services call ``record`` inside their own transaction, so an action that rolls back
leaves no entry behind. Entries are never edited afterwards (the admin is read-only).
"""

import json
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.models import User
from matching.models import AuditAction, AuditEntry, Cohort

# A CharField always has a max_length; the stubs allow any field here.
SUMMARY_LENGTH = cast(int, AuditEntry._meta.get_field("summary").max_length)


def record(
    *,
    actor: User | None,
    cohort: Cohort | None,
    action: str,
    summary: str,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry. ``details`` may hold dates and decimals: they are stored
    as the JSON the admin shows."""
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}.")
    # An anonymous or unsaved actor (a task, a management command) is recorded as nobody.
    actor_id = getattr(actor, "pk", None)
    return AuditEntry.objects.create(
        cohort=cohort,
        actor_id=actor_id,
        action=action,
        summary=_shorten(summary),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        details=json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder)),
    )


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"
