"""Webhook endpoints and their delivery log, for the people who run the deployment.

Programme admins' group has no permission on these models: an endpoint can receive
every programme's events, so only superusers (or staff given the permissions) see them.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ModelAdmin
from webhooks import services
from webhooks.models import Delivery, Endpoint, Event


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where each event is posted as JSON, e.g. https://hr.example.com/hooks."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each one is posted to the address as it happens."),
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "cohort", "is_active"]


@admin.register(Endpoint)
class EndpointAdmin(ModelAdmin):
    form = EndpointForm
    list_display = ("name", "url", "cohort", "is_active", "delivered", "waiting", "given_up")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = ("secret", "created_at")
    autocomplete_fields = ("cohort",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Endpoint]:
        return (
            super()
            .get_queryset(request)
            .select_related("cohort")
            .annotate(
                n_delivered=Count("deliveries", filter=Q(deliveries__delivered_at__isnull=False)),
                n_failed=Count("deliveries", filter=Q(deliveries__failed_at__isnull=False)),
                n_waiting=Count(
                    "deliveries",
                    filter=Q(
                        deliveries__delivered_at__isnull=True, deliveries__failed_at__isnull=True
                    ),
                ),
            )
            # Counting groups rows, and Django then leaves out Meta.ordering.
            .order_by("name", "pk")
        )

    @admin.display(description=_("delivered"))
    def delivered(self, obj: Any) -> int:
        return int(obj.n_delivered)

    @admin.display(description=_("waiting"))
    def waiting(self, obj: Any) -> int:
        return int(obj.n_waiting)

    @admin.display(description=_("given up"))
    def given_up(self, obj: Any) -> int:
        return int(obj.n_failed)


class DeliveryStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("delivered", _("delivered")),
            ("waiting", _("waiting or retrying")),
            ("failed", _("given up")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> QuerySet[Delivery]:
        match self.value():
            case "delivered":
                return queryset.filter(delivered_at__isnull=False)
            case "waiting":
                return queryset.pending()  # type: ignore[attr-defined]
            case "failed":
                return queryset.filter(failed_at__isnull=False)
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(ModelAdmin):
    list_display = (
        "created_at",
        "event",
        "endpoint",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = (DeliveryStateFilter, "event", "endpoint")
    list_select_related = ("endpoint",)
    search_fields = ("key", "=delivery_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["try_again_now"]

    @admin.display(description=_("state"))
    def state(self, obj: Delivery) -> str:
        return obj.status

    @admin.action(description=_("Try the selected deliveries again now"))
    def try_again_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = services.retry_now(deliveries=queryset)
        services.sweep()
        messages.success(
            request,
            ngettext(
                "%(count)d delivery is being tried again.",
                "%(count)d deliveries are being tried again.",
                count,
            )
            % {"count": count},
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Read-only, but the action needs change rights: only the action uses them.
        return obj is None and super().has_change_permission(request)
