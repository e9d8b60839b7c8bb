from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.http import AuthenticatedHttpRequest
from profiles import selectors, services
from profiles.forms import (
    BaseSkillFormSet,
    EmailSettingsForm,
    EssentialsForm,
    IntentForm,
    skill_formset,
)
from profiles.models import Profile, SkillKind

ONBOARDING_STEPS = [
    ("profiles:onboarding-role", _("Your role")),
    ("profiles:onboarding-about", _("About you")),
    ("profiles:onboarding-skills", _("Skills")),
]


def _profile_or_blank(request: AuthenticatedHttpRequest) -> Profile:
    """The person's profile, or an unsaved one with defaults before step 1 is done."""
    return selectors.profile_for(request.user) or Profile(user=request.user)


def _onboarding_context(step: int) -> dict[str, object]:
    return {"steps": ONBOARDING_STEPS, "step": step, "step_count": len(ONBOARDING_STEPS)}


@login_required
def onboarding_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = selectors.profile_for(request.user)
    if profile is None:
        return redirect("profiles:onboarding-role")
    if profile.is_onboarded:
        return redirect("dashboard")
    if profile.essentials_done_at is None:
        return redirect("profiles:onboarding-about")
    return redirect("profiles:onboarding-skills")


def _save_intent(request: AuthenticatedHttpRequest, form: IntentForm) -> bool:
    try:
        services.save_intent(user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@login_required
def onboarding_role(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = _profile_or_blank(request)
    form = IntentForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid() and _save_intent(request, form):
        return redirect("profiles:onboarding-about")
    return render(
        request, "profiles/onboarding_role.html", {"form": form, **_onboarding_context(1)}
    )


def _save_essentials(form: EssentialsForm, profile: Profile) -> bool:
    try:
        services.save_essentials(
            profile=profile,
            fields=form.profile_fields(),
            languages=form.cleaned_data["languages"],
            site_language=form.cleaned_data["site_language"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@login_required
def onboarding_about(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = selectors.profile_for(request.user)
    if profile is None:
        return redirect("profiles:onboarding-role")
    form = EssentialsForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid() and _save_essentials(form, profile):
        return redirect("profiles:onboarding-skills")
    return render(
        request, "profiles/onboarding_about.html", {"form": form, **_onboarding_context(2)}
    )


def _skill_formsets(request: HttpRequest, profile: Profile) -> dict[str, BaseSkillFormSet]:
    data = request.POST if request.method == "POST" else None
    current = selectors.skill_entries(profile)
    formsets: dict[str, BaseSkillFormSet] = {}
    if profile.wants_to_mentor:
        formsets["expertise"] = skill_formset(
            kind=SkillKind.EXPERTISE,
            data=data,
            current=current[SkillKind.EXPERTISE],
            required=True,
        )
        formsets["expertise"].required_message = gettext("Add at least one skill you can teach.")
    if profile.wants_mentoring:
        formsets["learn"] = skill_formset(
            kind=SkillKind.LEARN, data=data, current=current[SkillKind.LEARN], required=True
        )
        formsets["learn"].required_message = gettext("Add at least one skill you want to learn.")
    return formsets


def _save_skills(profile: Profile, formsets: dict[str, BaseSkillFormSet]) -> None:
    with transaction.atomic():
        for kind, formset in formsets.items():
            services.set_skills(profile=profile, kind=SkillKind(kind), entries=formset.entries())


@login_required
def onboarding_skills(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = selectors.profile_for(request.user)
    if profile is None or profile.essentials_done_at is None:
        return redirect("profiles:onboarding-start")
    formsets = _skill_formsets(request, profile)
    if request.method == "POST" and all(fs.is_valid() for fs in formsets.values()):
        try:
            with transaction.atomic():
                _save_skills(profile, formsets)
                services.complete_onboarding(profile=profile)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Welcome aboard! Your profile is ready."))
            return redirect("dashboard")
    return render(
        request,
        "profiles/onboarding_skills.html",
        {
            "formsets": formsets,
            "skill_options": selectors.skill_names(),
            **_onboarding_context(3),
        },
    )


@login_required
def profile_detail(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = selectors.profile_with_details(request.user)
    return render(request, "profiles/detail.html", {"profile": profile})


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = selectors.profile_for(request.user)
    if profile is None:  # the onboarding middleware sends people without one there first
        return redirect("profiles:onboarding-start")
    form = EssentialsForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid() and _save_essentials(form, profile):
        messages.success(request, gettext("Your profile is saved."))
        return redirect("profiles:detail")
    return render(request, "profiles/edit.html", {"form": form})


@login_required
def profile_role(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = selectors.profile_for(request.user)
    if profile is None:  # the onboarding middleware sends people without one there first
        return redirect("profiles:onboarding-start")
    form = IntentForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid() and _save_intent(request, form):
        messages.success(request, gettext("Your role settings are saved."))
        # Someone who just started mentoring needs expertise before they can be found.
        profile.refresh_from_db(fields=["wants_to_mentor"])
        if profile.wants_to_mentor and not selectors.skill_entries(profile)[SkillKind.EXPERTISE]:
            messages.info(request, gettext("Add the skills you can teach so mentees can find you."))
            return redirect("profiles:skills")
        return redirect("profiles:detail")
    return render(request, "profiles/role.html", {"form": form})


@login_required
def email_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Reached from the footer of every email: the periodic emails can be switched off."""
    profile = selectors.profile_for(request.user)
    form = EmailSettingsForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.set_email_settings(user=request.user, **form.cleaned_data)
        messages.success(request, gettext("Your email settings are saved."))
        return redirect("profiles:email-settings")
    return render(request, "profiles/email_settings.html", {"form": form})


@login_required
def profile_skills(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = selectors.profile_for(request.user)
    if profile is None:  # the onboarding middleware sends people without one there first
        return redirect("profiles:onboarding-start")
    formsets = _skill_formsets(request, profile)
    if request.method == "POST" and all(fs.is_valid() for fs in formsets.values()):
        _save_skills(profile, formsets)
        messages.success(request, gettext("Your skills are saved."))
        return redirect("profiles:detail")
    return render(
        request,
        "profiles/skills.html",
        {"formsets": formsets, "skill_options": selectors.skill_names()},
    )
