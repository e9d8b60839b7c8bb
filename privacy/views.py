"""A person's own data: see what is kept, download it, delete the account."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from allauth.core import ratelimit

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from privacy.services import delete_account, export_data, record_data_download

CONFIRM_WORD = "DELETE"


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.CharField(
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: User, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The word stays DELETE in every language: it is what the form checks.
        self.fields["confirm"].label = gettext("Type %(word)s to confirm") % {"word": CONFIRM_WORD}
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # The same budget as changing a password: a borrowed session must not be
        # able to guess the password here.
        if not ratelimit.consume(self.request, action="change_password", user=self.user):
            raise forms.ValidationError(gettext("Too many attempts. Wait a minute and try again."))
        if not self.user.check_password(password):
            raise forms.ValidationError(gettext("That isn't your current password."))
        return password

    def clean_confirm(self) -> str:
        confirm = self.cleaned_data["confirm"].strip()
        if confirm.upper() != CONFIRM_WORD:
            raise forms.ValidationError(
                gettext("Type %(word)s in capitals to confirm.") % {"word": CONFIRM_WORD}
            )
        return confirm


@login_required
def data(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/data.html")


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = JsonResponse(
        export_data(user=request.user), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    record_data_download(user=request.user)
    filename = f"mentorship-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no shared cache or browser cache keeps a copy.
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        delete_account(user=request.user)
        logout(request)
        messages.success(
            request, gettext("Your account is deleted. Thank you for being part of it.")
        )
        return redirect("home")
    return render(request, "privacy/delete.html", {"form": form})
