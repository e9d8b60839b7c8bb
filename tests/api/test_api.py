"""What the API answers, writes and refuses; its tokens; its costs."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from api.models import ApiToken, hash_secret
from core.outbox.models import OutboxEmail
from matching.models import Enrollment, Role
from programmes.models import Invitation
from tests.api.conftest import Programme, api, goal_in, pair_in, token_for
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_goals_show_status_and_progress_but_never_their_words(a: Programme):
    response = api(token_for(a.admin)).get(f"/api/v1/goals/{a.goal.pk}/")
    goal = response.json()
    assert goal["status"] == "in_progress" and goal["progress_percent"] == 0
    text = response.content.decode()
    for private in (a.goal.title, a.goal.outcome, a.goal.plan, a.goal.relevance):
        assert private not in text
    assert (
        "Private agenda words"
        not in api(token_for(a.admin))
        .get(f"/api/v1/mentorships/{a.mentorship.pk}/")
        .content.decode()
    )


def test_enrolling_someone_with_an_account_by_email(a: Programme):
    client = api(token_for(a.admin))
    person = ProfileFactory(enrolled=False).user
    response = client.post(
        "/api/v1/enrollments/",
        {"cohort": a.cohort.pk, "email": person.email.upper(), "role": "mentor"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Enrollment.objects.filter(user=person, cohort=a.cohort, role=Role.MENTOR).exists()
    again = client.post(
        "/api/v1/enrollments/",
        {"cohort": a.cohort.pk, "email": person.email, "role": "mentor"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "already enrolled" in again.json()["email"][0]
    nobody = client.post(
        "/api/v1/enrollments/",
        {"cohort": a.cohort.pk, "email": "nobody@example.org", "role": "mentor"},
        content_type="application/json",
    )
    assert nobody.status_code == 400 and "Invite the person" in nobody.json()["email"][0]


def test_inviting_sends_the_invitation_email(a: Programme):
    response = api(token_for(a.admin)).post(
        "/api/v1/invitations/",
        {"cohort": a.cohort.pk, "email": "Kim@Example.org", "role": "mentor", "capacity": 2},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    invitation = Invitation.objects.get(pk=response.json()["id"])
    assert (invitation.email, invitation.capacity, invitation.invited_by) == (
        "kim@example.org",
        2,
        a.admin,
    )
    assert OutboxEmail.objects.filter(template="invitation", to=["kim@example.org"]).count() == 1


def test_lists_filter_and_cap_their_page_size(a: Programme):
    client = api(token_for(a.admin))
    mentors = client.get("/api/v1/enrollments/", {"role": "mentor"}).json()
    assert [e["id"] for e in mentors["results"]] == [a.mentor.pk]
    by_email = client.get("/api/v1/enrollments/", {"email": a.mentee.user.email.upper()}).json()
    assert [e["id"] for e in by_email["results"]] == [a.mentee.pk]
    assert client.get("/api/v1/mentorships/", {"status": "nonsense"}).status_code == 400
    assert client.get("/api/v1/goals/", {"cohort": 2**70}).status_code == 400
    for _ in range(3):
        pair_in(a.cohort)
    page = client.get("/api/v1/enrollments/", {"page_size": 10_000, "page": 1}).json()
    assert page["count"] == 8 and len(page["results"]) == 8
    small = client.get("/api/v1/enrollments/", {"page_size": 3}).json()
    assert len(small["results"]) == 3 and small["next"]
    assert client.get("/api/v1/enrollments/", {"page": 99}).status_code == 404


def test_each_token_is_rate_limited(a: Programme, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "3/min"},
    }
    first, second = api(token_for(a.admin)), api(token_for(a.admin, "second"))
    assert [first.get("/api/v1/cohorts/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/cohorts/").status_code == 200


def test_tokens_store_a_hash_and_record_their_use(a: Programme):
    secret = token_for(a.admin)
    token = ApiToken.objects.get()
    assert secret.startswith("mnt_") and secret not in str(token.__dict__)
    assert token.secret_hash == hash_secret(secret) and secret.startswith(token.prefix)
    assert token.last_used_at is None
    api(secret).get("/api/v1/cohorts/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_admin_makes_a_token_in_the_admin_sees_it_once_and_revokes_it(a: Programme, client):
    client.force_login(a.admin)
    add = reverse("admin:api_apitoken_add")
    assert client.get(add).status_code == 200
    shown = client.post(add, {"name": "Workday"})
    assert shown.status_code == 200
    secret = re.search(r'value="(mnt_[^"]+)"', shown.content.decode())[1]
    assert "no-store" in shown["Cache-Control"]
    assert api(secret).get("/api/v1/cohorts/").status_code == 200
    token = ApiToken.objects.get(name="Workday")
    assert token.user == a.admin
    listing = client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert "Workday" in listing and secret not in listing
    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert api(secret).get("/api/v1/cohorts/").status_code == 401


def test_an_admin_sees_only_their_own_tokens(a: Programme, b: Programme, client):
    token_for(b.admin, "B's secret integration")
    client.force_login(a.admin)
    listing = client.get(reverse("admin:api_apitoken_changelist"))
    assert listing.status_code == 200
    assert "B&#x27;s secret integration" not in listing.content.decode()
    assert "secret integration" not in listing.content.decode()


# --- Query counts ---------------------------------------------------------------------


LISTS = [
    "/api/v1/cohorts/",
    "/api/v1/enrollments/",
    "/api/v1/mentorships/",
    "/api/v1/goals/",
    "/api/v1/invitations/",
    "/scim/v2/Users",
]


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", LISTS)
def test_a_page_costs_the_same_queries_as_the_data_grows(a: Programme, path):
    client = api(token_for(a.admin))
    client.get(path)  # last_used_at is written once a minute: not part of the count
    before = _queries(client, path)
    for _ in range(4):
        _mentor, _mentee, mentorship = pair_in(a.cohort)
        goal_in(mentorship)
    assert _queries(client, path) == before


def test_the_report_costs_the_same_queries_as_the_data_grows(a: Programme):
    client = api(token_for(a.admin))
    path = f"/api/v1/cohorts/{a.cohort.pk}/report/"
    client.get(path)
    before = _queries(client, path)
    for _ in range(4):
        _mentor, _mentee, mentorship = pair_in(a.cohort)
        goal_in(mentorship)
    assert _queries(client, path) == before


def test_a_programme_admin_who_never_onboarded_reads_the_docs(a: Programme, client):
    client.force_login(a.admin)  # staff without a profile, like most programme admins
    assert client.get(reverse("api:docs")).status_code == 200
    assert client.get(reverse("api:schema")).status_code == 200


def test_an_address_with_a_nul_byte_is_refused_in_json(a: Programme):
    """Refused before any view runs, yet in the JSON the schema documents for errors."""
    client = api(token_for(a.admin))
    response = client.get("/api/v1/goals/?page_size=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    # The site's own pages keep their plain answer.
    assert api().get("/?q=%00")["Content-Type"].startswith("text/plain")
