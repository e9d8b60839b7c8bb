from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from accounts.models import User
from api.models import ApiToken
from api.selectors import may_use_api


class IsProgrammeAdminToken(permissions.BasePermission):
    """A token of someone who may use the API now: a superuser or a programme admin
    (staff, in the Programme admin group). Which cohorts they read is the selectors' job."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return isinstance(request.auth, ApiToken) and isinstance(user, User) and may_use_api(user)
