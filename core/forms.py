"""Glue between forms and services, shared by every app's views."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.forms import Form


def apply_service(form: Form, action: Callable[[], Any]) -> Any | None:
    """Run a service; put a broken rule on the form (next to its field when it names
    one) instead of raising. Returns the service's result, or None when it refused."""
    try:
        return action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None
