"""SMART checks with coaching messages: pure functions, shared by forms and services.

Each check returns messages keyed by field, written to help the mentee improve the
goal rather than merely refuse it. The checklist says which of the five criteria a
goal meets so far, so the form can show progress as the mentee types.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Openings that promise effort rather than an outcome.
VAGUE_OPENINGS = (
    "get better",
    "be better",
    "improve",
    "learn more",
    "learn about",
    "work on",
    "get good",
    "become better",
    "know more",
    "understand",
)
MIN_OUTCOME, MIN_PLAN, MIN_RELEVANCE = 30, 40, 30
MIN_MILESTONES = 2


@dataclass
class GoalDraft:
    """What the mentee typed, before it is a Goal."""

    title: str = ""
    outcome: str = ""
    measure: str = ""
    metric_name: str = ""
    metric_unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    plan: str = ""
    relevance: str = ""
    starts_on: date | None = None
    target_date: date | None = None
    milestones: list[tuple[str, date | None]] = field(default_factory=list)


CRITERIA = {
    "specific": ("title", "outcome"),
    "measurable": ("measure", "metric_name", "baseline", "target", "milestones"),
    "achievable": ("plan",),
    "relevant": ("relevance",),
    "time_bound": ("starts_on", "target_date"),
}


def is_vague(title: str) -> bool:
    words = title.lower().split()
    text = " ".join(words)
    return len(words) < 3 or (text.startswith(VAGUE_OPENINGS) and not re.search(r"\d", text))


def check(draft: GoalDraft, *, today: date, programme_ends: date | None) -> dict[str, list[str]]:
    """Every problem with the draft, as coaching messages keyed by field name."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = " ".join(draft.title.split())
    if not title:
        add("title", _("Give the goal a short title."))
    elif is_vague(title):
        add(
            "title",
            _(
                "Say what you will be able to do or show, not what you will work on: for "
                "example 'Lead a design review for my team' instead of 'get better at design'."
            ),
        )
    if len(draft.outcome.strip()) < MIN_OUTCOME:
        add(
            "outcome",
            _(
                "Say a little more (at least %(count)s characters): what will exist, or what "
                "will you have done, once it is reached?"
            )
            % {"count": MIN_OUTCOME},
        )

    if draft.measure == "metric":
        if not draft.metric_name.strip():
            add("metric_name", _("Name what you will count or measure, e.g. 'talks given'."))
        if draft.baseline is None:
            add("baseline", _("Where are you today? Enter the starting value."))
        if draft.target is None:
            add("target", _("Where do you want to get to? Enter the target value."))
        if draft.baseline is not None and draft.baseline == draft.target:
            add("target", _("The target must differ from where you start."))
    elif draft.measure == "milestones":
        named = [(t.strip(), due) for t, due in draft.milestones if t.strip()]
        if len(named) < MIN_MILESTONES:
            add(
                "milestones",
                _("List at least %(count)s milestones in order, so progress is visible.")
                % {"count": MIN_MILESTONES},
            )
        for title_, due in named:
            if due and draft.target_date and due > draft.target_date:
                add(
                    "milestones",
                    _("'%(milestone)s' is due after the goal's target date.")
                    % {"milestone": title_},
                )
            if due and due < today:
                add("milestones", _("'%(milestone)s' is due in the past.") % {"milestone": title_})
    else:
        add(
            "measure",
            _("Choose how you will measure it: a number, or a checklist of milestones."),
        )

    if len(draft.plan.strip()) < MIN_PLAN:
        add("plan", _("Write the first steps and what you need (time, people, resources)."))
    if len(draft.relevance.strip()) < MIN_RELEVANCE:
        add(
            "relevance",
            _(
                "Add a sentence or two (at least %(count)s characters): what does reaching "
                "it open up for you?"
            )
            % {"count": MIN_RELEVANCE},
        )

    if draft.target_date is None:
        add("target_date", _("Pick the date by which you want to reach it."))
    else:
        if draft.target_date <= today:
            add("target_date", _("Pick a date in the future."))
        if programme_ends and draft.target_date > programme_ends:
            add(
                "target_date",
                _("Your programme ends on %(date)s; pick a date before then.")
                % {"date": date_format(programme_ends, "DATE_FORMAT")},
            )
        if draft.starts_on and draft.starts_on > draft.target_date:
            add("starts_on", _("The start must come before the target date."))
    return errors


def check_draft(draft: GoalDraft, *, starts_on: date) -> dict[str, list[str]]:
    """What stops even a draft from being saved: it needs a title, and its dates in order.
    Everything else may wait until it is submitted (see ``check``)."""
    errors: dict[str, list[str]] = {}
    if not draft.title.strip():
        errors["title"] = [_("Give the goal a short title.")]
    if draft.target_date and draft.target_date < starts_on:
        errors["target_date"] = [_("Pick a date in the future.")]
    return errors


def checklist(errors: dict[str, list[str]]) -> dict[str, bool]:
    """Which of the five criteria the draft meets, given its errors."""
    return {
        criterion: not any(name in errors for name in fields)
        for criterion, fields in CRITERIA.items()
    }
