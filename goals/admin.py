from django.contrib import admin

from goals.models import Goal, GoalComment, GoalEvent, Milestone, ProgressUpdate


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


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("title", "mentorship", "status", "target_date", "updated_at")
    list_filter = ("status", "measure", "mentorship__cohort")
    search_fields = ("title", "mentorship__mentee_enrollment__user__email")
    raw_id_fields = ("mentorship",)
    inlines = [MilestoneInline, GoalEventInline]


admin.site.register(ProgressUpdate)
admin.site.register(GoalComment)
