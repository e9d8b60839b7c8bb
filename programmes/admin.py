from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, reverse
from django.utils.translation import gettext as _

from matching.admin import CohortAdmin
from matching.models import Cohort
from programmes import admin_invitations, admin_surveys  # noqa: F401 - they register models
from programmes.admin_imports import ImportAdminMixin
from programmes.admin_reports import ReportAdminMixin
from programmes.selectors import programme_health

# The cohort page grows the programme admin's tools; matching stays unaware of them.
admin.site.unregister(Cohort)


@admin.register(Cohort)
class ProgrammeCohortAdmin(ImportAdminMixin, ReportAdminMixin, CohortAdmin):
    actions = [
        *CohortAdmin.actions,
        *ImportAdminMixin.import_actions,
        *ReportAdminMixin.report_actions,
    ]

    def get_urls(self) -> list[URLPattern]:
        return [*self.import_urls(), *self.report_urls(), *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The cohort's console: its numbers, buttons for the programme's work, and the
        # lists of its people and their mentoring, filtered to it. None of it grows
        # with the cohort: the lists are the admin's own paginated change lists.
        cohort = self.get_object(request, object_id) if str(object_id).isdigit() else None
        console = {}
        if cohort is not None and self.has_view_permission(request, cohort):
            console = {
                "health": programme_health([cohort])[0],
                "lists": _cohort_lists(cohort),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "can_run": request.user.has_perm("matching.add_matchrun"),
                "can_change": self.has_change_permission(request, cohort),
            }
        return super().change_view(
            request, object_id, form_url, {**console, **(extra_context or {})}
        )


def _cohort_lists(cohort: Cohort) -> list[tuple[str, str]]:
    """The admin lists of one cohort's rows: (label, filtered change list address)."""
    lists = [
        (_("Mentors"), "matching_enrollment", "&role__exact=mentor"),
        (_("Mentees"), "matching_enrollment", "&role__exact=mentee"),
        (_("Requests"), "matching_mentorshiprequest", ""),
        (_("Mentorships"), "matching_mentorship", ""),
        (_("Goals"), "goals_goal", ""),
        (_("Meetings"), "goals_meeting", ""),
        (_("Invitations"), "programmes_invitation", ""),
        (_("Stated choices"), "matching_preference", ""),
        (_("Match runs"), "matching_matchrun", ""),
        (_("Survey responses"), "programmes_surveyresponse", ""),
        (_("Audit log"), "matching_auditentry", ""),
    ]
    return [
        (label, reverse(f"admin:{name}_changelist") + f"?cohort={cohort.pk}{extra}")
        for label, name, extra in lists
    ]
