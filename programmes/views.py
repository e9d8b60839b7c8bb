from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from accounts.models import User
from core.forms import apply_service
from matching.models import Role
from profiles.models import Profile
from programmes.invitation_forms import InvitedSignupForm
from programmes.models import Invitation
from programmes.services import invitations


def _after_joining(user: User) -> str:
    """Onboarding first for someone new; their dashboard for everyone else."""
    if Profile.objects.filter(user=user, onboarded_at__isnull=False).exists():
        return reverse("dashboard")
    return reverse("profiles:onboarding-start")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """One link, every situation: accept, sign up, log in first, or the wrong account.

    The token is the credential, so anyone holding it sees this page; an unknown token
    is a 404 like any other missing page.
    """
    invitation = get_object_or_404(Invitation.objects.select_related("cohort"), token=token)
    context: dict[str, object] = {"invitation": invitation, "cohort": invitation.cohort}
    user = request.user
    if invitation.is_accepted:
        context["is_mine"] = user.is_authenticated and invitation.accepted_by_id == user.pk
        return render(request, "programmes/invitation_used.html", context)

    if user.is_authenticated:
        if not invitations.email_matches(invitation, user):
            context["invited_email"] = invitations.masked(invitation.email)
            return render(request, "programmes/invitation_wrong_account.html", context)
        if request.method == "POST":
            try:
                enrollment = invitations.accept_invitation(invitation=invitation, user=user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                words = {"cohort": enrollment.cohort.name}
                if enrollment.role == Role.MENTOR:
                    joined = gettext("You joined %(cohort)s as mentor.") % words
                else:
                    joined = gettext("You joined %(cohort)s as mentee.") % words
                messages.success(request, joined)
                return redirect(_after_joining(user))
        return render(request, "programmes/invitation_accept.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        next_url = urlencode({"next": invitation.get_absolute_url()})
        context["login_url"] = f"{reverse('account_login')}?{next_url}"
        return render(request, "programmes/invitation_login.html", context)

    is_post = request.method == "POST"
    form = InvitedSignupForm(request.POST if is_post else None, invitation=invitation)
    if is_post and form.is_valid():
        data = form.cleaned_data
        new_user = apply_service(
            form,
            lambda: invitations.sign_up_invited(
                invitation=invitation, name=data["name"], password=data["password1"]
            ),
        )
        if new_user is not None:
            login(request, new_user, backend="profiles.auth.ModelBackend")
            messages.success(
                request,
                gettext(
                    "Welcome! You joined %(cohort)s. Tell us a little about yourself to get "
                    "started."
                )
                % {"cohort": invitation.cohort.name},
            )
            return redirect(_after_joining(new_user))
    return render(request, "programmes/invitation_signup.html", {**context, "form": form})
