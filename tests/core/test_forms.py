"""submit_form: the POST half every form view shares."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

import pytest

from core.forms import submit_form


class NoteForm(forms.Form):
    title = forms.CharField(max_length=20)
    body = forms.CharField(required=False)


def _post(**data: str) -> tuple[HttpRequest, NoteForm]:
    request = RequestFactory().post("/notes/", data)
    request._messages = CookieStorage(request)
    return request, NoteForm(request.POST)


def _said(request: HttpRequest) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in messages.get_messages(request)]


def test_an_invalid_form_never_reaches_the_service() -> None:
    request, form = _post(title="")
    calls: list[Any] = []

    assert submit_form(request, form, lambda: calls.append(1), success="Saved.") is None
    assert calls == []
    assert "title" in form.errors
    assert _said(request) == []


def test_a_broken_rule_naming_a_field_stands_next_to_it_and_the_typed_text_stays() -> None:
    request, form = _post(title="Plan", body="Too vague")

    def refuse() -> None:
        raise ValidationError({"body": "Say what done looks like."})

    assert submit_form(request, form, refuse, success="Saved.") is None
    assert form.errors == {"body": ["Say what done looks like."]}
    assert form["body"].value() == "Too vague"
    assert _said(request) == []


def test_a_rule_naming_no_field_or_an_unknown_one_goes_above_the_form() -> None:
    for error in (ValidationError("This mentorship has ended."), ValidationError({"x": "No."})):
        request, form = _post(title="Plan")

        def refuse(error: ValidationError = error) -> None:
            raise error

        assert submit_form(request, form, refuse) is None
        assert form.non_field_errors() == error.messages


def test_success_says_so_and_redirects_to_the_target() -> None:
    request, form = _post(title="Plan")

    response = submit_form(
        request,
        form,
        lambda: form.cleaned_data["title"].upper(),
        success=lambda result: f"Saved {result}.",
        level=messages.INFO,
        then="/notes/done/",
    )

    assert response.status_code == 302
    assert response["Location"] == "/notes/done/"
    assert _said(request) == [(messages.INFO, "Saved PLAN.")]


def test_then_may_build_the_response_from_the_result() -> None:
    request, form = _post(title="Plan")

    response = submit_form(request, form, lambda: 7, then=lambda n: HttpResponse(status=200 + n))

    assert response.status_code == 207
    assert _said(request) == []


def test_a_permission_error_is_not_swallowed() -> None:
    request, form = _post(title="Plan")

    def deny() -> None:
        raise PermissionDenied

    with pytest.raises(PermissionDenied):
        submit_form(request, form, deny)
