import uuid
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import OnceForm, choice_field
from goals import smart
from goals.models import CLOSED, TRANSITIONS, Goal, MeasureKind

MAX_MILESTONES = 12
Row = tuple[str, str]


class MilestonesWidget(forms.Widget):
    """Rows of title + due date, posted as ``<name>-<i>-title`` / ``<name>-<i>-due``.

    A plain ``<name>`` with one milestone per line is accepted too, for scripts and for
    browsers that post the older form.
    """

    blank_rows = 2

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[Row]:
        rows = [
            (
                str(data.get(f"{name}-{i}-title", "")).strip(),
                str(data.get(f"{name}-{i}-due", "")).strip(),
            )
            for i in range(MAX_MILESTONES)
        ]
        if not any(f"{name}-{i}-title" in data for i in range(MAX_MILESTONES)):
            rows = [(line.strip(), "") for line in str(data.get(name, "")).splitlines()]
        return [row for row in rows if row[0] or row[1]]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}-0-title" not in data

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        rows = [
            (title, due.isoformat() if isinstance(due, date) else (due or ""))
            for title, due in (value or [])
        ]
        count = min(MAX_MILESTONES, max(3, len(rows) + self.blank_rows))
        rows += [("", "")] * (count - len(rows))
        return render_to_string(
            "goals/_milestones_widget.html",
            {"name": name, "rows": rows, "invalid": "is-invalid" in (attrs or {}).get("class", "")},
        )


class MilestonesField(forms.Field):
    """An ordered list of (title, due date or None); due dates are optional."""

    widget = MilestonesWidget

    def to_python(self, value: Any) -> list[tuple[str, date | None]]:
        milestones: list[tuple[str, date | None]] = []
        problems: list[str] = []
        for number, (title, due) in enumerate(value or [], start=1):
            if not title:
                problems.append(
                    gettext("Milestone %(number)s has a date but no title.") % {"number": number}
                )
            elif len(title) > 200:
                problems.append(
                    gettext("Milestone %(number)s: keep the title under 200 characters.")
                    % {"number": number}
                )
            elif "\x00" in title:
                # Read straight from the POST, so no CharField refuses it: PostgreSQL would.
                problems.append(
                    gettext("Milestone %(number)s: null characters are not allowed.")
                    % {"number": number}
                )
            try:
                parsed = date.fromisoformat(due) if due else None
            except ValueError:
                problems.append(
                    gettext("Milestone %(number)s: enter the due date as YYYY-MM-DD.")
                    % {"number": number}
                )
                parsed = None
            milestones.append((title, parsed))
        if len(milestones) > MAX_MILESTONES:
            problems.append(
                gettext("Keep to %(count)s milestones at most.") % {"count": MAX_MILESTONES}
            )
        if problems:
            raise ValidationError(problems)
        return milestones


# The fields that only a measure of one kind uses: ignored (and cleared) for the other.
METRIC_FIELDS = ("metric_name", "metric_unit", "baseline", "target")
MEASURE_FIELDS = {"metric": ("milestones",), "milestones": METRIC_FIELDS}
EMPTY: dict[str, Any] = {"milestones": [], "baseline": None, "target": None}
SUBMIT = "submit"


