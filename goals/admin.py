from django.contrib import admin

from goals.models import (
    ActionItem,
    Goal,
    GoalComment,
    GoalEvent,
    Meeting,
    Milestone,
    Obstacle,
    ProgressUpdate,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class GoalEventInline(admin.TabularInline):
    model = GoalEvent
    extra = 0
    can_delete = False
    readonly_fields = ("actor", "from_status", "to_status", "comment", "created_at")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


class ObstacleInline(admin.TabularInline):
    model = Obstacle
    extra = 0
    fields = ("category", "description", "advice", "resolved_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("title", "mentorship", "status", "target_date", "updated_at")
    list_filter = ("status", "measure", "mentorship__cohort")
    search_fields = ("title", "mentorship__mentee_enrollment__user__email")
    raw_id_fields = ("mentorship",)
    inlines = [MilestoneInline, GoalEventInline, ObstacleInline]


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ("title", "owner", "due_on", "goal", "done_at")
    raw_id_fields = ("owner", "goal")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    # Notes are left out on purpose: private ones belong to their writer alone.
    list_display = ("mentorship", "starts_at", "duration_minutes", "format", "status")
    list_filter = ("status", "format", "mentorship__cohort")
    date_hierarchy = "starts_at"
    search_fields = (
        "mentorship__mentee_enrollment__user__email",
        "mentorship__mentor_enrollment__user__email",
    )
    raw_id_fields = ("mentorship", "scheduled_by", "cancelled_by")
    readonly_fields = ("uid", "sequence", "created_at", "updated_at")
    inlines = [ActionItemInline]


@admin.register(Obstacle)
class ObstacleAdmin(admin.ModelAdmin):
    list_display = ("goal", "category", "created_at", "advised_at", "resolved_at")
    list_filter = ("category", "goal__mentorship__cohort")
    raw_id_fields = ("goal", "raised_by", "advised_by", "resolved_by")


admin.site.register(ProgressUpdate)
admin.site.register(GoalComment)
