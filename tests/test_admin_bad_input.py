"""Bad input in any admin list's address gets a 400 or a plain page, never a 500."""

from django.contrib import admin
from django.urls import reverse

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _changelists() -> list[tuple[str, object]]:
    return [
        (f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist", model_admin)
        for model, model_admin in admin.site._registry.items()
    ]


def _parameters(model_admin: object) -> list[str]:
    names = ["q", "o", "p", "cohort"]
    for item in getattr(model_admin, "list_filter", ()):
        field = item[0] if isinstance(item, tuple) else item
        if isinstance(field, str):
            names += [f"{field}__exact", field, f"{field}__isnull"]
        else:
            names.append(getattr(field, "parameter_name", "x") or "x")
    hierarchy = getattr(model_admin, "date_hierarchy", None)
    if hierarchy:
        names += [f"{hierarchy}__year", f"{hierarchy}__month", f"{hierarchy}__day"]
    return names


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("value", ["a\x00b", "99999999999", "💥"])
def test_no_admin_list_answers_500_to_a_bad_parameter(superuser_client, value):
    failures = []
    for url_name, model_admin in _changelists():
        url = reverse(url_name)
        for name in _parameters(model_admin):
            response = superuser_client.get(url, {name: value})
            if response.status_code >= 500:
                failures.append(f"{url}?{name}={value!r}")
    assert failures == []


def test_a_huge_year_in_a_date_drill_down_is_refused_plainly(superuser_client):
    url = reverse("admin:outbox_outboxemail_changelist")
    response = superuser_client.get(url, {"created_at__year": "99999999999"})
    assert response.status_code in (200, 302, 400)
    response = superuser_client.get(
        url, {"created_at__year": "2026", "created_at__month": "99", "created_at__day": "1"}
    )
    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("admin:profiles_profile_add", {"user": "abc"}),
        ("admin:matching_enrollment_add", {"user": "abc"}),
        (
            "admin:profiles_profile_add",
            {"skills-TOTAL_FORMS": "1", "skills-0-skill": "abc"},
        ),
    ],
)
def test_an_autocomplete_field_posted_a_value_that_is_no_id_is_a_form_error(
    superuser_client, url_name, data
):
    form = {"skills-TOTAL_FORMS": "0", "skills-INITIAL_FORMS": "0"}
    response = superuser_client.post(reverse(url_name), {**form, **data})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_nul_byte_in_any_address_is_a_400(client):
    assert client.get("/healthz", {"q": "\x00"}).status_code == 400
    assert client.get("/healthz", {"\x00": "x"}).status_code == 400
    assert client.get("/invitations/%00/").status_code == 404
    assert client.get("/healthz").status_code == 200
