"""The survey form: two scores, progress on goals and an optional comment."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import Role
from programmes.models import GoalProgress, SurveyResponse


class SurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the programme so far?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 is very dissatisfied, 5 is very satisfied."),
        error_messages={"required": _("Choose how satisfied you are, from 1 to 5.")},
    )
    recommend = forms.TypedChoiceField(
        label=_("How likely are you to recommend the programme to a friend or colleague?"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("0 is not at all likely, 10 is extremely likely."),
        error_messages={"required": _("Choose how likely you are to recommend it, from 0 to 10.")},
    )
    goal_progress = forms.TypedChoiceField(
        label=_("How far have your goals come?"),
        choices=GoalProgress.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how far the goals have come.")},
    )
    comments = forms.CharField(
        label=_("Anything you would like to tell the programme team? (optional)"),
        required=False,
        max_length=SurveyResponse._meta.get_field("comments").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, role: str = Role.MENTEE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if role == Role.MENTOR:
            self.fields["goal_progress"].label = _("How far have your mentees' goals come?")
