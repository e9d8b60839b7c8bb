"""Glue between forms and services, shared by every app's views."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm, ChoiceField, Form, ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def _put_on_form(form: Form, exc: ValidationError) -> None:
    """A broken rule goes next to the field it names, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def apply_service(form: Form, action: Callable[[], Any]) -> Any | None:
    """Run a service; put a broken rule on the form (next to its field when it names
    one) instead of raising. Returns the service's result, or None when it refused."""
    try:
        return action()
    except ValidationError as exc:
        _put_on_form(form, exc)
        return None


def submit_form(
    request: HttpRequest,
    form: Form,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str] = "",
    level: int = messages.SUCCESS,
    then: Any = None,
) -> HttpResponse | None:
    """The POST half of a form view: validate, run the service, say so, redirect.

    ``action`` runs only on a valid form (it may read ``form.cleaned_data``). On success
    ``success`` (text, or made from the service's result) becomes a message and the
    answer is a redirect to ``then`` (anything ``redirect()`` takes, or a callable of the
    result giving that or a response); without ``then``, to the result itself. Returns
    None when the form is invalid or the service refused: the errors are on the form,
    which still holds what was typed, for the caller to render again.
    """
    if not form.is_valid():
        return None
    try:
        result = action()
    except ValidationError as exc:
        _put_on_form(form, exc)
        return None
    text = success(result) if callable(success) else success
    if text:
        messages.add_message(request, level, text)
    target = result if then is None else then(result) if callable(then) else then
    return target if isinstance(target, HttpResponse) else redirect(target)


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
