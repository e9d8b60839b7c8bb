"""The dashboard's "Up next" card: meetings, action items, goals due, reviews waiting."""

import zoneinfo
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from goals.models import ActionItem, Goal, GoalStatus, Meeting
from goals.selectors import up_next
from tests.factories import ProfileFactory
from tests.goals.conftest import days

pytestmark = pytest.mark.django_db


def _meeting(mentorship, by, hours: float, **fields):
    return Meeting.objects.create(
        mentorship=mentorship,
        scheduled_by=by,
        starts_at=timezone.now() + timedelta(hours=hours),
        format="video",
        **fields,
    )


def test_both_sides_see_the_next_meetings_but_not_cancelled_or_past_ones(
    mentorship, mentee, mentor
):
    upcoming = _meeting(mentorship, mentee, 24)
    _meeting(mentorship, mentee, 48, status="cancelled")
    _meeting(mentorship, mentee, -30)
    assert up_next(mentee).meetings == [upcoming]
    assert up_next(mentor).meetings == [upcoming]
    assert up_next(ProfileFactory().user).meetings == []


def test_only_my_open_action_items_show(mentorship, mentee, mentor):
    meeting = _meeting(mentorship, mentee, -2)
    mine = ActionItem.objects.create(meeting=meeting, owner=mentee, title="Outline", due_on=days(3))
    ActionItem.objects.create(meeting=meeting, owner=mentor, title="Send the book")
    ActionItem.objects.create(
        meeting=meeting, owner=mentee, title="Done already", done_at=timezone.now()
    )
    assert up_next(mentee).action_items == [mine]


def test_goals_due_within_two_weeks_show_for_the_mentee_only(make_goal, mentee, mentor):
    soon = make_goal(GoalStatus.IN_PROGRESS)
    Goal.objects.filter(pk=soon.pk).update(target_date=days(5))
    make_goal(GoalStatus.IN_PROGRESS)  # due in 60 days
    assert [g.pk for g in up_next(mentee).goals_due] == [soon.pk]
    assert up_next(mentor).goals_due == []


def test_the_dashboard_shows_the_card_with_times_in_my_zone(client, mentorship, mentee, mentor):
    mentee.profile.time_zone = "Asia/Tokyo"
    mentee.profile.save()
    meeting = _meeting(mentorship, mentor, 24)
    client.force_login(mentee)
    html = client.get(reverse("dashboard")).content.decode()
    local = timezone.localtime(meeting.starts_at, timezone=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert "Up next" in html and local.strftime("%H:%M") in html and "Asia/Tokyo" in html


def test_no_card_when_nothing_is_coming(client, mentee):
    client.force_login(mentee)
    assert "Up next" not in client.get(reverse("dashboard")).content.decode()


def test_a_mentor_sees_how_many_goals_wait_for_review(client, make_goal, mentor):
    make_goal(GoalStatus.SUBMITTED)
    client.force_login(mentor)
    html = client.get(reverse("dashboard")).content.decode()
    assert "1 goal waits for your review" in html
