"""Assertions many test files share: a refused service call, and the emails it queued."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from django.core.exceptions import PermissionDenied, ValidationError

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from core.outbox.models import OutboxEmail
from tests.factories import TOTP_SECRET


def emails(template: str) -> list[OutboxEmail]:
    """The emails queued from ``template``, oldest first."""
    return list(OutboxEmail.objects.filter(template=template).order_by("pk"))


@contextmanager
def refused(
    snapshot: Callable[[], object],
    phrase: str = "",
    *,
    field: str | None = None,
    error: type[Exception] = ValidationError,
) -> Iterator[None]:
    """The block raises ``error`` saying ``phrase`` (on ``field``, when given) and
    ``snapshot()`` (counts or rows the test file cares about) is the same afterwards."""
    before = snapshot()
    with pytest.raises(error) as caught:
        yield
    if field is not None:
        assert field in caught.value.message_dict, caught.value
        said = caught.value.message_dict[field]
        assert any(phrase in m for m in said), said
    elif phrase:
        assert any(phrase in m for m in caught.value.messages), caught.value.messages
    assert snapshot() == before


def denied(snapshot: Callable[[], object]) -> AbstractContextManager[None]:
    """The block raises PermissionDenied and changes nothing ``snapshot()`` sees."""
    return refused(snapshot, error=PermissionDenied)


def totp_code(secret: str | None = None) -> str:
    """The code an authenticator app shows now for ``secret`` (the factories' staff
    secret by default), as a person would type it at sign-in."""
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret or TOTP_SECRET, counter))
