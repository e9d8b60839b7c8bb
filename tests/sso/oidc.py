"""A real OpenID Connect provider for the tests (tests/sso/provider.mjs, panva's
oidc-provider under Node), started on a free loopback port and stopped afterwards, and
the settings that point the site at it."""

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
PROVIDER_ID = "acme"
PROVIDER_NAME = "Acme"
CLIENT_ID = "mentorship-tests"
CLIENT_SECRET = "tests-only-client-secret"
# The provider's people: login → claims. Any password signs them in at the provider.
USERS: dict[str, dict[str, Any]] = {
    "ada": {
        "email": "ada@acme.example",
        "email_verified": True,
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
    },
    "grace": {"email": "grace@acme.example", "email_verified": True, "name": "Grace Hopper"},
    # The provider does not vouch for this address.
    "mallory": {"email": "mallory-target@acme.example", "email_verified": False},
}


def callback_url(base: str) -> str:
    return urljoin(base, f"/accounts/oidc/{PROVIDER_ID}/login/callback/")


@dataclass(frozen=True)
class Provider:
    issuer: str


@contextmanager
def running_provider(*, redirect_uris: list[str]) -> Iterator[Provider]:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "The single sign-on tests need Node.js and the oidc-provider package: "
            "run `npm ci` (make test does).",
            pytrace=False,
        )
    env = {
        "PATH": str(Path(node).parent),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_USERS": json.dumps(USERS),
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "issuer <url>", once it serves
        if not line.startswith("issuer "):
            pytest.fail(f"the OpenID Connect provider did not start: {line!r}", pytrace=False)
        yield Provider(issuer=line.split()[1])
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def configure(settings: Any, provider: Provider) -> None:
    """Point the site at the provider, as OIDC_* environment variables would."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": PROVIDER_NAME,
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {
                        "server_url": provider.issuer,
                        "oauth_pkce_enabled": True,
                        "email_authentication": True,
                    },
                }
            ]
        }
    }
    csp = deepcopy(settings.CONTENT_SECURITY_POLICY)
    csp["DIRECTIVES"]["form-action"] = ["'self'", provider.issuer]
    settings.CONTENT_SECURITY_POLICY = csp


def sign_in_at_provider(authorize_url: str, *, login: str) -> str:
    """What a person does at the provider's own pages (its development login and consent
    forms), done over HTTP: returns the address it sends them back to, on the site."""
    session = requests.Session()
    response = session.get(authorize_url, allow_redirects=True, timeout=10)
    for form in ("login", "consent"):
        # The interaction page posts to its own address plus "/login" or "/confirm".
        action = _form_action(response.text)
        data = {"prompt": form}
        if form == "login":
            data |= {"login": login, "password": "any"}
        response = session.post(urljoin(response.url, action), data=data, allow_redirects=False)
        while response.is_redirect:
            target = urljoin(response.url, response.headers["location"])
            if urlsplit(target).netloc != urlsplit(authorize_url).netloc:
                return target
            response = session.get(target, allow_redirects=False)
    raise AssertionError(f"the provider did not send the person back: {response.text[:500]}")


def _form_action(html: str) -> str:
    found = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)
