"""Rules of the goal services: drafting, the review workflow, progress and comments."""

from decimal import Decimal
from functools import partial

from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from accounts.models import User
from core.outbox.models import OutboxEmail
from goals import services
from goals.models import (
    TRANSITIONS,
    Goal,
    GoalComment,
    GoalEvent,
    GoalStatus,
    Milestone,
    ProgressUpdate,
)
from matching.models import Mentorship, MentorshipStatus
from matching.services import end_mentorship
from tests.factories import mentorship_between
from tests.goals.conftest import MakeGoal, days, metric_draft, milestones_draft
from tests.helpers import denied, emails, refused

pytestmark = pytest.mark.django_db

CHANGES = "Name the two client teams, and say what 'every day' means for each."


def _counts() -> tuple[int, ...]:
    return (
        Goal.objects.count(),
        Milestone.objects.count(),
        GoalEvent.objects.count(),
        ProgressUpdate.objects.count(),
        GoalComment.objects.count(),
        OutboxEmail.objects.count(),
    )


# A refused call changes none of these counts.
_refused = partial(refused, _counts)
_denied = partial(denied, _counts)


def _last_event(goal: Goal) -> GoalEvent:
    return goal.events.order_by("pk").last()


def _move_to(to: str, goal: Goal, by: User) -> Goal:
    """Ask for the move to ``to`` through the service that makes it."""
    if to == GoalStatus.SUBMITTED:
        return services.submit_goal(goal=goal, by=by)
    if to == GoalStatus.APPROVED:
        return services.review_goal(goal=goal, by=by, approve=True)
    if to == GoalStatus.CHANGES_REQUESTED:
        return services.review_goal(goal=goal, by=by, approve=False, comment=CHANGES)
    if to == GoalStatus.IN_PROGRESS:
        return services.start_goal(goal=goal, by=by)
    return services.close_goal(goal=goal, by=by, outcome=to)


# --- save_goal ---------------------------------------------------------------------------


def test_saving_creates_a_draft_with_an_audit_event(mentorship: Mentorship, mentee: User) -> None:
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=metric_draft())

    goal.refresh_from_db()
    assert goal.mentorship == mentorship
    assert goal.status == GoalStatus.DRAFT
    assert goal.is_editable
    assert (goal.title, goal.metric_name, goal.baseline, goal.target) == (
        "Improve NPS from 20 to 40",
        "NPS",
        Decimal(20),
        Decimal(40),
    )
    assert goal.target_date == days(60)
    (event,) = goal.events.all()
    assert (event.actor, event.from_status, event.to_status, event.comment) == (
        mentee,
        "",
        GoalStatus.DRAFT,
        "",
    )
    assert not goal.milestones.exists()


def test_saving_tidies_the_title_and_defaults_the_start_to_today(
    mentorship: Mentorship, mentee: User
) -> None:
    draft = metric_draft(title="  Ship   two\tAPIs  to production ", starts_on=None)
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=draft)
    goal.refresh_from_db()
    assert goal.title == "Ship two APIs to production"
    assert goal.starts_on == timezone.localdate()


def test_saving_checks_against_the_given_today(mentorship: Mentorship, mentee: User) -> None:
    # Seen from a year ago, a date 30 days back is still in the future.
    draft = metric_draft(starts_on=None, target_date=days(-30))
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=draft, today=days(-365))
    assert goal.starts_on == days(-365)


def test_milestones_are_saved_in_order(mentorship: Mentorship, mentee: User) -> None:
    draft = milestones_draft(
        milestones=[
            ("  Design the data model ", days(10)),
            ("", None),
            ("Add token authentication", None),
            ("   ", days(5)),
            ("Deploy to production", days(50)),
        ]
    )
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=draft)

    rows = list(goal.milestones.values_list("position", "title", "due_on", "done_at"))
    assert rows == [
        (0, "Design the data model", days(10), None),
        (1, "Add token authentication", None, None),
        (2, "Deploy to production", days(50), None),
    ]
    goal.refresh_from_db()
    assert (goal.baseline, goal.target, goal.metric_name) == (None, None, "")


def test_a_checklist_goal_drops_stray_metric_fields(mentorship: Mentorship, mentee: User) -> None:
    draft = milestones_draft(
        metric_name="NPS", metric_unit="points", baseline=Decimal(1), target=Decimal(2)
    )
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=draft)
    goal.refresh_from_db()
    assert (goal.metric_name, goal.metric_unit, goal.baseline, goal.target) == ("", "", None, None)


