from django.contrib import admin
from django.urls import URLPattern

from matching.admin import CohortAdmin
from matching.models import Cohort
from programmes import admin_invitations, admin_surveys  # noqa: F401 - they register models
from programmes.admin_imports import ImportAdminMixin
from programmes.admin_reports import ReportAdminMixin

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
