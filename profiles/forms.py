import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import choice_field
from profiles.models import (
    FORMAT_FLAGS,
    Language,
    MeetingFormat,
    Profile,
    SkillLevel,
    normalize_skill_name,
    time_zone_names,
)
from profiles.services import SKILL_NAME_MAX, SkillEntry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class _ByShownName(ModelChoiceIterator):
    """The choices in the alphabetical order of their labels in the reader's language
    (spoken languages are stored by their English names)."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        def key(choice: tuple[Any, Any]) -> str:
            # Without accents, so that "Ä" sorts with "A" rather than after "Z".
            plain = unicodedata.normalize("NFKD", str(choice[1]))
            return "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()

        yield from sorted(super().__iter__(), key=key)


class LanguagesField(forms.ModelMultipleChoiceField):
    iterator = _ByShownName


class IntentForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["wants_mentoring", "wants_to_mentor", "mentor_capacity", "is_accepting_requests"]
        labels = {
            "wants_mentoring": _("I want a mentor to help me grow"),
            "wants_to_mentor": _("I want to mentor others"),
        }
        help_texts = {
            "wants_mentoring": _("You'll get mentor suggestions and can send requests."),
            "wants_to_mentor": _("Mentees can find you and ask you; you decide who to accept."),
            "mentor_capacity": _(
                "How many mentees you can support at once, counted across all your "
                "programmes (0–10). A programme may set its own limit for you instead."
            ),
        }
        widgets = {"mentor_capacity": forms.NumberInput(attrs={"min": 0, "max": 10})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("wants_mentoring") or data.get("wants_to_mentor")):
            raise ValidationError(
                _("Choose at least one: find a mentor, mentor others, or both."), code="no_intent"
            )
        return data


class EssentialsForm(forms.ModelForm):
    meeting_formats = forms.MultipleChoiceField(
        label=_("Preferred meeting formats"),
        choices=MeetingFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pick every format that works for you."),
        error_messages={"required": _("Pick at least one way you like to meet.")},
    )
    languages = LanguagesField(
        queryset=Language.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Languages"),
        help_text=_("Languages you can hold a mentoring conversation in."),
        error_messages={"required": _("Pick at least one language you can meet in.")},
    )
    linkedin_url = forms.URLField(
        label=_("LinkedIn profile"),
        required=False,
        assume_scheme="https",
        help_text=_("Optional, e.g. https://www.linkedin.com/in/your-name"),
    )
    # Declared here so that the browser is told the same 1-40 range the server enforces.
    hours_per_month = forms.IntegerField(
        label=_("Hours per month"),
        min_value=1,
        max_value=40,
        help_text=_("Time you can give to mentoring each month (1–40)."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Used to find overlapping working hours. We suggest your browser's."),
    )
    # The account's language (accounts.User.language), asked here with the rest of
    # "when and how you meet"; it starts as the one the site speaks to them now.
    site_language = forms.ChoiceField(
        # Left out (an older form, a script) means unchanged.
        required=False,
        label=_("Language of the site and your emails"),
        help_text=_("Emails from your mentor or mentee reach you in this language too."),
    )

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "headline",
            "job_title",
            "organisation",
            "industry",
            "years_experience",
            "career_stage",
            "languages",
            "time_zone",
            "hours_per_month",
            "career_goals",
            "target_role",
            "wants_broader_perspective",
            "bio",
            "linkedin_url",
        ]
        labels = {
            "display_name": _("Your name"),
            "headline": _("Headline"),
            "organisation": _("Organisation"),
            "industry": _("Industry"),
            "career_stage": _("Career stage"),
            "career_goals": _("Where do you want your career to go?"),
            "target_role": _("Target role"),
            "bio": _("About you"),
        }
        help_texts = {
            "display_name": _("How you'd like to be shown to others."),
            "headline": _("One line, e.g. 'Backend engineer moving into data science'."),
            "job_title": _("What you do today, e.g. 'Product designer' or 'Student'."),
            "organisation": _("Optional. Your employer, school or 'Independent'."),
            "career_goals": _("A few sentences: what you want to achieve in the next year or two."),
            "target_role": _("The role you are working towards, if you have one in mind."),
            "bio": _("Optional. Anything that helps a match get to know you."),
        }
        widgets = {
            "career_goals": forms.Textarea(attrs={"rows": 3}),
            "bio": forms.Textarea(attrs={"rows": 4}),
            "years_experience": forms.NumberInput(attrs={"min": 0, "max": 60}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "time_zone").choices = [
            (tz, tz.replace("_", " ")) for tz in time_zone_names()
        ]
        choice_field(self, "site_language").choices = list(settings.LANGUAGES)
        user = getattr(self.instance, "user", None)
        self.fields["site_language"].initial = (
            getattr(user, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
        )
        self.fields["time_zone"].widget.attrs["data-suggest-browser-zone"] = (
            "true" if not self.instance.essentials_done_at else "false"
        )
        for name in [
            "display_name",
            "headline",
            "job_title",
            "industry",
            "years_experience",
            "career_stage",
            "hours_per_month",
        ]:
            self.fields[name].required = True
        # Mentees are matched on where they want to go, so it is required of them.
        if self.instance.wants_mentoring:
            self.fields["career_goals"].required = True
        if not self.is_bound:
            self.initial["meeting_formats"] = self.instance.meeting_formats
            if self.instance.pk:
                self.initial["languages"] = list(self.instance.languages.all())

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if len(name) < 2:
            raise ValidationError(gettext("Enter at least two characters."))
        return name

    def clean_career_goals(self) -> str:
        goals = self.cleaned_data["career_goals"].strip()
        if goals and len(goals) < 20:
            raise ValidationError(
                gettext(
                    "Say a little more (at least 20 characters): it is how mentors understand you."
                )
            )
        return goals

    def clean_linkedin_url(self) -> str:
        url = self.cleaned_data["linkedin_url"].strip()
        if not url:
            return ""
        host = (urlsplit(url).hostname or "").lower()
        if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
            raise ValidationError(
                gettext("Enter a LinkedIn address, e.g. https://www.linkedin.com/in/you.")
            )
        return url

    def profile_fields(self) -> dict[str, Any]:
        """Model field values for the service, with meeting formats spread into their flags."""
        fields = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {"languages", "meeting_formats", "site_language"}
        }
        chosen = set(self.cleaned_data["meeting_formats"])
        for fmt, flag in FORMAT_FLAGS.items():
            fields[flag] = fmt.value in chosen
        return fields


class SkillRowForm(forms.Form):
    name = forms.CharField(
        label=_("Skill"),
        required=False,
        max_length=SKILL_NAME_MAX,
        widget=forms.TextInput(attrs={"list": "skill-options", "autocomplete": "off"}),
    )
    level = forms.TypedChoiceField(
        label=_("Level"), choices=SkillLevel.choices, coerce=int, initial=SkillLevel.SOLID
    )

    def clean_name(self) -> str:
        name = normalize_skill_name(self.cleaned_data["name"])
        if name and not any(ch.isalpha() for ch in name):
            raise ValidationError(gettext("A skill name needs at least one letter."))
        return name


class BaseSkillFormSet(forms.BaseFormSet):
    required_message: "StrOrPromise" = _("Add at least one skill.")

    def __init__(self, *args: Any, required: bool = False, **kwargs: Any) -> None:
        self.required = required
        super().__init__(*args, **kwargs)

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            name = form.cleaned_data.get("name")
            if not name:
                continue
            if name.lower() in seen:
                form.add_error("name", gettext("You already listed this skill."))
            seen.add(name.lower())
        if self.required and not seen:
            raise ValidationError(self.required_message)

    def entries(self) -> list[SkillEntry]:
        return [
            SkillEntry(name=form.cleaned_data["name"], level=form.cleaned_data["level"])
            for form in self.forms
            if form.cleaned_data.get("name")
        ]


# formset_factory returns a subclass of the formset it is given; its stub says only
# "some BaseFormSet", losing our `required` argument and `entries()`.
SkillFormSet = cast(
    type[BaseSkillFormSet],
    forms.formset_factory(
        SkillRowForm,
        formset=BaseSkillFormSet,
        extra=0,
        max_num=15,
        absolute_max=15,
        validate_max=True,
    ),
)


def skill_formset(
    *, kind: str, data: Any = None, current: list[SkillEntry], required: bool, blank_rows: int = 3
) -> BaseSkillFormSet:
    initial = [{"name": e.name, "level": e.level} for e in current]
    initial += [{"name": "", "level": SkillLevel.SOLID}] * max(blank_rows, 1)
    # A submitted formset is read as typed: with `initial`, Django would skip rows
    # that equal the stored skills ("unchanged") and the save would drop them.
    return SkillFormSet(
        data, prefix=kind, initial=None if data is not None else initial[:15], required=required
    )


class EmailSettingsForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["email_reminders", "email_digest", "email_check_ins"]
        # Said here, not on the model: the field's meaning grew, its column did not.
        help_texts = {
            "email_check_ins": "Two weeks into a mentorship, and then monthly: is it working?",
        }
