from django import template
from django.utils import timezone

from goals.models import Meeting
from matching.models import Mentorship

register = template.Library()


@register.simple_tag
def next_meeting(mentorship: Mentorship) -> Meeting | None:
    """The next scheduled meeting of a mentorship page's mentorship, if any."""
    return mentorship.meetings.scheduled().filter(starts_at__gt=timezone.now()).first()
