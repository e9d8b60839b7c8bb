"""SCIM 2.0 Users (RFC 7643/7644), enough for an identity provider's deprovisioning:
list and filter (``userName eq "..."``), read, create, replace, patch and delete, where
``active: false`` and DELETE both deactivate (matching.services.deactivation), never
delete: a person's data follows the privacy rules, not the identity provider.

The bearer token is an API token (api.authentication). A superuser's token sees and
creates every account; a programme admin's token sees, deactivates and reactivates the
people enrolled in their programmes, and creates nobody (people join a programme by
invitation). Anyone else is 404, like the rest of the API.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from allauth.account.models import EmailAddress
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from accounts.models import User
from api.selectors import scoped_cohorts
from matching.services.deactivation import deactivate_person, reactivate_person

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
MAX_COUNT = 200


class ScimRenderer(JSONRenderer):
    media_type = "application/scim+json"


class ScimParser(JSONParser):
    media_type = "application/scim+json"


class ScimError(exceptions.APIException):
    def __init__(self, status_code: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.scim_type = scim_type


def _error(status_code: int, detail: str, scim_type: str = "") -> Response:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status_code), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return Response(body, status=status_code)


def _as_bool(value: Any) -> bool:
    # Some identity providers (Entra ID) send "False" as a string.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ScimError(400, _("“active” must be true or false."), "invalidValue")


def visible_users(by: User) -> QuerySet[User]:
    if by.is_superuser:
        return User.objects.all()
    cohorts = scoped_cohorts(by).values("pk")
    return User.objects.filter(
        pk__in=User.objects.filter(enrollments__cohort__in=cohorts).values("pk")
    )


def _resource(user: User, request: Request) -> dict[str, Any]:
    profile = getattr(user, "profile", None)
    location = request.build_absolute_uri(f"/scim/v2/Users/{user.pk}")
    data: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "id": str(user.pk),
        "userName": user.email,
        "emails": [{"value": user.email, "primary": True, "type": "work"}],
        "active": user.is_active,
        "meta": {
            "resourceType": "User",
            "created": user.date_joined.isoformat(),
            "location": location,
        },
    }
    if profile is not None and profile.display_name:
        data["displayName"] = profile.display_name
    return data


class ScimView(APIView):
    renderer_classes = [ScimRenderer, JSONRenderer]
    parser_classes = [ScimParser, JSONParser]
    # Outside the OpenAPI schema: SCIM clients read RFC 7644, not our schema.
    schema = None

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ScimError):
            return _error(exc.status_code, str(exc.detail), exc.scim_type)
        if isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied()
        response = super().handle_exception(exc)
        if isinstance(exc, exceptions.APIException):
            detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
            scim_type = "invalidSyntax" if isinstance(exc, exceptions.ParseError) else ""
            scim = _error(response.status_code, detail, scim_type)
            for header, value in response.items():
                scim[header] = value
            return scim
        return response

    def get_exception_handler(self) -> Any:
        return exception_handler

    def by(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    def get_user(self, pk: int) -> User:
        user = visible_users(self.by()).select_related("profile").filter(pk=pk).first()
        if user is None:
            raise ScimError(404, _("No such user."))
        return user

    def set_active(self, user: User, active: bool) -> User:
        if active:
            return reactivate_person(user=user, by=self.by())
        return deactivate_person(user=user, by=self.by())


def _filter_email(expression: str) -> str:
    """The one filter identity providers send before creating someone:
    ``userName eq "ana@example.org"``."""
    parts = expression.strip().split(None, 2)
    if (
        len(parts) != 3
        or parts[0].lower() != "username"
        or parts[1].lower() != "eq"
        or len(parts[2]) < 2
        or not (parts[2].startswith('"') and parts[2].endswith('"'))
    ):
        raise ScimError(400, _('Only the filter userName eq "…" is supported.'), "invalidFilter")
    return parts[2][1:-1]


def _positive(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return max(int(raw), 0 if name == "count" else 1)
    except ValueError:
        raise ScimError(400, _("“%(name)s” must be a whole number.") % {"name": name}) from None


class UserList(ScimView):
    def get(self, request: Request) -> Response:
        users = visible_users(self.by()).select_related("profile").order_by("pk")
        if "filter" in request.query_params:
            users = users.filter(email__iexact=_filter_email(request.query_params["filter"]))
        start = _positive(request, "startIndex", 1)
        count = min(_positive(request, "count", 100), MAX_COUNT)
        total = users.count()
        page = list(users[start - 1 : start - 1 + count])
        return Response(
            {
                "schemas": [LIST_SCHEMA],
                "totalResults": total,
                "startIndex": start,
                "itemsPerPage": len(page),
                "Resources": [_resource(u, request) for u in page],
            }
        )

    def post(self, request: Request) -> Response:
        if not self.by().is_superuser:
            raise ScimError(
                403,
                _("Only a site administrator's token creates accounts: invite people instead."),
            )
        data = request.data if isinstance(request.data, dict) else {}
        email = data.get("userName")
        if not isinstance(email, str) or not email.strip():
            raise ScimError(400, _("userName (an email address) is required."), "invalidValue")
        email = email.strip().lower()
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ScimError(400, _("userName must be an email address."), "invalidValue") from None
        active = _as_bool(data.get("active", True))
        try:
            with transaction.atomic():
                if User.objects.filter(email__iexact=email).exists():
                    raise IntegrityError
                user = User.objects.create_user(email=email, password=None, is_active=active)
                # The identity provider vouches for the address: no verification email.
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        except IntegrityError:
            raise ScimError(409, _("A user with this userName exists."), "uniqueness") from None
        return Response(_resource(user, request), status=status.HTTP_201_CREATED)


class UserDetail(ScimView):
    def get(self, request: Request, pk: int) -> Response:
        return Response(_resource(self.get_user(pk), request))

    def put(self, request: Request, pk: int) -> Response:
        user = self.get_user(pk)
        data = request.data if isinstance(request.data, dict) else {}
        email = data.get("userName")
        if isinstance(email, str) and email.strip().lower() != user.email.lower():
            raise ScimError(
                400, _("userName cannot change here: the person changes it."), "mutability"
            )
        if "active" in data:
            user = self.set_active(user, _as_bool(data["active"]))
        return Response(_resource(self.get_user(pk), request))

    def patch(self, request: Request, pk: int) -> Response:
        user = self.get_user(pk)
        data = request.data if isinstance(request.data, dict) else {}
        operations = data.get("Operations")
        if not isinstance(operations, list) or not operations:
            raise ScimError(400, _("A PATCH needs a list of Operations."), "invalidSyntax")
        for operation in operations:
            if not isinstance(operation, dict):
                raise ScimError(400, _("Each operation is an object."), "invalidSyntax")
            op = str(operation.get("op", "")).lower()
            if op not in ("replace", "add"):
                raise ScimError(400, _("Only replace and add are supported."), "invalidValue")
            path, value = operation.get("path"), operation.get("value")
            if path is None and isinstance(value, dict):
                changes = value
            elif isinstance(path, str):
                changes = {path: value}
            else:
                raise ScimError(400, _("An operation needs a path or an object value."), "noTarget")
            for name, given in changes.items():
                if str(name).lower() == "active":
                    user = self.set_active(user, _as_bool(given))
                # Other attributes (names, phone numbers...) are the person's to keep.
        return Response(_resource(self.get_user(pk), request))

    def delete(self, request: Request, pk: int) -> Response:
        self.set_active(self.get_user(pk), False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceProviderConfig(ScimView):
    def get(self, request: Request) -> Response:
        no = {"supported": False}
        return Response(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": MAX_COUNT},
                "changePassword": no,
                "sort": no,
                "etag": no,
                "authenticationSchemes": [
                    {
                        "type": "oauthbearertoken",
                        "name": "API token",
                        "description": "A programme admin's or superuser's API token.",
                    }
                ],
            }
        )
