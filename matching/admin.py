"""Plain admin pages for matching. The purpose-built back office (scoped programme
admins, imports, match runs, reports) comes with the programme administration work."""

from django.contrib import admin

from matching.models import (
    Cohort,
    Enrollment,
    Introduction,
    Mentorship,
    MentorshipFeedback,
    MentorshipRequest,
)


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["user"]
    fields = ("user", "role", "status", "capacity_override", "joined_at")


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "is_enrollment_open", "join_mode", "is_default")
    list_filter = ("is_enrollment_open", "join_mode", "matching_mode")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("user", "cohort", "role", "status", "capacity_override", "joined_at")
    list_filter = ("cohort", "role", "status")
    search_fields = ("user__email", "user__profile__display_name")
    list_select_related = ("user", "cohort")
    autocomplete_fields = ["user"]


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "cohort", "status", "created_at", "expires_at", "responded_at")
    list_filter = ("cohort", "status")
    search_fields = ("mentee_enrollment__user__email", "mentor_enrollment__user__email")
    list_select_related = ("cohort", "mentee_enrollment__user", "mentor_enrollment__user")
    raw_id_fields = ("mentee_enrollment", "mentor_enrollment")
    date_hierarchy = "created_at"


class FeedbackInline(admin.TabularInline):
    model = MentorshipFeedback
    extra = 0
    readonly_fields = ("author", "rating", "comment", "created_at")
    can_delete = False


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ("__str__", "cohort", "status", "started_at", "ended_at")
    list_filter = ("cohort", "status")
    search_fields = ("mentee_enrollment__user__email", "mentor_enrollment__user__email")
    list_select_related = ("cohort", "mentee_enrollment__user", "mentor_enrollment__user")
    raw_id_fields = ("mentee_enrollment", "mentor_enrollment", "request", "ended_by")
    inlines = [FeedbackInline]


@admin.register(Introduction)
class IntroductionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "created_at", "responded_at")
    list_filter = ("status",)
    raw_id_fields = ("mentorship", "contact")
