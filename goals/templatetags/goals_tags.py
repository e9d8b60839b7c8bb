from django import template

from goals.services import meetings
from matching.models import Mentorship

register = template.Library()


@register.simple_tag
def follow_through(mentorship: Mentorship) -> meetings.FollowThrough:
    """The last and next meetings of a mentorship page's mentorship, and its open action
    items from both sides."""
    return meetings.follow_through(mentorship)