def test_a_metric_goal_keeps_no_milestones(mentorship: Mentorship, mentee: User) -> None:
    draft = metric_draft(milestones=[("Design", days(5)), ("Deploy", days(50))])
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=draft)
    assert not goal.milestones.exists()


def test_editing_replaces_the_milestones(mentorship: Mentorship, mentee: User) -> None:
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=milestones_draft())
    old_ids = set(goal.milestones.values_list("pk", flat=True))

    draft = milestones_draft(
        title="Ship a Django REST API to two teams",
        milestones=[("Deploy to staging", days(40)), ("Design the data model", days(10))],
    )
    edited = services.save_goal(mentorship=mentorship, by=mentee, draft=draft, goal=goal)

    assert edited.pk == goal.pk
    assert Goal.objects.count() == 1
    assert list(edited.milestones.values_list("position", "title")) == [
        (0, "Deploy to staging"),
        (1, "Design the data model"),
    ]
    assert not Milestone.objects.filter(pk__in=old_ids).exists()
    edited.refresh_from_db()
    assert edited.title == "Ship a Django REST API to two teams"
    # An edit is not a status change: the history still holds only the creation.
    assert list(edited.events.values_list("to_status", flat=True)) == [GoalStatus.DRAFT]


def test_editing_can_switch_the_measure_both_ways(mentorship: Mentorship, mentee: User) -> None:
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=milestones_draft())

    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=metric_draft(), goal=goal)
    goal.refresh_from_db()
    assert (goal.measure, goal.baseline, goal.target) == ("metric", Decimal(20), Decimal(40))
    assert not goal.milestones.exists()

    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=milestones_draft(), goal=goal)
    goal.refresh_from_db()
    assert (goal.measure, goal.baseline, goal.target) == ("milestones", None, None)
    assert goal.milestones.count() == 4


def test_a_goal_with_changes_requested_can_be_edited(
    make_goal: MakeGoal, mentorship: Mentorship, mentee: User
) -> None:
    goal = make_goal(GoalStatus.CHANGES_REQUESTED)
    draft = metric_draft(outcome="NPS of 40 measured by the quarterly survey of both client teams.")
    edited = services.save_goal(mentorship=mentorship, by=mentee, draft=draft, goal=goal)
    edited.refresh_from_db()
    assert edited.outcome.startswith("NPS of 40")
    assert edited.status == GoalStatus.CHANGES_REQUESTED


@pytest.mark.parametrize("who", ["mentor", "stranger"])
def test_only_the_mentee_may_save_a_goal(
    who: str, request: pytest.FixtureRequest, mentorship: Mentorship
) -> None:
    with _denied():
        services.save_goal(
            mentorship=mentorship, by=request.getfixturevalue(who), draft=metric_draft()
        )


@pytest.mark.parametrize("who", ["mentor", "stranger"])
def test_only_the_mentee_may_edit_a_goal(
    who: str, request: pytest.FixtureRequest, make_goal: MakeGoal, mentorship: Mentorship
) -> None:
    goal = make_goal()
    with _denied():
        services.save_goal(
            mentorship=mentorship,
            by=request.getfixturevalue(who),
            draft=metric_draft(title="Ship two APIs to production"),
            goal=goal,
        )
    goal.refresh_from_db()
    assert goal.title == "Improve NPS from 20 to 40"


def test_no_goals_on_an_ended_mentorship(mentorship: Mentorship, mentee: User) -> None:
    mentorship = end_mentorship(
        mentorship=mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED
    )
    with _refused("Goals can only be added to an active mentorship."):
        services.save_goal(mentorship=mentorship, by=mentee, draft=metric_draft())


def test_no_edits_once_the_mentorship_ended(
    make_goal: MakeGoal, mentorship: Mentorship, mentee: User
) -> None:
    goal = make_goal()
    mentorship = end_mentorship(
        mentorship=mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED
    )
    with _refused("active mentorship"):
        services.save_goal(
            mentorship=mentorship,
            by=mentee,
            draft=metric_draft(title="Ship two APIs to production"),
            goal=goal,
        )


