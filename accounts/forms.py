"""allauth's forms: signup takes the same time whether the address is known; password
sign-in and reset refuse people whose programme requires single sign-on."""

from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SignupForm as AllauthSignupForm

from accounts import services, sso


class SignupForm(AllauthSignupForm):
    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        # For an address that already has an account allauth only queues an email,
        # while a new account hashes the password: about 40 ms against 390 ms, which
        # told anyone timing the answer who is registered. Hashing here too (and
        # throwing the hash away) makes both answers cost the same.
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)


def _use_single_sign_on(programmes: list[str], request: HttpRequest | None) -> str:
    buttons = sso.sign_in_buttons(request)
    return _(
        "%(programmes)s signs you in through your organisation, not with a password here. "
        "Use “Sign in with %(provider)s” instead."
    ) % {"programmes": ", ".join(programmes), "provider": buttons[0]}


class LoginForm(AllauthLoginForm):
    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        # Only after the right password (self.user is set then): someone who does not
        # know it learns nothing about which programmes an address belongs to.
        user = getattr(self, "user", None)
        if user is not None and (programmes := sso.programmes_requiring(user, self.request)):
            raise ValidationError(_use_single_sign_on(programmes, self.request))
        return cleaned_data


class ResetPasswordForm(AllauthResetPasswordForm):
    users: list[Any]  # set by allauth's clean_email

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        # Whoever asks sees the same page ("we sent you an email"), as for any address.
        # People who sign in through their organisation get an email that says so
        # instead of a reset link: a password would open nothing for them.
        email = self.cleaned_data["email"]
        others = []
        for user in self.users:
            if programmes := sso.programmes_requiring(user, request):
                services.send_single_sign_on_reminder(
                    user=user, programmes=programmes, providers=sso.sign_in_buttons(request)
                )
            else:
                others.append(user)
        if len(others) == len(self.users):
            return super().save(request, **kwargs)
        self.users = others
        if others:
            super().save(request, **kwargs)
        return email


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        # A link sent before the programme required single sign-on sets no password.
        if self.user is not None and (
            programmes := sso.programmes_requiring(self.user, getattr(self, "request", None))
        ):
            raise ValidationError(_use_single_sign_on(programmes, None))
        return cleaned_data