class GoalForm(OnceForm):
    """The SMART goal form. Its checks are goals.smart's, so the coaching is the same
    here, in the service, and in the live checklist.

    Two buttons: "Save draft" needs only a title; "Submit for review" needs every SMART
    check to pass. Either way a field shows one message, the one that still applies."""

    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("What you will be able to do or show, e.g. 'Give a talk at a meetup'."),
        error_messages={"required": _("Give the goal a short title.")},
    )
    outcome = forms.CharField(
        label=_("What exactly will be achieved"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Describe the result so anyone could tell when it is done."),
    )
    measure = forms.ChoiceField(
        label=_("How will you measure it?"),
        required=False,
        choices=MeasureKind.choices,
        widget=forms.RadioSelect,
    )
    # Labelled for people whose browser shows every field (no scripts): with scripts,
    # only the chosen measure's fields show.
    metric_name = forms.CharField(
        label=_("What you will count (for a number)"), max_length=80, required=False
    )
    metric_unit = forms.CharField(label=_("Unit (for a number)"), max_length=30, required=False)
    baseline = forms.DecimalField(
        label=_("Where you are today (for a number)"),
        required=False,
        max_digits=12,
        decimal_places=2,
    )
    target = forms.DecimalField(
        label=_("Target (for a number)"), required=False, max_digits=12, decimal_places=2
    )
    milestones = MilestonesField(
        label=_("Milestones, in order (for a checklist)"),
        required=False,
        help_text=_(
            "One per row, in the order you will do them; due dates are optional "
            "but help you and your mentor see what is late. Leave spare rows empty."
        ),
    )
    plan = forms.CharField(
        label=_("Plan, resources and first steps"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    relevance = forms.CharField(
        label=_("Why it matters"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How this moves you towards the career goals on your profile."),
    )
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        # ISO in every language: a date input takes nothing else (German would be 23.02.2027).
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, programme_ends: date | None, today: date, **kwargs: Any):
        self.programme_ends, self.today = programme_ends, today
        super().__init__(*args, **kwargs)

    @property
    def is_submit(self) -> bool:
        """Whether the person pressed "Submit for review" rather than "Save draft"."""
        return self.is_bound and self.data.get("intent") == SUBMIT

    @classmethod
    def initial_for(cls, goal: Goal) -> dict[str, Any]:
        fields = {name: getattr(goal, name) for name in GOAL_INITIAL}
        fields["milestones"] = [(m.title, m.due_on) for m in goal.milestones.all()]
        return fields

    @classmethod
    def initial_from_idea(cls, idea: str) -> dict[str, Any]:
        """A first goal started from the idea in the mentee's request: as the title, and
        in full as the outcome when it is too long for one."""
        idea = " ".join(idea.split())
        if not idea:
            return {}
        title_field = cls.base_fields["title"]
        limit = title_field.max_length if isinstance(title_field, forms.CharField) else None
        if limit is None or len(idea) <= limit:
            return {"title": idea}
        return {"title": Truncator(idea).chars(limit), "outcome": idea}

    @classmethod
    def data_for(cls, goal: Goal, *, submit: bool = False) -> dict[str, str]:
        """The saved goal as the form posts it: bound to this, the form checks the goal
        as it stands, with every field holding what the mentee typed."""
        data = {name: _posted(getattr(goal, name)) for name in GOAL_INITIAL}
        for i, milestone in enumerate(goal.milestones.all()):
            data[f"milestones-{i}-title"] = milestone.title
            data[f"milestones-{i}-due"] = _posted(milestone.due_on)
        # A fresh token, as an unbound form would carry: the next post is deduplicated.
        data["submission"] = str(uuid.uuid4())
        data["intent"] = SUBMIT if submit else "draft"
        return data

    def draft(self) -> smart.GoalDraft:
        data = self.cleaned_data
        return smart.GoalDraft(
            title=data.get("title") or "",
            outcome=data.get("outcome") or "",
            measure=data.get("measure") or "",
            metric_name=data.get("metric_name") or "",
            metric_unit=data.get("metric_unit") or "",
            baseline=data.get("baseline"),
            target=data.get("target"),
            plan=data.get("plan") or "",
            relevance=data.get("relevance") or "",
            target_date=data.get("target_date"),
            milestones=list(data.get("milestones") or []),
        )

    def smart_errors(self) -> dict[str, list[str]]:
        """Every SMART problem with what was typed, valid fields or not: what the live
        checklist shows, and what a submission is refused for."""
        self.is_valid()
        errors = smart.check(self.draft(), today=self.today, programme_ends=self.programme_ends)
        for name in self.errors:
            if name in self.fields:
                # The field's own error ("not a date") replaces the coaching: one message.
                errors[name] = [str(e) for e in self.errors[name]]
        return errors

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # The other measure's fields are ignored: whatever they hold, nothing to fix there.
        for name in MEASURE_FIELDS.get(data.get("measure") or "", ()):
            self.errors.pop(name, None)
            data[name] = EMPTY.get(name, "")
        if self.is_submit:
            errors = smart.check(self.draft(), today=self.today, programme_ends=self.programme_ends)
        else:
            errors = smart.check_draft(self.draft(), starts_on=self.today)
        for name, messages in errors.items():
            if name in self.errors:
                continue  # the field's own error ("not a date") says it already
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return data


def _posted(value: Any) -> str:
    """A value as a browser posts it: text (a date as YYYY-MM-DD), empty for nothing."""
    return "" if value is None else str(value)


GOAL_INITIAL = (
    "title",
    "outcome",
    "measure",
    "metric_name",
    "metric_unit",
    "baseline",
    "target",
    "plan",
    "relevance",
    "target_date",
)


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when asking for changes: say what to improve."),
    )


class ProgressForm(OnceForm):
    value = forms.DecimalField(
        label=_("New value"), required=False, max_digits=12, decimal_places=2
    )
    milestones = forms.MultipleChoiceField(
        label=_("Milestones finished"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, goal: Goal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if goal.measure == MeasureKind.METRIC:
            del self.fields["milestones"]
            self.fields["value"].label = gettext("New value of %(metric)s") % {
                "metric": goal.metric_name
            }
        else:
            del self.fields["value"]
            choice_field(self, "milestones").choices = [
                (str(m.pk), m.title) for m in goal.milestones.all() if not m.done_at
            ]


class CloseForm(forms.Form):
    """How a goal ended. Only the endings its status allows are offered: a goal that has
    not started can only be abandoned."""

    ENDINGS = [(status.value, status.label) for status in CLOSED]

    outcome = forms.ChoiceField(
        label=_("How did it end?"), choices=ENDINGS, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("A word about it (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, goal: Goal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if goal is not None:
            choice_field(self, "outcome").choices = [
                (value, label)
                for value, label in self.ENDINGS
                if (goal.status, value) in TRANSITIONS
            ]


class CommentForm(OnceForm):
    body = forms.CharField(
        label=_("Comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 2})
    )