@pytest.mark.parametrize(
    "status",
    [
        GoalStatus.SUBMITTED,
        GoalStatus.APPROVED,
        GoalStatus.IN_PROGRESS,
        GoalStatus.ACHIEVED,
        GoalStatus.NOT_ACHIEVED,
        GoalStatus.ABANDONED,
    ],
)
def test_a_goal_under_review_or_under_way_cannot_be_edited(
    status: str, make_goal: MakeGoal, mentorship: Mentorship, mentee: User
) -> None:
    goal = make_goal(status, draft=milestones_draft())
    with _refused("it can't be edited"):
        services.save_goal(
            mentorship=mentorship,
            by=mentee,
            draft=milestones_draft(title="Ship two APIs to production", milestones=[]),
            goal=goal,
        )
    goal.refresh_from_db()
    assert goal.title == "Ship a Django REST API to production"
    assert goal.milestones.count() == 4


def test_a_goal_of_another_mentorship_cannot_be_edited_through_this_one(
    make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal()
    # The other mentorship's mentee may not reach this goal by passing it in.
    other = mentorship_between()
    with pytest.raises(Goal.DoesNotExist):
        services.save_goal(
            mentorship=other,
            by=other.mentee,
            draft=metric_draft(title="Ship two APIs to production"),
            goal=goal,
        )
    goal.refresh_from_db()
    assert goal.title == "Improve NPS from 20 to 40"


def test_a_goal_submitted_while_failing_the_checks_saves_nothing(
    mentorship: Mentorship, mentee: User
) -> None:
    draft = metric_draft(
        title="Improve communication", plan="Practise.", baseline=Decimal(5), target=Decimal(5)
    )
    with pytest.raises(ValidationError) as caught:
        services.save_goal(mentorship=mentorship, by=mentee, draft=draft, submit=True)
    errors = caught.value.message_dict
    assert set(errors) == {"title", "plan", "target"}
    assert errors["target"] == ["The target must differ from where you start."]
    assert Goal.objects.count() == 0
    assert GoalEvent.objects.count() == 0


def test_a_bad_milestones_goal_submitted_saves_no_milestones(
    mentorship: Mentorship, mentee: User
) -> None:
    draft = milestones_draft(milestones=[("Design the data model", days(-3))])
    with _refused("at least 2 milestones", field="milestones"):
        services.save_goal(mentorship=mentorship, by=mentee, draft=draft, submit=True)
    assert not Milestone.objects.exists()


def test_a_failed_edit_leaves_the_goal_as_it_was(mentorship: Mentorship, mentee: User) -> None:
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=milestones_draft())
    draft = milestones_draft(title="Leadership", milestones=[("Only one", None)])
    with _refused(field="title"):
        services.save_goal(mentorship=mentorship, by=mentee, draft=draft, goal=goal, submit=True)
    goal.refresh_from_db()
    assert goal.title == "Ship a Django REST API to production"
    assert goal.milestones.count() == 4


def test_the_target_date_must_fall_within_the_programme(
    mentorship: Mentorship, mentee: User
) -> None:
    cohort = mentorship.cohort
    cohort.ends_on = days(45)
    cohort.save(update_fields=["ends_on"])
    with _refused("Your programme ends on", field="target_date"):
        services.save_goal(mentorship=mentorship, by=mentee, draft=metric_draft(), submit=True)
    goal = services.save_goal(
        mentorship=mentorship, by=mentee, draft=metric_draft(target_date=days(45))
    )
    assert goal.target_date == days(45)


# --- The review workflow ------------------------------------------------------------------


def test_submitting_asks_the_mentor_to_review_once(
    make_goal: MakeGoal,
    mentee: User,
    mentor: User,
    django_capture_on_commit_callbacks,
) -> None:
    goal = make_goal()
    with django_capture_on_commit_callbacks(execute=True):
        goal = services.submit_goal(goal=goal, by=mentee)

    assert goal.status == GoalStatus.SUBMITTED
    goal.refresh_from_db()
    assert goal.status == GoalStatus.SUBMITTED
    assert not goal.is_editable
    event = _last_event(goal)
    assert (event.actor, event.from_status, event.to_status, event.comment) == (
        mentee,
        GoalStatus.DRAFT,
        GoalStatus.SUBMITTED,
        "",
    )
    (row,) = emails("goal_submitted")
    assert row.to == [mentor.email]
    (sent,) = mail.outbox
    assert sent.to == [mentor.email]
    assert "Improve NPS from 20 to 40" in sent.subject
    assert mentee.get_full_name() in sent.subject
    assert "Improve NPS from 20 to 40" in sent.body
    assert f"http://testserver{goal.get_absolute_url()}" in sent.body

    # Submitting again is refused, and nobody is emailed twice.
    with _refused("can't become waiting for review"):
        services.submit_goal(goal=goal, by=mentee)
    assert len(emails("goal_submitted")) == 1


