from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from programmes.models import Invitation


class InvitedSignupForm(forms.Form):
    """A new account for the invited address: the address itself is fixed by the link."""

    name = forms.CharField(
        label=_("Your name"), max_length=80, help_text=_("How you'd like to be shown to others.")
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"name": invitation.name})
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data["password2"]
        if first and first != second:
            raise forms.ValidationError(gettext("The two passwords don't match."))
        if first:
            # The validators compare the password with the address it protects.
            password_validation.validate_password(first, user=User(email=self.invitation.email))
        return second
