from collections.abc import Iterator

import pytest

from tests.sso.oidc import Provider, callback_url, configure, running_provider


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    """One provider for the module's tests: it keeps no state the tests depend on."""
    with running_provider(redirect_uris=[callback_url("http://testserver")]) as provider:
        yield provider


@pytest.fixture
def sso(settings, oidc_provider: Provider) -> Provider:
    """The site offers "Sign in with Acme" through the running provider."""
    configure(settings, oidc_provider)
    return oidc_provider
