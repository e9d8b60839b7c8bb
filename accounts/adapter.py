from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin

from accounts import services
from core.email import language_for
from core.outbox import services as outbox


class AccountAdapter(DefaultAccountAdapter):
    """allauth, customised: its emails go through our outbox; verifying sends a welcome."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = self.request
        ctx = {"email": email, "current_site": self._current_site(request), **context}
        if request is not None:
            ctx["request"] = request
        # In the language of the person it is for, when they have chosen one; else the
        # language of the page they are on (signing up, asking for a new password).
        with translation.override(language_for([email]) or translation.get_language()):
            message = self.render_mail(template_prefix, email, ctx)
            outbox.enqueue_message(message, template=template_prefix)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # A new account keeps the language the person signed up in (their browser's or
        # the one they chose on the page), so their emails speak it too.
        spoken = translation.get_language_from_request(request)
        if spoken in dict(settings.LANGUAGES):
            user.language = spoken
        return super().save_user(request, user, form, commit=commit)

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.send_welcome(user=email_address.user)
        return confirmed

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failed logins per address ("5/5m/key"), so five wrong
        # passwords from anyone locked the owner out for five minutes. Counting per
        # address *and* address of the client slows a guesser (also held to the per-IP
        # limit) without refusing the owner's right password from their own machine.
        # This method is allauth's single place for that key: the throttle, and its
        # reset after a password reset, both read it.
        per_address = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{per_address}:{self.get_client_ip(request)}"

    @staticmethod
    def _current_site(request: HttpRequest | None) -> object:
        from django.contrib.sites.shortcuts import get_current_site

        return get_current_site(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on: an account made on the spot keeps the language of the page, and
    is welcomed like one whose address was verified by link (the provider verified it)."""

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        spoken = translation.get_language_from_request(request)
        if spoken in dict(settings.LANGUAGES):
            sociallogin.user.language = spoken
        user = super().save_user(request, sociallogin, form=form)
        if EmailAddress.objects.filter(user=user, verified=True).exists():
            services.send_welcome(user=user)
        return user
