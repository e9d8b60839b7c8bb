"""Admin pages for goals and meetings, scoped like matching's: a programme admin sees
only the goals, meetings and obstacles of the cohorts they run."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import (
    ActionItem,
    FitCheck,
    Goal,
    GoalComment,
    GoalEvent,
    Meeting,
    Milestone,
    Obstacle,
    ProgressUpdate,
)
from goals.selectors import (
    FLAG_IDLE_DAYS,
    NO_MEETING_DAYS,
    goals_behind_plan,
    poor_fit_mentorships,
    quiet_mentorships,
)
from matching.admin import MentorshipAdmin
from matching.admin_scoping import CohortScopedAdmin, CohortScopedInline, cohort_filter
from matching.models import Mentorship

# Each inline below lists rows of its parent, which is scoped already; the scoped
# inline base repeats the filter and scopes their foreign-key choices as well.
GOAL_PATH = "mentorship__cohort"
GOAL_CHILD_PATH = "goal__mentorship__cohort"


class MilestoneInline(CohortScopedInline, admin.TabularInline):
    cohort_path = GOAL_CHILD_PATH
    model = Milestone
    extra = 0


class GoalEventInline(CohortScopedInline, admin.TabularInline):
    cohort_path = GOAL_CHILD_PATH
    model = GoalEvent
    extra = 0
    can_delete = False
    readonly_fields = ("actor", "from_status", "to_status", "comment", "created_at")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


class ObstacleInline(CohortScopedInline, admin.TabularInline):
    cohort_path = GOAL_CHILD_PATH
    model = Obstacle
    extra = 0
    fields = ("category", "description", "advice", "resolved_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


class PaceFilter(admin.SimpleListFilter):
    """Goals in progress that are behind their plan today, by the rule of the goal's
    own chart: what the programme admin's home counts as "behind plan"."""

    title = gettext_lazy("pace")
    parameter_name = "pace"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("behind", _("Behind plan"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Goal]) -> QuerySet[Goal]:
        if self.value() != "behind":
            return queryset
        behind = goals_behind_plan(queryset, timezone.localdate())
        return queryset.filter(pk__in=[pk for pk, _cohort in behind])


@admin.register(Goal)
class GoalAdmin(CohortScopedAdmin):
    cohort_path = GOAL_PATH
    list_display = ("title", "mentorship", "status", "target_date", "updated_at")
    list_filter = ("status", "measure", PaceFilter, cohort_filter(GOAL_PATH))
    list_select_related = (
        "mentorship__mentor_enrollment__user",
        "mentorship__mentee_enrollment__user",
    )
    search_fields = ("title", "mentorship__mentee_enrollment__user__email")
    raw_id_fields = ("mentorship",)
    inlines = [MilestoneInline, GoalEventInline, ObstacleInline]


class ActionItemInline(CohortScopedInline, admin.TabularInline):
    cohort_path = "meeting__mentorship__cohort"
    model = ActionItem
    extra = 0
    fields = ("title", "owner", "due_on", "goal", "done_at")
    raw_id_fields = ("owner", "goal")


@admin.register(Meeting)
class MeetingAdmin(CohortScopedAdmin):
    # Notes are left out on purpose: private ones belong to their writer alone.
    cohort_path = GOAL_PATH
    list_display = ("mentorship", "starts_at", "duration_minutes", "format", "status")
    list_filter = ("status", "format", cohort_filter(GOAL_PATH))
    list_select_related = (
        "mentorship__mentor_enrollment__user",
        "mentorship__mentee_enrollment__user",
    )
    date_hierarchy = "starts_at"
    search_fields = (
        "mentorship__mentee_enrollment__user__email",
        "mentorship__mentor_enrollment__user__email",
    )
    raw_id_fields = ("mentorship", "scheduled_by", "cancelled_by")
    readonly_fields = ("uid", "sequence", "created_at", "updated_at")
    inlines = [ActionItemInline]


@admin.register(Obstacle)
class ObstacleAdmin(CohortScopedAdmin):
    cohort_path = GOAL_CHILD_PATH
    list_display = ("goal", "category", "created_at", "advised_at", "resolved_at")
    list_filter = ("category", cohort_filter(GOAL_CHILD_PATH))
    list_select_related = ("goal",)
    raw_id_fields = ("goal", "raised_by", "advised_by", "resolved_by")


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(CohortScopedAdmin):
    cohort_path = GOAL_CHILD_PATH
    list_display = ("goal", "percent", "author", "created_at")
    list_filter = (cohort_filter(GOAL_CHILD_PATH),)
    list_select_related = ("goal", "author")
    raw_id_fields = ("goal", "author")


@admin.register(GoalComment)
class GoalCommentAdmin(CohortScopedAdmin):
    cohort_path = GOAL_CHILD_PATH
    list_display = ("goal", "author", "created_at")
    list_filter = (cohort_filter(GOAL_CHILD_PATH),)
    list_select_related = ("goal", "author")
    raw_id_fields = ("goal", "author")


class QuietFilter(admin.SimpleListFilter):
    """Active mentorships with no meeting or message for NO_MEETING_DAYS days (nudged),
    or for FLAG_IDLE_DAYS (flagged to the programme team), as the nudges and the
    programme admin's home count them."""

    title = gettext_lazy("activity")
    parameter_name = "quiet"
    DAYS = {"yes": NO_MEETING_DAYS, "flagged": FLAG_IDLE_DAYS}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("yes", _("No meeting or message in %(days)s days") % {"days": NO_MEETING_DAYS}),
            ("flagged", _("Idle for %(days)s days or more") % {"days": FLAG_IDLE_DAYS}),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Mentorship]
    ) -> QuerySet[Mentorship]:
        days = self.DAYS.get(self.value() or "")
        if days is None:
            return queryset
        idle = quiet_mentorships(timezone.localdate(), days=days)
        return queryset.filter(pk__in=idle.values("pk"))


class FitFilter(admin.SimpleListFilter):
    """Active mentorships where either side answered "Not a good fit"."""

    title = gettext_lazy("fit")
    parameter_name = "fit"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("poor", _("Someone said: not a good fit"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Mentorship]
    ) -> QuerySet[Mentorship]:
        if self.value() != "poor":
            return queryset
        return queryset.filter(pk__in=poor_fit_mentorships().values("pk"))


@admin.register(FitCheck)
class FitCheckAdmin(CohortScopedAdmin):
    """Answers to "Is this working?": read-only, for the programme team to follow up."""

    cohort_path = "mentorship__cohort"
    list_display = ("mentorship", "person", "kind", "answer", "due_on", "answered_at")
    list_filter = ("answer", "kind", cohort_filter("mentorship__cohort"))
    list_select_related = (
        "person",
        "mentorship__mentor_enrollment__user",
        "mentorship__mentee_enrollment__user",
    )
    search_fields = ("person__email", "comment")
    fields = (
        "mentorship",
        "person",
        "kind",
        "due_on",
        "answer",
        "comment",
        "asked_at",
        "answered_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The mentorship list learns about meetings here, where meetings live; matching stays
# unaware of them.
admin.site.unregister(Mentorship)


@admin.register(Mentorship)
class MentorshipWithMeetingsAdmin(MentorshipAdmin):
    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return [*super().get_list_filter(request), QuietFilter, FitFilter]
