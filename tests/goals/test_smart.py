"""The SMART checks: every rule, the field it lands on, and the coaching words it uses."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

import pytest

from goals.smart import CRITERIA, GoalDraft, check, checklist, is_vague
from tests.goals.conftest import days, metric_draft, milestones_draft

TODAY = timezone.localdate


def _check(draft: GoalDraft, *, programme_ends: date | None = None) -> dict[str, list[str]]:
    return check(draft, today=TODAY(), programme_ends=programme_ends)


def _only(errors: dict[str, list[str]], field: str) -> list[str]:
    """The messages on ``field``, asserting that no other field was flagged."""
    assert set(errors) == {field}, errors
    return errors[field]


# --- Valid drafts --------------------------------------------------------------------


def test_a_complete_metric_draft_has_no_errors() -> None:
    assert _check(metric_draft(), programme_ends=days(90)) == {}


def test_a_complete_milestones_draft_has_no_errors() -> None:
    assert _check(milestones_draft(), programme_ends=days(90)) == {}


def test_an_ongoing_programme_sets_no_end_date_limit() -> None:
    assert _check(metric_draft(target_date=days(3000)), programme_ends=None) == {}


def test_a_decreasing_metric_is_fine() -> None:
    draft = metric_draft(metric_name="Page load time", baseline=Decimal(3), target=Decimal("1.5"))
    assert _check(draft) == {}


def test_a_baseline_of_zero_counts_as_given() -> None:
    # Zero is a real starting point, not a missing one.
    assert _check(metric_draft(baseline=Decimal(0), target=Decimal(3))) == {}


def test_the_start_date_may_be_left_empty() -> None:
    assert _check(metric_draft(starts_on=None)) == {}


# --- Specific: title and outcome ---------------------------------------------------


VAGUE_HINT = "Say what you will be able to do or show, not what you will work on"


@pytest.mark.parametrize(
    "title",
    [
        "get better at Python",
        "Improve communication",
        "Improve my communication skills",
        "Learn more about Kubernetes",
        "Learn about system design",
        "Work on my public speaking",
        "Understand distributed systems properly",
        "Become better at code reviews",
        "Be better at estimating work",
        "Know more about databases",
        "Get good at negotiation",
        "  GET   BETTER   at   Python  ",
        "Public speaking",
        "Leadership",
    ],
)
def test_vague_titles_are_flagged_with_a_hint(title: str) -> None:
    assert is_vague(title)
    (message,) = _only(_check(metric_draft(title=title)), "title")
    assert message.startswith(VAGUE_HINT)
    assert "'Lead a design review for my team'" in message


@pytest.mark.parametrize(
    "title",
    [
        "Ship a Django REST API to production",
        "Improve NPS from 20 to 40",
        "Give 3 talks at meetups",
        "Lead a design review for my team",
        "Learn more than 5 Kubernetes operators",
    ],
)
def test_specific_titles_pass(title: str) -> None:
    assert not is_vague(title)
    assert _check(metric_draft(title=title)) == {}


def test_a_number_rescues_a_vague_opening() -> None:
    assert is_vague("Improve NPS a lot this year")
    assert not is_vague("Improve NPS from 20 to 40")


def test_a_three_word_title_is_long_enough() -> None:
    assert is_vague("Ship APIs")
    assert not is_vague("Ship two APIs")


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_a_missing_title_asks_for_one(title: str) -> None:
    assert _only(_check(metric_draft(title=title)), "title") == ["Give the goal a short title."]


@pytest.mark.parametrize("outcome", ["", "Ship it.", " " * 40, "x" * 29])
def test_a_short_outcome_asks_for_a_recognisable_result(outcome: str) -> None:
    assert _only(_check(metric_draft(outcome=outcome)), "outcome") == [
        "Say a little more (at least 30 characters): what will exist, or what will you have "
        "done, once it is reached?"
    ]


def test_an_outcome_of_thirty_characters_is_enough() -> None:
    assert _check(metric_draft(outcome="x" * 30)) == {}


def test_an_outcome_is_measured_without_surrounding_spaces() -> None:
    assert "outcome" in _check(metric_draft(outcome="  " + "x" * 29 + "  "))


# --- Measurable ----------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["", "percent", "METRIC"])
def test_a_measure_must_be_chosen(measure: str) -> None:
    assert _only(_check(metric_draft(measure=measure)), "measure") == [
        "Choose how you will measure it: a number, or a checklist of milestones."
    ]


@pytest.mark.parametrize("name", ["", "   "])
def test_a_metric_needs_a_name(name: str) -> None:
    (message,) = _only(_check(metric_draft(metric_name=name)), "metric_name")
    assert message.startswith("Name what you will count or measure")


def test_a_metric_needs_a_baseline() -> None:
    assert _only(_check(metric_draft(baseline=None)), "baseline") == [
        "Where are you today? Enter the starting value."
    ]


def test_a_metric_needs_a_target() -> None:
    assert _only(_check(metric_draft(target=None)), "target") == [
        "Where do you want to get to? Enter the target value."
    ]


def test_a_metric_with_no_numbers_at_all_gets_every_message() -> None:
    errors = _check(metric_draft(metric_name="", baseline=None, target=None))
    assert set(errors) == {"metric_name", "baseline", "target"}
    assert len(errors["target"]) == 1


@pytest.mark.parametrize("value", [Decimal(0), Decimal(20), Decimal("-3.5")])
def test_a_target_equal_to_the_baseline_is_refused(value: Decimal) -> None:
    assert _only(_check(metric_draft(baseline=value, target=value)), "target") == [
        "The target must differ from where you start."
    ]


def test_the_metric_unit_is_optional() -> None:
    assert _check(metric_draft(metric_unit="")) == {}


def test_a_metric_draft_ignores_milestones() -> None:
    assert _check(metric_draft(milestones=[("Only one", days(-5))])) == {}


def test_a_milestones_draft_ignores_metric_fields() -> None:
    draft = milestones_draft(metric_name="", baseline=Decimal(5), target=Decimal(5))
    assert _check(draft) == {}


MILESTONES_HINT = "List at least 2 milestones in order, so progress is visible."


@pytest.mark.parametrize(
    "milestones",
    [
        [],
        [("Design the data model", None)],
        [("Design the data model", None), ("", None), ("   ", None)],
    ],
)
def test_a_checklist_needs_two_named_milestones(milestones: list) -> None:
    assert _only(_check(milestones_draft(milestones=milestones)), "milestones") == [MILESTONES_HINT]


def test_two_named_milestones_without_dates_are_enough() -> None:
    draft = milestones_draft(milestones=[("Design the data model", None), ("Deploy", None)])
    assert _check(draft) == {}


def test_a_milestone_due_after_the_target_date_is_flagged_by_name() -> None:
    draft = milestones_draft(
        target_date=days(60),
        milestones=[("Design the data model", days(10)), ("Deploy to production", days(61))],
    )
    assert _only(_check(draft), "milestones") == [
        "'Deploy to production' is due after the goal's target date."
    ]


def test_a_milestone_due_on_the_target_date_is_fine() -> None:
    draft = milestones_draft(
        target_date=days(60),
        milestones=[("Design the data model", days(10)), ("Deploy to production", days(60))],
    )
    assert _check(draft) == {}


def test_a_milestone_due_in_the_past_is_flagged_by_name() -> None:
    draft = milestones_draft(
        milestones=[("Design the data model", days(-1)), ("Deploy to production", days(50))]
    )
    assert _only(_check(draft), "milestones") == ["'Design the data model' is due in the past."]


def test_a_milestone_due_today_is_fine() -> None:
    draft = milestones_draft(
        milestones=[("Design the data model", days(0)), ("Deploy to production", days(50))]
    )
    assert _check(draft) == {}


def test_milestone_names_are_trimmed_in_messages() -> None:
    draft = milestones_draft(
        milestones=[("  Design the data model  ", days(-2)), ("Deploy", days(50))]
    )
    assert _check(draft)["milestones"] == ["'Design the data model' is due in the past."]


def test_every_misdated_milestone_gets_its_own_message() -> None:
    draft = milestones_draft(
        target_date=days(30),
        milestones=[("Draft", days(-3)), ("Review", days(31)), ("Ship", days(40))],
    )
    assert _only(_check(draft), "milestones") == [
        "'Draft' is due in the past.",
        "'Review' is due after the goal's target date.",
        "'Ship' is due after the goal's target date.",
    ]


def test_too_few_milestones_and_a_bad_date_both_show() -> None:
    draft = milestones_draft(milestones=[("Draft", days(-3))])
    assert _only(_check(draft), "milestones") == [MILESTONES_HINT, "'Draft' is due in the past."]


# --- Achievable and relevant --------------------------------------------------------


@pytest.mark.parametrize("plan", ["", "Practise.", "x" * 39, "  " + "x" * 39 + "  "])
def test_a_short_plan_asks_for_first_steps(plan: str) -> None:
    assert _only(_check(metric_draft(plan=plan)), "plan") == [
        "Write the first steps and what you need (time, people, resources)."
    ]


def test_a_plan_of_forty_characters_is_enough() -> None:
    assert _check(metric_draft(plan="x" * 40)) == {}


@pytest.mark.parametrize("relevance", ["", "Because.", "x" * 29])
def test_a_short_relevance_asks_for_the_link_to_career_goals(relevance: str) -> None:
    assert _only(_check(metric_draft(relevance=relevance)), "relevance") == [
        "Add a sentence or two (at least 30 characters): what does reaching it open up for you?"
    ]


def test_a_relevance_of_thirty_characters_is_enough() -> None:
    assert _check(metric_draft(relevance="x" * 30)) == {}


# --- Time-bound ---------------------------------------------------------------------


def test_a_target_date_is_required() -> None:
    assert _only(_check(metric_draft(target_date=None)), "target_date") == [
        "Pick the date by which you want to reach it."
    ]


@pytest.mark.parametrize("offset", [0, -1, -400])
def test_the_target_date_must_be_in_the_future(offset: int) -> None:
    draft = metric_draft(starts_on=None, target_date=days(offset))
    assert _only(_check(draft), "target_date") == ["Pick a date in the future."]


def test_tomorrow_is_in_the_future() -> None:
    assert _check(metric_draft(target_date=days(1))) == {}


def test_a_target_date_after_the_programme_ends_names_the_end_date() -> None:
    ends = date(2031, 3, 5)
    today = ends - timedelta(days=100)
    draft = metric_draft(starts_on=today, target_date=ends + timedelta(days=1))
    errors = check(draft, today=today, programme_ends=ends)
    assert _only(errors, "target_date") == [
        "Your programme ends on 5 March 2031; pick a date before then."
    ]


def test_a_target_date_on_the_last_day_of_the_programme_is_fine() -> None:
    assert _check(metric_draft(target_date=days(60)), programme_ends=days(60)) == {}


def test_a_past_date_beyond_an_ended_programme_gets_both_messages() -> None:
    errors = _check(metric_draft(starts_on=None, target_date=days(-5)), programme_ends=days(-10))
    assert len(_only(errors, "target_date")) == 2
    assert errors["target_date"][0] == "Pick a date in the future."
    assert errors["target_date"][1].startswith("Your programme ends on ")


def test_the_start_must_come_before_the_target_date() -> None:
    draft = metric_draft(starts_on=days(31), target_date=days(30))
    assert _only(_check(draft), "starts_on") == ["The start must come before the target date."]


def test_starting_on_the_target_date_is_allowed() -> None:
    assert _check(metric_draft(starts_on=days(30), target_date=days(30))) == {}


def test_without_a_target_date_the_start_is_not_compared() -> None:
    assert set(_check(metric_draft(starts_on=days(400), target_date=None))) == {"target_date"}


# --- Everything at once, and the checklist ------------------------------------------


def test_an_empty_draft_is_flagged_on_every_criterion() -> None:
    errors = _check(GoalDraft())
    assert set(errors) == {"title", "outcome", "measure", "plan", "relevance", "target_date"}
    assert checklist(errors) == {
        "specific": False,
        "measurable": False,
        "achievable": False,
        "relevant": False,
        "time_bound": False,
    }


def test_the_checklist_of_a_valid_draft_is_all_true() -> None:
    assert checklist(_check(metric_draft())) == dict.fromkeys(CRITERIA, True)


@pytest.mark.parametrize(
    ("field", "criterion"),
    [
        ("title", "specific"),
        ("outcome", "specific"),
        ("measure", "measurable"),
        ("metric_name", "measurable"),
        ("baseline", "measurable"),
        ("target", "measurable"),
        ("milestones", "measurable"),
        ("plan", "achievable"),
        ("relevance", "relevant"),
        ("starts_on", "time_bound"),
        ("target_date", "time_bound"),
    ],
)
def test_the_checklist_fails_only_the_criterion_of_the_field(field: str, criterion: str) -> None:
    result = checklist({field: ["Something is wrong."]})
    assert result == {name: name != criterion for name in CRITERIA}


def test_only_a_plan_error_fails_only_achievable() -> None:
    result = checklist(_check(metric_draft(plan="Soon.")))
    assert result == {
        "specific": True,
        "measurable": True,
        "achievable": False,
        "relevant": True,
        "time_bound": True,
    }


def test_the_checklist_follows_real_errors_from_check() -> None:
    draft = milestones_draft(title="Leadership", milestones=[], starts_on=days(90))
    result = checklist(_check(draft))
    assert result == {
        "specific": False,
        "measurable": False,
        "achievable": True,
        "relevant": True,
        "time_bound": False,
    }


def test_unknown_fields_fail_no_criterion() -> None:
    assert checklist({"__all__": ["Something else."]}) == dict.fromkeys(CRITERIA, True)
