"""Every URL the project serves is closed to anonymous visitors unless listed here.

The sweep walks the URL configuration, so a view added later is covered without
anyone remembering to write a test for it.
"""

import re

from django.urls import URLPattern, URLResolver, get_resolver, reverse

import pytest

pytestmark = pytest.mark.django_db

# URL names anyone may open without logging in, and why.
PUBLIC = {
    "home",  # the landing page
    "healthz",  # load balancer probe
    "javascript-catalog",  # the words of our scripts, for the pages that visitors see
    "accounts:language",  # a visitor chooses the site's language (a POST)
    # allauth's ways in and back in:
    "account_login",
    "account_signup",
    "account_logout",  # shows "you are logged out" for anonymous visitors
    "account_confirm_email",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_inactive",
    "account_login_code_confirm",
    "account_request_login_code",
    "account_confirm_login_code",
    "account_confirm_password_reset_code",
    "account_email_verification_code",
    # Single sign-on: allauth's pages for a sign-in cancelled or failed at the provider.
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "mfa_authenticate",
    "mfa_trust",
    "mfa_login_webauthn",
    "mfa_signup_webauthn",
    # The API's description and its docs page: every call they describe needs a token.
    "api:schema",
    "api:docs",
}
# The REST API and SCIM take tokens only, never a session: anonymous callers get 401.
TOKEN_ONLY = "api:"


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            for route, name in _walk(entry.url_patterns, prefix + str(entry.pattern)):
                yield route, (namespace + name if name and namespace else name)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def _concrete(route: str) -> str:
    """Turn a route or regex into a path by filling every parameter with a dummy value."""
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x-1", route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"\(\?:[^)]*\)\??", "", path)
    return "/" + path.lstrip("/")


ROUTES = sorted(set(_walk(get_resolver().url_patterns)))


def test_the_sweep_finds_the_project_views():
    names = {name for _, name in ROUTES}
    assert {"dashboard", "profiles:detail", "profiles:onboarding-role", "admin:index"} <= names


# allauth's old addresses of its single sign-on pages, each a permanent redirect to its
# /accounts/3rdparty/ address, which the sweep checks.
LEGACY_PREFIX = "accounts/social/"
NON_PUBLIC = [
    (route, name)
    for route, name in ROUTES
    if name not in PUBLIC and not route.startswith(LEGACY_PREFIX)
]


def test_legacy_single_sign_on_addresses_redirect_to_the_checked_ones(client):
    legacy = [route for route, _ in ROUTES if route.startswith(LEGACY_PREFIX)]
    assert legacy
    for route in legacy:
        response = client.get("/" + route)
        assert response.status_code == 301
        assert response.url.startswith("/accounts/3rdparty/"), response.url


@pytest.mark.parametrize(("route", "name"), NON_PUBLIC, ids=[r for r, _ in NON_PUBLIC])
def test_anonymous_visitors_are_sent_to_login(client, route, name):
    path = _concrete(route)
    if name and name.startswith(TOKEN_ONLY):
        assert client.get(path).status_code == 401, path
        assert client.post(path).status_code in (401, 405), f"POST {path}"
        return
    response = client.get(path, follow=True)
    final = response.request["PATH_INFO"]
    # A dummy id that matches nothing (404) is as closed as a login page.
    assert response.status_code == 404 or final == reverse("account_login"), (
        f"{path} showed an anonymous visitor {final} ({response.status_code})"
    )
    # Writes are closed too: a POST never reaches the view.
    posted = client.post(path)
    assert posted.status_code in (302, 403, 404, 405), f"POST {path}: {posted.status_code}"
    if posted.status_code == 302:
        assert posted.url.startswith((reverse("account_login"), "/admin/")), posted.url


def test_public_pages_answer_anonymous_visitors(client):
    for name in ("home", "healthz", "account_login", "account_signup", "account_reset_password"):
        assert client.get(reverse(name)).status_code == 200, name
