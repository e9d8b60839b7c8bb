"""Matching and goals say what changed; webhooks queue it for the endpoints that want it."""

from collections.abc import Callable
from typing import Any

from django.dispatch import receiver

from goals.signals import goals_achieved
from matching.signals import mentorships_ended, mentorships_started
from webhooks import payloads, services
from webhooks.models import Event


def _record(event: str, build: Callable[[], list[tuple[int, int, dict[str, Any]]]]) -> None:
    # Accepting a request or closing a goal pays one small query when no endpoint
    # listens; the payloads (a join over people and profiles) only when one does.
    endpoints = services.endpoints_for(event)
    if endpoints:
        services.record(event, build(), endpoints=endpoints)


@receiver(mentorships_started)
def _started(sender: Any, mentorship_ids: list[int], **kwargs: Any) -> None:
    _record(Event.MENTORSHIP_STARTED, lambda: payloads.mentorships(mentorship_ids))


@receiver(mentorships_ended)
def _ended(sender: Any, mentorship_ids: list[int], **kwargs: Any) -> None:
    _record(Event.MENTORSHIP_ENDED, lambda: payloads.mentorships(mentorship_ids))


@receiver(goals_achieved)
def _achieved(sender: Any, goal_ids: list[int], **kwargs: Any) -> None:
    _record(Event.GOAL_ACHIEVED, lambda: payloads.goals(goal_ids))
