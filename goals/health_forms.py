from django import forms

from goals.models import CheckAnswer


class CheckAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Is this working?", choices=CheckAnswer.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Anything to add? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the programme team reads this.",
    )
