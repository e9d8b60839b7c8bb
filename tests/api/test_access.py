"""The access matrix of every API endpoint: anonymous, a bad token, a revoked token, the
token of someone who is no longer staff, the programme admin of the cohort, the admin of
another cohort (404, never the object) and a superuser."""

from collections.abc import Callable
from typing import Any

from django.urls import reverse

import pytest

from api import services as api_services
from api.selectors import may_use_api
from tests.api.conftest import Programme, api, revoked, token_for
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

# (name, method, path of programme A's object, body)
Endpoint = tuple[str, str, Callable[[Programme], str], Callable[[Programme], dict[str, Any]]]


def _none(p: Programme) -> dict[str, Any]:
    return {}


ENDPOINTS: list[Endpoint] = [
    ("cohort-list", "get", lambda p: "/api/v1/cohorts/", _none),
    ("cohort-detail", "get", lambda p: f"/api/v1/cohorts/{p.cohort.pk}/", _none),
    ("cohort-report", "get", lambda p: f"/api/v1/cohorts/{p.cohort.pk}/report/", _none),
    ("enrollment-list", "get", lambda p: "/api/v1/enrollments/", _none),
    ("enrollment-detail", "get", lambda p: f"/api/v1/enrollments/{p.mentor.pk}/", _none),
    ("mentorship-list", "get", lambda p: "/api/v1/mentorships/", _none),
    ("mentorship-detail", "get", lambda p: f"/api/v1/mentorships/{p.mentorship.pk}/", _none),
    ("goal-list", "get", lambda p: "/api/v1/goals/", _none),
    ("goal-detail", "get", lambda p: f"/api/v1/goals/{p.goal.pk}/", _none),
    ("invitation-list", "get", lambda p: "/api/v1/invitations/", _none),
    ("invitation-detail", "get", lambda p: f"/api/v1/invitations/{p.invitation.pk}/", _none),
    (
        "enroll",
        "post",
        lambda p: "/api/v1/enrollments/",
        lambda p: {"cohort": p.cohort.pk, "email": p.outsider_email, "role": "mentee"},
    ),
    (
        "invite",
        "post",
        lambda p: "/api/v1/invitations/",
        lambda p: {"cohort": p.cohort.pk, "email": "fresh@example.org", "role": "mentor"},
    ),
    ("scim-users", "get", lambda p: "/scim/v2/Users", _none),
    ("scim-user", "get", lambda p: f"/scim/v2/Users/{p.mentee.user_id}", _none),
    (
        "scim-user-patch",
        "patch",
        lambda p: f"/scim/v2/Users/{p.mentee.user_id}",
        lambda p: {"Operations": [{"op": "replace", "path": "active", "value": False}]},
    ),
    ("scim-service-provider-config", "get", lambda p: "/scim/v2/ServiceProviderConfig", _none),
]
IDS = [e[0] for e in ENDPOINTS]
# Lists answer 200 to the admin of another cohort, without A's rows; writes to A's
# cohort answer 400 as for a cohort that does not exist; objects answer 404.
LISTS = {"cohort-list", "enrollment-list", "mentorship-list", "goal-list", "invitation-list"}
LISTS |= {"scim-users", "scim-service-provider-config"}
WRITES = {"enroll": 201, "invite": 201}


def _ids_of(p: Programme) -> dict[str, set[int]]:
    return {
        "cohort-list": {p.cohort.pk},
        "enrollment-list": {p.mentor.pk, p.mentee.pk},
        "mentorship-list": {p.mentorship.pk},
        "goal-list": {p.goal.pk},
        "invitation-list": {p.invitation.pk},
    }


@pytest.fixture
def world(a: Programme, b: Programme) -> Programme:
    a.outsider_email = ProfileFactory(enrolled=False).user.email  # type: ignore[attr-defined]
    return a


def _call(client: Any, method: str, path: str, data: dict[str, Any]) -> Any:
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, data, content_type="application/json")


def test_the_matrix_names_every_api_route():
    from tests.test_access_probe import ROUTES

    api_routes = {name for _route, name in ROUTES if name and name.startswith("api:")}
    covered = {f"api:{n}" for n in IDS} | {"api:scim-user", "api:schema", "api:docs"}
    assert api_routes - covered == set()


@pytest.mark.parametrize(("name", "method", "path", "data"), ENDPOINTS, ids=IDS)
def test_anonymous_and_bad_tokens_are_refused(world, name, method, path, data):
    for client in (api(), api("mnt_not-a-token"), api(revoked(world.admin))):
        response = _call(client, method, path(world), data(world))
        assert response.status_code == 401, (name, response.content)
        assert "Bearer" in response["WWW-Authenticate"]


@pytest.mark.parametrize(("name", "method", "path", "data"), ENDPOINTS, ids=IDS)
def test_a_token_whose_owner_is_no_longer_staff_is_refused(world, name, method, path, data):
    secret = token_for(world.admin)
    world.admin.is_staff = False
    world.admin.save(update_fields=["is_staff"])
    response = _call(api(secret), method, path(world), data(world))
    assert response.status_code == 403


def test_members_cannot_have_tokens(world):
    member = world.mentee.user
    assert not may_use_api(member)
    with pytest.raises(api_services.PermissionDenied):
        api_services.create_token(user=member, name="mine")


@pytest.mark.parametrize(("name", "method", "path", "data"), ENDPOINTS, ids=IDS)
def test_the_cohorts_admin_and_a_superuser_are_answered(world, superuser, name, method, path, data):
    for owner in (world.admin, superuser):
        response = _call(api(token_for(owner)), method, path(world), data(world))
        expected = WRITES.get(name, 200)
        if name == "enroll" and owner is superuser:
            expected = 400  # the admin enrolled them a moment ago
        if name == "invite" and owner is superuser:
            expected = 400  # already invited by the admin
        if name == "scim-user-patch" and owner is superuser:
            expected = 200  # deactivating twice changes nothing
        assert response.status_code == expected, (owner, response.content)


@pytest.mark.parametrize(("name", "method", "path", "data"), ENDPOINTS, ids=IDS)
def test_another_cohorts_admin_never_reads_it(world, b, name, method, path, data):
    response = _call(api(token_for(b.admin)), method, path(world), data(world))
    if name in LISTS:
        assert response.status_code == 200
        text = response.content.decode()
        assert world.mentee.user.email not in text
        assert world.invitation.email not in text
        if name.endswith("-list"):
            ids = {row["id"] for row in response.json()["results"]}
            assert ids.isdisjoint(_ids_of(world)[name])
    elif name in WRITES:
        assert response.status_code == 400
        assert response.json() == {"cohort": ["No programme of yours has this id."]}
    else:
        assert response.status_code == 404, response.content
    world.mentee.user.refresh_from_db()
    assert world.mentee.user.is_active


def test_lists_show_only_the_cohorts_of_the_token(world, b, superuser):
    mine = api(token_for(world.admin))
    assert [c["id"] for c in mine.get("/api/v1/cohorts/").json()["results"]] == [world.cohort.pk]
    assert {e["cohort"] for e in mine.get("/api/v1/enrollments/").json()["results"]} == {
        world.cohort.pk
    }
    assert [g["id"] for g in mine.get("/api/v1/goals/").json()["results"]] == [world.goal.pk]
    assert [i["id"] for i in mine.get("/api/v1/invitations/").json()["results"]] == [
        world.invitation.pk
    ]
    everyone = api(token_for(superuser)).get("/api/v1/cohorts/").json()["results"]
    assert {world.cohort.pk, b.cohort.pk} <= {c["id"] for c in everyone}


def test_the_schema_and_docs_are_public(client):
    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200
