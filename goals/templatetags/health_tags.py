"""The mentorship page is matching's, and matching may not read goals: its template
asks here whether a check is open for the viewer."""

from django import template

from accounts.models import User
from goals.models import FitCheck
from goals.services import health
from matching.models import Mentorship

register = template.Library()


@register.simple_tag
def open_check(mentorship: Mentorship, user: User) -> FitCheck | None:
    return health.open_check(mentorship, user)