@pytest.mark.parametrize("who", ["mentor", "stranger"])
def test_only_the_mentee_may_submit(
    who: str, request: pytest.FixtureRequest, make_goal: MakeGoal
) -> None:
    goal = make_goal()
    with _denied():
        services.submit_goal(goal=goal, by=request.getfixturevalue(who))
    goal.refresh_from_db()
    assert goal.status == GoalStatus.DRAFT


@pytest.mark.parametrize("comment", ["", "   \n "])
def test_asking_for_changes_needs_a_comment(
    comment: str, make_goal: MakeGoal, mentor: User
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    with _refused("Say what should change", field="comment"):
        services.review_goal(goal=goal, by=mentor, approve=False, comment=comment)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.SUBMITTED


def test_asking_for_changes_emails_the_comment_to_the_mentee(
    make_goal: MakeGoal, mentee: User, mentor: User, django_capture_on_commit_callbacks
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        goal = services.review_goal(goal=goal, by=mentor, approve=False, comment=f"  {CHANGES}  ")

    assert goal.status == GoalStatus.CHANGES_REQUESTED
    assert goal.is_editable
    event = _last_event(goal)
    assert (event.actor, event.from_status, event.to_status, event.comment) == (
        mentor,
        GoalStatus.SUBMITTED,
        GoalStatus.CHANGES_REQUESTED,
        CHANGES,
    )
    (sent,) = mail.outbox
    assert sent.to == [mentee.email]
    assert "suggests changes to your goal: Improve NPS from 20 to 40" in sent.subject
    assert CHANGES in sent.body
    assert "Their comment:" in sent.body
    assert "approved" not in sent.body


def test_approving_tells_the_mentee(
    make_goal: MakeGoal, mentee: User, mentor: User, django_capture_on_commit_callbacks
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        goal = services.review_goal(goal=goal, by=mentor, approve=True)

    assert goal.status == GoalStatus.APPROVED
    event = _last_event(goal)
    assert (event.actor, event.from_status, event.to_status, event.comment) == (
        mentor,
        GoalStatus.SUBMITTED,
        GoalStatus.APPROVED,
        "",
    )
    (sent,) = mail.outbox
    assert sent.to == [mentee.email]
    assert "approved your goal: Improve NPS from 20 to 40" in sent.subject
    assert "You can start logging progress" in sent.body
    assert "Their comment:" not in sent.body


def test_an_approval_may_carry_a_comment(make_goal: MakeGoal, mentor: User) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    goal = services.review_goal(goal=goal, by=mentor, approve=True, comment=" Great goal! ")
    assert _last_event(goal).comment == "Great goal!"
    (row,) = emails("goal_reviewed")
    assert "Great goal!" in row.body_text


@pytest.mark.parametrize("approve", [True, False])
@pytest.mark.parametrize("who", ["mentee", "stranger"])
def test_only_the_mentor_may_review(
    who: str, approve: bool, request: pytest.FixtureRequest, make_goal: MakeGoal
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    with _denied():
        services.review_goal(
            goal=goal, by=request.getfixturevalue(who), approve=approve, comment=CHANGES
        )
    goal.refresh_from_db()
    assert goal.status == GoalStatus.SUBMITTED


@pytest.mark.parametrize("who", ["mentee", "stranger"])
def test_the_wrong_actor_is_denied_before_the_comment_is_checked(
    who: str, request: pytest.FixtureRequest, make_goal: MakeGoal
) -> None:
    # Who may act comes first: someone who may not review learns nothing about the rules.
    goal = make_goal(GoalStatus.SUBMITTED)
    with _denied():
        services.review_goal(goal=goal, by=request.getfixturevalue(who), approve=False)


def test_a_second_review_round_emails_again(
    make_goal: MakeGoal,
    mentorship: Mentorship,
    mentee: User,
    mentor: User,
    django_capture_on_commit_callbacks,
) -> None:
    goal = make_goal(GoalStatus.CHANGES_REQUESTED)
    draft = metric_draft(outcome="NPS of 40 in the quarterly survey of both client teams, Q3.")
    with django_capture_on_commit_callbacks(execute=True):
        goal = services.save_goal(mentorship=mentorship, by=mentee, draft=draft, goal=goal)
        goal = services.submit_goal(goal=goal, by=mentee)
    assert goal.status == GoalStatus.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        goal = services.review_goal(goal=goal, by=mentor, approve=True)
    assert goal.status == GoalStatus.APPROVED

    submitted, reviewed = emails("goal_submitted"), emails("goal_reviewed")
    assert len(submitted) == 2
    assert len(reviewed) == 2
    assert len({row.key for row in submitted + reviewed}) == 4
    assert [m.to for m in mail.outbox] == [[mentor.email], [mentee.email]]
    assert "NPS of 40 in the quarterly survey" in mail.outbox[0].body
    assert "approved your goal" in mail.outbox[1].subject
    assert list(goal.events.values_list("to_status", flat=True)) == [
        GoalStatus.DRAFT,
        GoalStatus.SUBMITTED,
        GoalStatus.CHANGES_REQUESTED,
        GoalStatus.SUBMITTED,
        GoalStatus.APPROVED,
    ]

    # Reviewing again is refused, and sends nothing new.
    with _refused("can't become approved"):
        services.review_goal(goal=goal, by=mentor, approve=True)
    with _refused("can't become changes requested"):
        services.review_goal(goal=goal, by=mentor, approve=False, comment=CHANGES)
    assert len(emails("goal_reviewed")) == 2


def test_starting_an_approved_goal(make_goal: MakeGoal, mentee: User) -> None:
    goal = services.start_goal(goal=make_goal(GoalStatus.APPROVED), by=mentee)
    assert goal.status == GoalStatus.IN_PROGRESS
    event = _last_event(goal)
    assert (event.actor, event.from_status, event.to_status) == (
        mentee,
        GoalStatus.APPROVED,
        GoalStatus.IN_PROGRESS,
    )


@pytest.mark.parametrize("outcome", [GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED])
def test_closing_a_goal_under_way(outcome: str, make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    goal = services.close_goal(goal=goal, by=mentee, outcome=outcome, comment="  Shipped it.  ")
    goal.refresh_from_db()
    assert goal.status == outcome
    assert goal.is_closed
    event = _last_event(goal)
    assert (event.actor, event.from_status, event.to_status, event.comment) == (
        mentee,
        GoalStatus.IN_PROGRESS,
        outcome,
        "Shipped it.",
    )


@pytest.mark.parametrize(
    "status",
    [
        GoalStatus.DRAFT,
        GoalStatus.CHANGES_REQUESTED,
        GoalStatus.APPROVED,
        GoalStatus.IN_PROGRESS,
    ],
)
def test_a_goal_can_be_abandoned_before_it_ends(
    status: str, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal(status)
    goal = services.close_goal(
        goal=goal, by=mentee, outcome=GoalStatus.ABANDONED, comment="New job."
    )
    assert goal.status == GoalStatus.ABANDONED
    event = _last_event(goal)
    assert (event.from_status, event.to_status, event.comment) == (
        status,
        GoalStatus.ABANDONED,
        "New job.",
    )


@pytest.mark.parametrize(
    "outcome", ["", "finished", GoalStatus.IN_PROGRESS, GoalStatus.APPROVED, GoalStatus.DRAFT]
)
def test_closing_needs_a_real_ending(outcome: str, make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    with _refused("Choose how the goal ended.", field="outcome"):
        services.close_goal(goal=goal, by=mentee, outcome=outcome)


@pytest.mark.parametrize("who", ["mentor", "stranger"])
def test_the_wrong_actor_is_denied_before_the_outcome_is_checked(
    who: str, request: pytest.FixtureRequest, make_goal: MakeGoal
) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    with _denied():
        services.close_goal(goal=goal, by=request.getfixturevalue(who), outcome="finished")


@pytest.mark.parametrize("outcome", [GoalStatus.ACHIEVED, GoalStatus.ABANDONED])
@pytest.mark.parametrize("who", ["mentor", "stranger"])
def test_only_the_mentee_closes_a_goal(
    who: str, outcome: str, request: pytest.FixtureRequest, make_goal: MakeGoal
) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    with _denied():
        services.close_goal(goal=goal, by=request.getfixturevalue(who), outcome=outcome)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("status", "to", "side"),
    [pytest.param(*key, side, id=f"{key[0]}->{key[1]}") for key, side in TRANSITIONS.items()],
)
def test_every_allowed_move_records_who_from_what_to_what(
    status: str, to: str, side: str, request: pytest.FixtureRequest, make_goal: MakeGoal
) -> None:
    goal = make_goal(status)
    actor = request.getfixturevalue(side)
    other = request.getfixturevalue("mentor" if side == "mentee" else "mentee")
    before = goal.events.count()

    # The other side and a stranger may not make this move.
    for wrong in (other, request.getfixturevalue("stranger")):
        with _denied():
            _move_to(to, goal, wrong)

    moved = _move_to(to, goal, actor)
    moved.refresh_from_db()
    assert moved.status == to
    assert goal.events.count() == before + 1
    event = _last_event(goal)
    assert (event.actor, event.from_status, event.to_status) == (actor, status, to)
    assert event.comment == (CHANGES if to == GoalStatus.CHANGES_REQUESTED else "")


TARGETS = [
    GoalStatus.SUBMITTED,
    GoalStatus.APPROVED,
    GoalStatus.CHANGES_REQUESTED,
    GoalStatus.IN_PROGRESS,
    GoalStatus.ACHIEVED,
    GoalStatus.NOT_ACHIEVED,
    GoalStatus.ABANDONED,
]
REVIEWS = (GoalStatus.APPROVED, GoalStatus.CHANGES_REQUESTED)


@pytest.mark.parametrize(
    ("status", "to"),
    [
        pytest.param(status, to, id=f"{status}->{to}")
        for status in GoalStatus
        for to in TARGETS
        if (status, to) not in TRANSITIONS
    ],
)
def test_every_other_move_is_refused(
    status: str, to: str, make_goal: MakeGoal, mentee: User, mentor: User
) -> None:
    goal = make_goal(status)
    # Asked by the side that would own such a move, so only the rule itself can refuse it.
    actor = mentor if to in REVIEWS else mentee
    with _refused("can't become"):
        _move_to(to, goal, actor)
    goal.refresh_from_db()
    assert goal.status == status


def test_a_refused_move_says_what_the_goal_is_and_what_it_cannot_become(
    make_goal: MakeGoal, mentor: User, mentee: User
) -> None:
    draft, achieved, submitted = (
        make_goal(),
        make_goal(GoalStatus.ACHIEVED),
        make_goal(GoalStatus.SUBMITTED),
    )
    with _refused("A goal that is draft can't become approved."):
        services.review_goal(goal=draft, by=mentor, approve=True)
    with _refused("A goal that is achieved can't become in progress."):
        services.start_goal(goal=achieved, by=mentee)
    with _refused("A goal that is waiting for review can't become achieved."):
        services.close_goal(goal=submitted, by=mentee, outcome=GoalStatus.ACHIEVED)


def test_the_whole_story_is_kept_in_order(
    make_goal: MakeGoal, mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    goal = make_goal(GoalStatus.CHANGES_REQUESTED)
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=metric_draft(), goal=goal)
    goal = services.submit_goal(goal=goal, by=mentee)
    goal = services.review_goal(goal=goal, by=mentor, approve=True)
    goal = services.start_goal(goal=goal, by=mentee)
    goal = services.close_goal(goal=goal, by=mentee, outcome=GoalStatus.ACHIEVED)
    rows = list(goal.events.values_list("actor", "from_status", "to_status"))
    assert rows == [
        (mentee.pk, "", "draft"),
        (mentee.pk, "draft", "submitted"),
        (mentor.pk, "submitted", "changes_requested"),
        (mentee.pk, "changes_requested", "submitted"),
        (mentor.pk, "submitted", "approved"),
        (mentee.pk, "approved", "in_progress"),
        (mentee.pk, "in_progress", "achieved"),
    ]


# --- log_progress -------------------------------------------------------------------------


def _metric_goal(make_goal: MakeGoal, baseline: str, target: str) -> Goal:
    draft = metric_draft(baseline=Decimal(baseline), target=Decimal(target))
    return make_goal(GoalStatus.IN_PROGRESS, draft=draft)


def test_logging_a_value_updates_the_goal(make_goal: MakeGoal, mentee: User) -> None:
    goal = _metric_goal(make_goal, "20", "40")
    update = services.log_progress(goal=goal, by=mentee, value=Decimal(30), note="  Survey in.  ")

    goal.refresh_from_db()
    assert goal.current_value == Decimal(30)
    assert goal.progress_percent() == 50
    update.refresh_from_db()
    assert (update.goal, update.author, update.value, update.percent, update.note) == (
        goal,
        mentee,
        Decimal(30),
        50,
        "Survey in.",
    )
    assert not update.milestones_done.exists()


@pytest.mark.parametrize(
    ("baseline", "target", "value", "percent"),
    [
        ("20", "40", "30", 50),
        ("20", "40", "40", 100),
        ("20", "40", "55", 100),
        ("20", "40", "20", 0),
        ("20", "40", "10", 0),
        ("20", "40", "-5", 0),
        ("0", "3", "1", 33),
        ("0", "3", "2", 66),
        ("10", "5", "7.5", 50),
        ("10", "5", "5", 100),
        ("10", "5", "2", 100),
        ("10", "5", "12", 0),
    ],
)
def test_the_percentage_follows_the_value(
    baseline: str, target: str, value: str, percent: int, make_goal: MakeGoal, mentee: User
) -> None:
    goal = _metric_goal(make_goal, baseline, target)
    update = services.log_progress(goal=goal, by=mentee, value=Decimal(value))
    assert update.percent == percent
    goal.refresh_from_db()
    assert goal.current_value == Decimal(value)
    assert goal.progress_percent() == percent


def test_later_values_replace_earlier_ones(make_goal: MakeGoal, mentee: User) -> None:
    goal = _metric_goal(make_goal, "20", "40")
    services.log_progress(goal=goal, by=mentee, value=Decimal(35))
    services.log_progress(goal=goal, by=mentee, value=Decimal(25))
    goal.refresh_from_db()
    assert goal.current_value == Decimal(25)
    assert list(goal.updates.values_list("percent", flat=True)) == [75, 25]


def test_a_metric_goal_needs_a_value(make_goal: MakeGoal, mentee: User) -> None:
    goal = _metric_goal(make_goal, "20", "40")
    with _refused("Enter the new value of NPS.", field="value"):
        services.log_progress(goal=goal, by=mentee, note="Busy week.")
    goal.refresh_from_db()
    assert goal.current_value is None


def test_ticking_milestones_moves_the_percentage(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS, draft=milestones_draft())
    first, second, third, _ = goal.milestones.all()

    update = services.log_progress(goal=goal, by=mentee, milestone_ids=[first.pk])
    assert update.percent == 25
    assert list(update.milestones_done.all()) == [first]
    assert update.value is None
    first.refresh_from_db()
    assert first.done_at is not None

    # Ticking one again does not count it twice, nor change when it was done.
    done_at = first.done_at
    update = services.log_progress(
        goal=goal, by=mentee, milestone_ids=[first.pk, second.pk, third.pk]
    )
    assert update.percent == 75
    assert set(update.milestones_done.all()) == {second, third}
    first.refresh_from_db()
    assert first.done_at == done_at
    assert goal.progress_percent() == 75


def test_a_note_alone_is_progress_too(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS, draft=milestones_draft())
    update = services.log_progress(goal=goal, by=mentee, note="Sketched the data model.")
    assert (update.percent, update.note) == (0, "Sketched the data model.")
    assert not goal.milestones.filter(done_at__isnull=False).exists()


@pytest.mark.parametrize("note", ["", "   "])
def test_nothing_ticked_and_no_note_is_refused(
    note: str, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS, draft=milestones_draft())
    with _refused("Tick the milestones you finished", field="milestones"):
        services.log_progress(goal=goal, by=mentee, note=note)


def test_only_finished_milestones_not_done_before_count(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS, draft=milestones_draft())
    first = goal.milestones.first()
    services.log_progress(goal=goal, by=mentee, milestone_ids=[first.pk])
    with _refused(field="milestones"):
        services.log_progress(goal=goal, by=mentee, milestone_ids=[first.pk])


def test_milestones_of_another_goal_are_ignored(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS, draft=milestones_draft())
    other = make_goal(GoalStatus.IN_PROGRESS, draft=milestones_draft())
    with _refused(field="milestones"):
        services.log_progress(
            goal=goal, by=mentee, milestone_ids=other.milestones.values_list("pk", flat=True)
        )
    assert not Milestone.objects.filter(done_at__isnull=False).exists()


@pytest.mark.parametrize("draft", [metric_draft, milestones_draft])
def test_the_first_progress_on_an_approved_goal_starts_it(
    draft, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal(GoalStatus.APPROVED, draft=draft())
    milestone = goal.milestones.first()
    services.log_progress(
        goal=goal,
        by=mentee,
        value=Decimal(25),
        milestone_ids=[milestone.pk] if milestone else [],
    )
    goal.refresh_from_db()
    assert goal.status == GoalStatus.IN_PROGRESS
    assert goal.progress_percent() == 25
    event = _last_event(goal)
    assert (event.actor, event.from_status, event.to_status) == (
        mentee,
        GoalStatus.APPROVED,
        GoalStatus.IN_PROGRESS,
    )


def test_a_refused_first_log_does_not_start_the_goal(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.APPROVED)
    with _refused(field="value"):
        services.log_progress(goal=goal, by=mentee)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.APPROVED


@pytest.mark.parametrize(
    "status",
    [
        GoalStatus.DRAFT,
        GoalStatus.SUBMITTED,
        GoalStatus.CHANGES_REQUESTED,
        GoalStatus.ACHIEVED,
        GoalStatus.NOT_ACHIEVED,
        GoalStatus.ABANDONED,
    ],
)
def test_progress_is_only_logged_on_approved_goals(
    status: str, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal(status)
    with _refused("Progress can be logged once the goal is approved."):
        services.log_progress(goal=goal, by=mentee, value=Decimal(30))
    goal.refresh_from_db()
    assert goal.current_value is None


@pytest.mark.parametrize("who", ["mentor", "stranger"])
def test_only_the_mentee_logs_progress(
    who: str, request: pytest.FixtureRequest, make_goal: MakeGoal
) -> None:
    goal = make_goal(GoalStatus.APPROVED)
    with _denied():
        services.log_progress(goal=goal, by=request.getfixturevalue(who), value=Decimal(30))
    goal.refresh_from_db()
    assert (goal.status, goal.current_value) == (GoalStatus.APPROVED, None)


# --- comment_on_goal ----------------------------------------------------------------------


@pytest.mark.parametrize(("author", "reader"), [("mentee", "mentor"), ("mentor", "mentee")])
def test_either_side_comments_and_the_other_is_emailed(
    author: str,
    reader: str,
    request: pytest.FixtureRequest,
    make_goal: MakeGoal,
    django_capture_on_commit_callbacks,
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    by, other = request.getfixturevalue(author), request.getfixturevalue(reader)
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_on_goal(goal=goal, by=by, body="  Could we add a date?  ")

    comment.refresh_from_db()
    assert (comment.goal, comment.author, comment.body) == (goal, by, "Could we add a date?")
    (row,) = emails("goal_comment")
    assert row.to == [other.email]
    (sent,) = mail.outbox
    assert sent.to == [other.email]
    assert by.get_full_name() in sent.subject
    assert "Improve NPS from 20 to 40" in sent.subject
    assert "Could we add a date?" in sent.body
    assert f"http://testserver{goal.get_absolute_url()}" in sent.body


def test_every_comment_sends_its_own_email(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal()
    services.comment_on_goal(goal=goal, by=mentee, body="Thanks!")
    services.comment_on_goal(goal=goal, by=mentee, body="Thanks!")
    assert goal.comments.count() == 2
    assert len(emails("goal_comment")) == 2


def test_a_stranger_cannot_comment(make_goal: MakeGoal, stranger: User) -> None:
    goal = make_goal()
    with _denied():
        services.comment_on_goal(goal=goal, by=stranger, body="Looks great!")


@pytest.mark.parametrize("body", ["", "  \n\t "])
def test_an_empty_comment_is_refused(body: str, make_goal: MakeGoal, mentor: User) -> None:
    goal = make_goal()
    with _refused("Write a comment first.", field="body"):
        services.comment_on_goal(goal=goal, by=mentor, body=body)
