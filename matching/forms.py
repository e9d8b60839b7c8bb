from typing import Any

from django import forms
from django.forms.renderers import Jinja2
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import OnceForm, model_choice_field
from matching.models import (
    MAX_PREFERENCES,
    Cohort,
    DeclineReason,
    Enrollment,
    MentorshipStatus,
    Role,
)
from matching.selectors import SORTS
from matching.services import MIN_REQUEST_MESSAGE
from profiles.models import Industry, Language, MeetingFormat, Skill


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids that are not small positive integers before the database sees them.

    Django checks only that values convert to int; a 30-digit id then overflows
    SQLite's integer and the page fails instead of the filter being dropped. The digits
    are ASCII and at most 18 of them: int() refuses "²" and numbers of 4,300+ digits.
    """

    def _check_values(self, value: Any) -> Any:
        for pk in value or ():
            if not (str(pk).isascii() and str(pk).isdigit() and len(str(pk)) <= 18):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        # A private Django method, so the stubs do not declare it.
        return super()._check_values(value)  # type: ignore[misc]


class DirectoryFilterForm(forms.Form):
    """The directory's filters. Read from the query string; bad values are dropped."""

    # Its selects hold every skill and language the listed mentors have, hundreds of
    # <option>s: Django's Jinja2 form renderer writes the same widgets as the default
    # one (tests/test_form_renderer.py) in a third of the time, which was a third of the
    # directory page. Crispy's layout around each widget stays a Django template.
    default_renderer = Jinja2()  # one instance: it compiles each widget template once

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    skills = IdMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.none(),
        required=False,
        # The native multi-select is what submits; static/js/tag-picker.js turns it into a
        # searchable picker and swaps the Ctrl-click hint for data-picker-help.
        widget=forms.SelectMultiple(
            attrs={
                "data-tag-picker": "skills",
                "data-picker-placeholder": _("Type a skill"),
                "data-picker-help": _(
                    "Mentors who can teach any of these. Type to search; pick as many as you like."
                ),
            }
        ),
        help_text=_("Mentors who can teach any of these. Hold Ctrl (⌘ on a Mac) to pick several."),
    )
    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", _("Any industry")), *Industry.choices], required=False
    )
    language = forms.ModelChoiceField(
        queryset=Language.objects.all(),
        label=_("Language"),
        required=False,
        empty_label=_("Any language"),
    )
    overlap = forms.TypedChoiceField(
        label=_("Working hours overlap"),
        choices=[
            ("", _("Any time zone")),
            ("2", _("2+ hours")),
            ("4", _("4+ hours")),
            ("6", _("6+ hours")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    meeting_format = forms.ChoiceField(
        label=_("Meets by"),
        choices=[("", _("Any format")), *MeetingFormat.choices],
        required=False,
    )
    free_only = forms.BooleanField(label=_("Has a free place"), required=False)
    shared_language = forms.BooleanField(
        label=_("Speaks a language I speak"),
        required=False,
        initial=True,
        help_text=_("Untick to see mentors you share no language with, too."),
    )
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        label=_("Cohort"),
        required=False,
        empty_label=_("All my programmes"),
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=list(SORTS.items()), required=False)

    # A hidden input the form sends with every submission (templates/matching/directory.html).
    SUBMITTED = "filtered"
    # What the bare page (no query string) filters by.
    DEFAULTS: dict[str, Any] = {"shared_language": True}

    def __init__(
        self,
        *args: Any,
        cohort_ids: list[int],
        skill_choices: list[tuple[int, str]],
        language_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        """``skill_choices``: (id, name) of the skills the listed mentors teach, the only
        ones worth offering; ``language_choices``: (code, name) of every language. The
        directory keeps both in memory: the options render without a query, and the
        querysets only check what was submitted."""
        if args and args[0] is not None and self.SUBMITTED not in args[0]:
            # An address not made by this form (a page link, "see mentors with free
            # places"): the shared-language filter stays on, as on the bare page. An
            # unticked box sends nothing, so only the form's own marker can say "off".
            data = args[0].copy()
            data["shared_language"] = "on"
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        model_choice_field(self, "cohort").queryset = Cohort.objects.filter(pk__in=cohort_ids)
        skills = model_choice_field(self, "skills")
        skills.queryset = Skill.objects.filter(pk__in=[pk for pk, _ in skill_choices])
        skills.widget.choices = skill_choices
        self.fields["language"].widget.choices = [("", gettext("Any language")), *language_choices]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            # Keep what is valid; a tampered value should not empty the directory.
            return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return self.cleaned_data


class RequestForm(OnceForm):
    message = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=MIN_REQUEST_MESSAGE,
        max_length=3000,
        help_text=format_lazy(
            _(
                "Why this mentor, and what you hope to achieve together. A few sentences "
                "(at least {count} characters) help them say yes."
            ),
            count=MIN_REQUEST_MESSAGE,
        ),
        error_messages={
            "min_length": (
                _(
                    "Tell them a bit more: at least %(limit_value)d characters "
                    "(you have %(show_value)d)."
                )
            ),
        },
    )
    first_goal = forms.CharField(
        label=_("A first goal idea (optional)"),
        required=False,
        max_length=300,
        help_text=_("For example: 'Lead a design review at work by March'."),
    )


class MessageForm(OnceForm):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        error_messages={"required": _("Write a message first.")},
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick the reason closest to yours.")},
    )
    note = forms.CharField(
        label=_("A kind word (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the mentee. A suggestion of who else to ask goes a long way."),
    )


class EndMentorshipForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (MentorshipStatus.COMPLETED, _("We reached what we set out to do")),
            (MentorshipStatus.ENDED_EARLY, _("It's ending early")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("What happened?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when ending early; shown to the other side."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("outcome") == MentorshipStatus.ENDED_EARLY
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", gettext("Say briefly why it is ending early."))
        return data


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("5 is excellent. Only programme admins see your feedback."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IntroductionForm(OnceForm):
    contact_email = forms.EmailField(
        label=_("Their email"),
        help_text=_("Someone in one of your programmes. They accept before anything is shared."),
    )
    message = forms.CharField(
        label=_("Why they should meet"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class JoinCohortForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.joinable(), widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    invite_code = forms.CharField(label=_("Invite code"), required=False, max_length=40)


class AcceptingForm(forms.Form):
    accepting = forms.BooleanField(required=False)


class PreferenceForm(forms.Form):
    """Add someone to, or take them off, one's ranked choices. ``chosen`` is narrowed
    per request to the people of the chooser's cohort they may list."""

    chosen = forms.ModelChoiceField(
        queryset=Enrollment.objects.none(),
        error_messages={"invalid_choice": _("That person can't be chosen here.")},
    )


class MovePreferenceForm(PreferenceForm):
    """Give a listed person another place: it names the place, so a repeat is harmless."""

    rank = forms.IntegerField(min_value=1, max_value=MAX_PREFERENCES)
