"""Deprovisioning through SCIM: the identity provider sets ``active: false`` and the
person can no longer sign in, their mentorships end kindly (the other side emailed
once), their open requests close, and the audit log says who did it."""

from django.test import Client
from django.urls import reverse

import pytest

from core.outbox.models import OutboxEmail
from matching.models import (
    AuditAction,
    AuditEntry,
    EnrollmentStatus,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
    Role,
)
from matching.services import send_request
from matching.services.deactivation import deactivate_person
from tests.api.conftest import Programme, api, token_for
from tests.factories import PASSWORD, REQUEST_MESSAGE, UserFactory
from tests.programmes.people import enroll

pytestmark = pytest.mark.django_db

SCIM = "application/scim+json"
DEACTIVATE = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "replace", "path": "active", "value": False}],
}


def _patch(client: Client, user_id: int, body: dict) -> object:
    return client.patch(f"/scim/v2/Users/{user_id}", body, content_type=SCIM)


def _ended_emails(to: str) -> int:
    return sum(1 for e in OutboxEmail.objects.filter(template="mentorship_ended") if to in e.to)


def test_a_deactivated_mentor_cannot_sign_in_and_their_mentee_is_told_kindly_once(
    a: Programme,
):
    mentor, mentee = a.mentor.user, a.mentee.user
    # Someone else's request to the mentor is still open: it closes too.
    other = enroll(a.cohort, Role.MENTEE)
    request = send_request(mentee=other.user, mentor_enrollment=a.mentor, message=REQUEST_MESSAGE)
    client = api(token_for(a.admin))

    response = _patch(client, mentor.pk, DEACTIVATE)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(SCIM)
    assert response.json()["active"] is False
    a.mentorship.refresh_from_db()
    assert a.mentorship.status == MentorshipStatus.ENDED_EARLY
    assert "nothing to do with you" in a.mentorship.end_reason
    assert _ended_emails(mentee.email) == 1
    assert _ended_emails(mentor.email) == 0
    email = OutboxEmail.objects.get(template="mentorship_ended")
    assert "The programme has closed your mentorship" in email.body_text
    assert MentorshipRequest.objects.get(pk=request.pk).status == RequestStatus.DECLINED
    # Not deletion: the enrollment and everything written stay.
    a.mentor.refresh_from_db()
    assert a.mentor.status == EnrollmentStatus.ACTIVE
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_DEACTIVATED)
    assert (entry.actor, entry.cohort, entry.object_id) == (a.admin, a.cohort, mentor.pk)

    # The identity provider asks again: nothing more happens.
    assert _patch(client, mentor.pk, DEACTIVATE).status_code == 200
    assert _ended_emails(mentee.email) == 1
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_DEACTIVATED).count() == 1

    signing_in = Client()
    login = {"login": mentor.email, "password": PASSWORD}
    answer = signing_in.post(reverse("account_login"), login)
    assert answer.status_code == 302
    assert answer.url == reverse("account_inactive")
    assert "_auth_user_id" not in signing_in.session


def test_a_deactivated_persons_open_session_ends(a: Programme):
    browser = Client()
    browser.force_login(a.mentee.user)
    assert browser.get(reverse("dashboard")).status_code == 200
    deactivate_person(user=a.mentee.user, by=a.admin)
    assert browser.get(reverse("dashboard")).status_code == 302


def test_delete_deactivates_and_active_true_brings_the_person_back(a: Programme):
    client = api(token_for(a.admin))
    mentee = a.mentee.user
    assert client.delete(f"/scim/v2/Users/{mentee.pk}").status_code == 204
    mentee.refresh_from_db()
    assert not mentee.is_active
    back = client.put(
        f"/scim/v2/Users/{mentee.pk}",
        {"userName": mentee.email, "active": "True"},
        content_type=SCIM,
    )
    assert back.status_code == 200 and back.json()["active"] is True
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_REACTIVATED).count() == 1
    a.mentorship.refresh_from_db()
    assert a.mentorship.status == MentorshipStatus.ENDED_EARLY  # ended stays ended


def test_filter_by_username_finds_one_person(a: Programme, b: Programme):
    client = api(token_for(a.admin))
    found = client.get("/scim/v2/Users", {"filter": f'userName eq "{a.mentee.user.email.upper()}"'})
    assert found.json()["totalResults"] == 1
    assert found.json()["Resources"][0]["id"] == str(a.mentee.user_id)
    # Someone of programme B is not found by A's admin, as if they did not exist.
    other = client.get("/scim/v2/Users", {"filter": f'userName eq "{b.mentee.user.email}"'})
    assert other.json()["totalResults"] == 0
    missing = client.get(f"/scim/v2/Users/{b.mentee.user_id}")
    assert missing.status_code == 404
    assert missing.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert missing.json()["status"] == "404"
    bad = client.get("/scim/v2/Users", {"filter": 'displayName co "x"'})
    assert bad.status_code == 400 and bad.json()["scimType"] == "invalidFilter"


def test_only_a_superuser_creates_accounts(a: Programme, superuser):
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "Li@Example.org"}
    refused = api(token_for(a.admin)).post("/scim/v2/Users", body, content_type=SCIM)
    assert refused.status_code == 403
    client = api(token_for(superuser))
    created = client.post("/scim/v2/Users", body, content_type=SCIM)
    assert created.status_code == 201
    assert created.json()["userName"] == "li@example.org"
    again = client.post("/scim/v2/Users", body, content_type=SCIM)
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"


def test_nobody_deactivates_themselves_or_strangers(a: Programme, b: Programme):
    client = api(token_for(a.admin))
    assert _patch(client, b.mentee.user_id, DEACTIVATE).status_code == 404
    stranger = UserFactory()
    assert _patch(client, stranger.pk, DEACTIVATE).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


def test_bad_patches_answer_scim_errors(a: Programme):
    client = api(token_for(a.admin))
    for body in (
        {},
        {"Operations": "x"},
        {"Operations": [{"op": "remove", "path": "active"}]},
        {"Operations": [{"op": "replace", "path": "active", "value": "maybe"}]},
    ):
        response = _patch(client, a.mentee.user_id, body)
        assert response.status_code == 400, body
        assert response.json()["status"] == "400"
    a.mentee.user.refresh_from_db()
    assert a.mentee.user.is_active


def test_an_account_made_by_scim_sets_its_password_through_the_reset_email(superuser):
    created = api(token_for(superuser)).post(
        "/scim/v2/Users", {"userName": "new@example.org"}, content_type=SCIM
    )
    assert created.status_code == 201
    # No password yet: the person signs in through SSO, or sets one by the reset email.
    Client().post(reverse("account_reset_password"), {"email": "new@example.org"})
    reset = OutboxEmail.objects.get(to=["new@example.org"])
    assert "/accounts/password/reset/key/" in reset.body_text
