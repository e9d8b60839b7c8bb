"""Matching's answers to pages of lower apps: a profile page shows a mentor's places
through a tag, so the profiles app itself never imports matching."""

from django import template

from accounts.models import User
from matching import selectors

register = template.Library()


@register.inclusion_tag("matching/_capacity_summary.html")
def capacity_summary(user: User) -> dict[str, object]:
    """The mentor's places: their own number across programmes, and each programme's
    own limit, in words."""
    return {"summary": selectors.capacity_summary(user)}
