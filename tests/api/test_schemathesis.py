"""schemathesis fuzzes the served OpenAPI schema with a programme admin's token: every
operation, with valid and invalid input, answers without a 500 and within the schema
(status codes, content types, bodies, headers).

Runs through the WSGI application in the test's own database transaction, on a world of
two programmes (the token runs one). Examples are bounded (``MAX_EXAMPLES`` per
operation) so the whole file takes well under two minutes.
"""

from collections.abc import Iterator
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mentorship.wsgi import application
from tests.api.conftest import Programme, token_for
from tests.factories import ProfileFactory

MAX_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    # The WSGI handler closes database connections when a request ends, as in
    # production; here that would be the test's own, inside its transaction (Django's
    # test client disconnects the same receiver).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(a: Programme, b: Programme, settings) -> str:
    # The fuzzer sends hundreds of requests a minute; the rate limit has its own test.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "100000/min"},
    }
    return token_for(a.admin, "schemathesis")


def _operations() -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_to_its_schema(api_token: str, mode: GenerationMode) -> None:
    # schemathesis' pytest plugin (from_fixture) does not run under pytest 9, so each
    # operation's examples are drawn here, with Hypothesis, one operation after another.
    headers = {"Authorization": f"Bearer {api_token}"}
    operations = _operations()
    assert len(operations) >= 12

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()


def test_real_objects_answer_within_the_schema(a: Programme, api_token: str) -> None:
    """Random ids rarely name a real object: each operation once more with A's own ids
    and a valid body, so the 200 and 201 answers are checked against the schema too."""
    ids = {
        "/api/v1/cohorts/{id}/": a.cohort.pk,
        "/api/v1/cohorts/{id}/report/": a.cohort.pk,
        "/api/v1/enrollments/{id}/": a.mentee.pk,
        "/api/v1/mentorships/{id}/": a.mentorship.pk,
        "/api/v1/goals/{id}/": a.goal.pk,
        "/api/v1/invitations/{id}/": a.invitation.pk,
    }
    person = ProfileFactory(enrolled=False).user
    bodies = {
        "/api/v1/enrollments/": {"cohort": a.cohort.pk, "email": person.email, "role": "mentee"},
        "/api/v1/invitations/": {"cohort": a.cohort.pk, "email": "x@example.org", "role": "mentor"},
    }
    answered = set()
    for operation in _operations():
        kwargs: dict[str, Any] = {}
        if operation.path in ids:
            kwargs["path_parameters"] = {"id": ids[operation.path]}
        if operation.method.lower() == "post":
            kwargs["body"] = bodies[operation.path]
            kwargs["media_type"] = "application/json"
        case = operation.Case(**kwargs)
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS
        )
        answered.add(response.status_code)
    assert answered == {200, 201}
