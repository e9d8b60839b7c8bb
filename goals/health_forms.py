from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import CheckAnswer


class CheckAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Is this working?"), choices=CheckAnswer.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the programme team reads this."),
    )
