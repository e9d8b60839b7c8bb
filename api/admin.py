"""API tokens in the admin: each programme admin makes, sees and revokes their own.

The secret is shown once, on the page that follows "Save", and never stored: the table
holds its SHA-256. Superusers see everyone's tokens, to revoke a leaked one.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.http import signed_in_user
from api import services
from api.models import ApiToken
from api.selectors import may_use_api
from core.admin import ModelAdmin


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    form = ApiTokenForm
    list_display = ("name", "prefix", "owner", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    # A permission of its own: whoever may use the API manages their own tokens; the
    # group's model permissions are for cohort data.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_use_api(signed_in_user(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The name is fixed once made; revoking is an action on the list.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        user = signed_in_user(request)
        tokens = super().get_queryset(request).select_related("user")
        return tokens if user.is_superuser else tokens.filter(user=user)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("name",) if obj is None else ("name", *self.readonly_fields)

    @admin.display(description=gettext_lazy("owner"), ordering="user__email")
    def owner(self, token: ApiToken) -> str:
        return token.user.email

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        try:
            token, secret = services.create_token(
                user=signed_in_user(request), name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            raise PermissionDenied from exc
        obj.pk = token.pk
        # Kept on the request only, for the page that shows it once.
        request.api_token_secret = secret  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Your new API token"),
            "token": obj,
            "secret": getattr(request, "api_token_secret", ""),
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/api/token_created.html", context)
        # Never cache the one page that shows the secret.
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        user = signed_in_user(request)
        count = 0
        for token in queryset:
            services.revoke_token(token=token, by=user)
            count += 1
        message = ngettext("Revoked %(count)d token.", "Revoked %(count)d tokens.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
