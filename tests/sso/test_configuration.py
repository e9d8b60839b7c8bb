"""Single sign-on is configured from the environment (mentorship/settings.py): each
provider appears when its variables are set, and CSP lets its button reach it. SAML's
service-provider side is checked here too: its metadata and the redirect to the IdP."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.test import Client

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
SSO_VARIABLES = ("OIDC_", "SAML_", "SSO_")


def settings_with(**variables: str) -> dict:
    """The single sign-on settings a process started with these variables reads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SSO_VARIABLES)}
    env |= {"DJANGO_SETTINGS_MODULE": "mentorship.settings", **variables}
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'providers': s.SOCIALACCOUNT_PROVIDERS, "
        "'form_action': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_nothing_configured_offers_no_provider() -> None:
    assert settings_with() == {"providers": {}, "form_action": ["'self'"]}


def test_openid_connect_from_the_environment() -> None:
    found = settings_with(
        OIDC_PROVIDER_ID="acme",
        OIDC_NAME="Acme",
        OIDC_SERVER_URL="https://login.acme.example/tenant/v2.0",
        OIDC_CLIENT_ID="mentorship",
        OIDC_CLIENT_SECRET="s3cret",
    )
    [app] = found["providers"]["openid_connect"]["APPS"]
    assert app["provider_id"] == "acme"
    assert app["name"] == "Acme"
    assert (app["client_id"], app["secret"]) == ("mentorship", "s3cret")
    assert app["settings"]["server_url"] == "https://login.acme.example/tenant/v2.0"
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert app["settings"]["email_authentication"] is True
    assert found["form_action"] == ["'self'", "https://login.acme.example"]


def test_saml_from_the_environment() -> None:
    found = settings_with(
        SAML_ORGANIZATION="acme",
        SAML_NAME="Acme",
        SAML_IDP_ENTITY_ID="https://idp.acme.example/saml",
        SAML_IDP_SSO_URL="https://idp.acme.example/saml/sso",
        SAML_IDP_X509CERT="MIIC...",
    )
    [app] = found["providers"]["saml"]["APPS"]
    assert (app["client_id"], app["name"]) == ("acme", "Acme")
    assert app["settings"]["idp"] == {
        "entity_id": "https://idp.acme.example/saml",
        "sso_url": "https://idp.acme.example/saml/sso",
        "x509cert": "MIIC...",
    }
    assert app["settings"]["verified_email"] is True
    assert found["form_action"] == ["'self'", "https://idp.acme.example"]


# --- SAML's service-provider side ----------------------------------------------------------


def _idp_certificate() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.acme.example")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)


# python3-saml reads the Host header (which the test client leaves out) and refuses a
# single-label name such as "testserver", as a real deployment's never is.
HOST = "mentoring.example.org"


@pytest.fixture
def saml(settings) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "saml": {
            "APPS": [
                {
                    "client_id": "acme",
                    "name": "Acme SAML",
                    "settings": {
                        "idp": {
                            "entity_id": "https://idp.acme.example/saml",
                            "sso_url": "https://idp.acme.example/saml/sso",
                            "x509cert": _idp_certificate(),
                        },
                        "verified_email": True,
                    },
                }
            ]
        }
    }


@pytest.mark.django_db
def test_saml_metadata_names_the_site_as_service_provider(client: Client, saml: None) -> None:
    response = client.get("/accounts/saml/acme/metadata/", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    xml = response.content.decode()
    assert f'entityID="http://{HOST}/accounts/saml/acme/metadata/"' in xml
    assert f'Location="http://{HOST}/accounts/saml/acme/acs/"' in xml


@pytest.mark.django_db
def test_saml_button_sends_the_browser_to_the_idp(client: Client, saml: None) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme SAML" in page
    response = client.post("/accounts/saml/acme/login/?process=login", HTTP_HOST=HOST)
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://idp.acme.example/saml/sso"
    assert "SAMLRequest" in parse_qs(target.query)


@pytest.mark.django_db
def test_unknown_saml_organisation_is_not_found(client: Client, saml: None) -> None:
    assert client.get("/accounts/saml/globex/metadata/").status_code == 404


@pytest.mark.django_db
def test_an_idp_whose_metadata_does_not_answer_gets_a_failure_page(
    client: Client, settings
) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "saml": {
            "APPS": [
                {
                    "client_id": "acme",
                    "name": "Acme SAML",
                    "settings": {
                        "idp": {
                            "entity_id": "https://idp.acme.example/saml",
                            "metadata_url": "http://127.0.0.1:9/metadata",  # nothing listens
                        }
                    },
                }
            ]
        }
    }
    response = client.post("/accounts/saml/acme/login/", HTTP_HOST=HOST)
    assert response.status_code == 503
    assert "Third-Party Login Failure" in response.content.decode()
