"""Rules that hold over time: stale drafts, ended mentorships, edits that keep the start."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from goals import services
from goals.models import Goal, GoalStatus, ProgressUpdate
from matching.services import end_mentorship
from tests.goals.conftest import metric_draft, milestones_draft

pytestmark = pytest.mark.django_db


def test_a_draft_whose_date_has_passed_cannot_be_submitted(make_goal, mentee):
    goal = make_goal()
    Goal.objects.filter(pk=goal.pk).update(
        starts_on=timezone.localdate() - timedelta(days=30),
        target_date=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="Edit the goal before submitting it"):
        services.submit_goal(goal=Goal.objects.get(pk=goal.pk), by=mentee)
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.DRAFT


def test_after_the_mentorship_ends_goals_can_only_be_closed(make_goal, mentorship, mentee, mentor):
    draft = make_goal()
    running = make_goal(GoalStatus.IN_PROGRESS)
    end_mentorship(mentorship=mentorship, by=mentor, outcome="completed")
    with pytest.raises(ValidationError, match="ended"):
        services.submit_goal(goal=draft, by=mentee)
    with pytest.raises(ValidationError, match="ended"):
        services.log_progress(goal=running, by=mentee, value=30)
    with pytest.raises(ValidationError, match="ended"):
        services.comment_on_goal(goal=running, by=mentor, body="Well done")
    closed = services.close_goal(goal=running, by=mentee, outcome=GoalStatus.ACHIEVED)
    assert closed.status == GoalStatus.ACHIEVED


def test_editing_without_a_start_date_keeps_the_original_start(make_goal, mentorship, mentee):
    goal = make_goal()
    original = timezone.localdate() - timedelta(days=3)
    Goal.objects.filter(pk=goal.pk).update(starts_on=original)
    services.save_goal(
        mentorship=mentorship,
        by=mentee,
        draft=metric_draft(title="Give three talks at the Python meetup", starts_on=None),
        goal=Goal.objects.get(pk=goal.pk),
    )
    assert Goal.objects.get(pk=goal.pk).starts_on == original


def test_a_milestones_goal_does_not_keep_a_stray_value(make_goal, mentee):
    goal = make_goal(GoalStatus.IN_PROGRESS, draft=milestones_draft())
    first = goal.milestones.first()
    update = services.log_progress(goal=goal, by=mentee, value=99, milestone_ids=[first.pk])
    assert ProgressUpdate.objects.get(pk=update.pk).value is None
