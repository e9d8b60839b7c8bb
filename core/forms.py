"""Glue between forms and services, shared by every app's views."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.forms import BaseForm, ChoiceField, Form, ModelChoiceField


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


def choice_field(form: BaseForm, name: str) -> ChoiceField:
    """``form.fields[name]`` as the choice field it is declared as, so its options can be
    set per request. Fails loudly if the field has become another kind."""
    field = form.fields[name]
    if not isinstance(field, ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field")
    return field


def model_choice_field(form: BaseForm, name: str) -> ModelChoiceField:
    """``form.fields[name]`` as the model choice field it is declared as, so its queryset
    can be narrowed per request."""
    field = form.fields[name]
    if not isinstance(field, ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    return field
