"""Survey answers in the admin: read-only, and only for the admins of that cohort."""

from django.contrib import admin
from django.http import HttpRequest

from matching.admin_scoping import CohortScopedAdmin, cohort_filter
from programmes.models import SurveyResponse

ANSWER_FIELDS = ("satisfaction", "recommend", "goal_progress", "comments", "answered_at")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(CohortScopedAdmin):
    cohort_path = "cohort"
    list_display = (
        "user",
        "cohort",
        "kind",
        "role",
        "sent_at",
        "answered_at",
        "satisfaction",
        "recommend",
        "goal_progress",
    )
    list_filter = (
        cohort_filter("cohort"),
        "kind",
        "role",
        ("answered_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("user", "cohort")
    search_fields = ("user__email",)
    date_hierarchy = "sent_at"
    # The token is left out: it answers the survey in the person's name.
    fields = ("cohort", "user", "role", "kind", "sent_at", *ANSWER_FIELDS)
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
