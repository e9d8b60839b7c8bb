from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import ModelAdmin
from core.outbox.models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ModelAdmin):
    list_display = ("subject", "recipients", "status", "attempts", "created_at", "sent_at")
    list_filter = ("template", ("sent_at", admin.EmptyFieldListFilter), "failed_at")
    search_fields = ("subject", "key", "to")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]

    @admin.display(description=_("to"))
    def recipients(self, obj: OutboxEmail) -> str:
        return ", ".join(obj.to)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
