"""Admin pages for invitations and import batches, scoped to the viewer's cohorts."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from accounts.http import signed_in_user
from matching.admin_scoping import CohortFilter, CohortScopedAdmin
from matching.models import Role
from programmes.models import ImportBatch, Invitation
from programmes.services import invitations


class AcceptedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("pending", gettext("Pending")), ("accepted", gettext("Accepted"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("pending", "accepted"):
            return queryset.filter(accepted_at__isnull=self.value() == "pending")
        return queryset


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ("cohort", "email", "name", "role", "capacity")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("capacity") is not None and data.get("role") != Role.MENTOR:
            self.add_error("capacity", gettext("Capacity is for mentors only: leave it empty."))
        cohort, email = data.get("cohort"), data.get("email")
        if cohort and email:
            roles = invitations.enrolled_roles(cohort=cohort, emails=[email]).get(email)
            if roles:
                self.add_error("email", invitations.already_enrolled_message(roles, cohort.name))
        return data


@admin.register(Invitation)
class InvitationAdmin(CohortScopedAdmin):
    form = InvitationForm
    list_display = (
        "email",
        "name",
        "cohort",
        "role",
        "capacity",
        "status",
        "sent_count",
        "last_sent_at",
        "accepted_at",
    )
    list_filter = (CohortFilter, AcceptedFilter, "role")
    list_select_related = ("cohort",)
    search_fields = ("email", "name")
    ordering = ("-created_at",)
    actions = ["resend"]
    readonly_fields = (
        "created_at",
        "invited_by",
        "batch",
        "sent_count",
        "last_sent_at",
        "accepted_at",
        "accepted_by",
    )

    @admin.display(description=_("status"))
    def status(self, invitation: Invitation) -> str:
        return gettext("Accepted") if invitation.is_accepted else gettext("Pending")

    def get_fields(self, request: HttpRequest, obj: Invitation | None = None) -> tuple[str, ...]:
        fields = InvitationForm.Meta.fields
        return fields if obj is None else (*fields, *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Invitation | None = None) -> tuple:
        # Who was invited to what is fixed once the email has gone out.
        if obj is not None:
            return (*InvitationForm.Meta.fields, *self.readonly_fields)
        return ()

    def save_model(
        self, request: HttpRequest, obj: Invitation, form: ModelForm, change: bool
    ) -> None:
        if change:
            return
        data = form.cleaned_data
        created = invitations.invite(
            cohort=data["cohort"],
            email=data["email"],
            name=data.get("name", ""),
            role=data["role"],
            capacity=data.get("capacity"),
            by=signed_in_user(request),
        )
        # The admin goes on with ``obj`` (log entry, redirect): make it the saved row.
        obj.pk, obj.token, obj.created_at = created.pk, created.token, created.created_at
        obj._state.adding = False

    def has_delete_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        # An accepted invitation is the record of how someone joined.
        if obj is not None and obj.is_accepted:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Resend invitation"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        pending = queryset.filter(accepted_at__isnull=True)
        accepted = queryset.count() - pending.count()
        sent = invitations.resend_invitations(invitations=pending, by=signed_in_user(request))
        message = ngettext(
            "Sent %(count)s invitation again.", "Sent %(count)s invitations again.", sent
        )
        self.message_user(request, message % {"count": sent}, messages.SUCCESS)
        if accepted:
            self.message_user(
                request,
                gettext("Skipped %(count)s already accepted: nothing to resend.")
                % {"count": accepted},
                messages.WARNING,
            )


def _preview_label(batch: ImportBatch) -> str:
    if batch.applied_at:
        return pgettext("a link to an import that is done", "Open")
    return gettext("Follow the import") if batch.is_working else gettext("Review")


@admin.register(ImportBatch)
class ImportBatchAdmin(CohortScopedAdmin):
    """Read-only: batches are made by uploading on the cohort's page and applied there."""

    list_display = (
        "filename",
        "cohort",
        "uploaded_by",
        "created_at",
        "row_count",
        "error_count",
        "status",
        "progress",
        "applied_at",
        "imported_count",
        "skipped_count",
        "preview",
    )
    list_filter = (CohortFilter, "status")
    list_select_related = ("cohort", "uploaded_by")
    search_fields = ("filename",)
    fields = (
        "cohort",
        "filename",
        "uploaded_by",
        "created_at",
        "status",
        "progress",
        "error",
        "applied_at",
        "applied_by",
        "imported_count",
        "skipped_count",
        "preview",
    )
    readonly_fields = fields

    @admin.display(description=_("rows"))
    def row_count(self, batch: ImportBatch) -> int:
        return len(batch.rows)

    @admin.display(description=_("errors"))
    def error_count(self, batch: ImportBatch) -> int:
        return len(batch.error_rows)

    @admin.display(description=_("progress"))
    def progress(self, batch: ImportBatch) -> str:
        return f"{batch.rows_done} / {batch.rows_total}" if batch.rows_total else "–"

    @admin.display(description=_("preview"))
    def preview(self, batch: ImportBatch) -> str:
        url = reverse("admin:programmes_cohort_import_preview", args=[batch.cohort_id, batch.pk])
        return format_html('<a href="{}">{}</a>', url, _preview_label(batch))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportBatch | None = None) -> bool:
        return False
