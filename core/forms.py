"""Glue between forms and services, shared by every app's views."""

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import BaseForm, ChoiceField, Form, ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from core.models import Submission

ALREADY_SENT = _("This form was already sent. Reload the page to send it again.")


class OnceForm(forms.Form):
    """A form that creates something: it carries a one-time token, so that posting it
    twice (a double click, a retry after a timeout) creates once (see submit_form).

    The token is taken out of ``cleaned_data``, which views hand to their services."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)
    submission_token: uuid.UUID | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        raw = str(self.cleaned_data.pop("submission", "") or "")
        try:
            self.submission_token = uuid.UUID(raw)
        except ValueError:  # missing or tampered with: the post is simply not deduplicated
            self.submission_token = None
        return self.cleaned_data


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

    An ``OnceForm`` is run once per token, in one transaction with its service: a second
    post of the same form, at once or later, changes nothing and is sent where the first
    one was sent.
    """
    if not form.is_valid():
        return None
    token = form.submission_token if isinstance(form, OnceForm) else None
    user_id = getattr(getattr(request, "user", None), "pk", None)
    if token is None or user_id is None:
        return _run(request, form, action, success=success, level=level, then=then)
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Waits for a first post of the same token still in flight, then fails.
                first = Submission.objects.create(token=token, user_id=user_id)
        except IntegrityError:
            done = Submission.objects.filter(token=token, user_id=user_id).first()
            if done is None or not done.redirect_to:
                # Someone else's token (a tampered form): say so, keep what was typed.
                form.add_error(None, ALREADY_SENT)
                return None
            return redirect(done.redirect_to)
        response = _run(request, form, action, success=success, level=level, then=then)
        if response is None:
            transaction.set_rollback(True)  # refused: the same token may be posted again
        elif response.has_header("Location"):
            first.redirect_to = response["Location"]
            first.save(update_fields=["redirect_to"])
        return response


def _run(
    request: HttpRequest,
    form: Form,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    level: int,
    then: Any,
) -> HttpResponse | None:
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
