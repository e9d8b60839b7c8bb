"""Choosing the site's language, for visitors and signed-in people alike; allauth's single
sign-on buttons, answering politely when the identity provider is down."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.openid_connect import views as openid_connect_views
from allauth.socialaccount.providers.saml import views as saml_views

from accounts import services


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """Switch language and stay on the same page.

    A signed-in person keeps the choice on their account (their emails follow it);
    everyone also gets Django's language cookie, so the choice holds after signing out.
    An unknown language changes nothing."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        services.set_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _provider_unreachable(request: HttpRequest, provider: object, error: OSError) -> HttpResponse:
    # allauth's "Third-Party Login Failure" page, as when the provider refuses a sign-in.
    response = render_authentication_error(request, provider, exception=error)
    response.status_code = 503
    return response


def sign_in_with_openid_connect(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's OpenID Connect button. It reads the provider's discovery document first;
    a provider that is down or unreachable gets allauth's failure page, not a 500."""
    try:
        return openid_connect_views.login(request, provider_id)
    except OSError as error:  # requests' errors are OSErrors
        provider = get_adapter().get_provider(request, provider_id)
        return _provider_unreachable(request, provider, error)


def sign_in_with_saml(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's SAML button; an IdP whose metadata address does not answer gets
    allauth's failure page, not a 500."""
    try:
        return saml_views.login(request, organization_slug=organization_slug)
    except OSError as error:  # urllib's URLError, requests' errors
        provider = get_adapter().get_provider(request, "saml", client_id=organization_slug)
        return _provider_unreachable(request, provider, error)
