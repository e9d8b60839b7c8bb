"""How the OpenAPI schema describes the API beyond what drf-spectacular infers: our token
authentication, and the error answers every operation may give, so that a client (and
schemathesis) knows a 401 or a 429 is part of the contract."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

ERROR = {
    "type": "object",
    "description": "DRF's error body: {'detail': ...}, or field names with their messages.",
    "additionalProperties": True,
}
ERRORS = {
    "400": "The request or one of its fields is not valid.",
    "401": "No token, an unknown one, or a revoked one.",
    "403": "The token's owner may no longer use the API.",
    "404": "No such object among your cohorts, or no such page.",
    "429": "Too many requests with this token; retry after the Retry-After seconds.",
}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A programme admin's API token, made in the admin (API tokens).",
        }


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            responses.setdefault(
                code,
                {"description": description, "content": {"application/json": {"schema": ERROR}}},
            )
        return responses
