"""Matching and goals say what changed; webhooks queue it for the endpoints that want it."""

from typing import Any

from django.dispatch import receiver

from goals.signals import goals_achieved
from matching.signals import mentorships_ended, mentorships_started
from webhooks import payloads, services
from webhooks.models import Event


@receiver(mentorships_started)
def _started(sender: Any, mentorship_ids: list[int], **kwargs: Any) -> None:
    services.record(Event.MENTORSHIP_STARTED, payloads.mentorships(mentorship_ids))


@receiver(mentorships_ended)
def _ended(sender: Any, mentorship_ids: list[int], **kwargs: Any) -> None:
    services.record(Event.MENTORSHIP_ENDED, payloads.mentorships(mentorship_ids))


@receiver(goals_achieved)
def _achieved(sender: Any, goal_ids: list[int], **kwargs: Any) -> None:
    services.record(Event.GOAL_ACHIEVED, payloads.goals(goal_ids))
