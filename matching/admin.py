"""Plain admin pages for matching. The purpose-built back office (scoped programme
admins, imports, match runs, reports) comes with the programme administration work."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from matching import runs
from matching.models import (
    Cohort,
    Enrollment,
    Introduction,
    MatchMode,
    MatchRun,
    MatchRunStatus,
    MatchWeights,
    Mentorship,
    MentorshipFeedback,
    MentorshipRequest,
    Role,
    Suggestion,
)
from matching.suggestions import request_recompute


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
    actions = ["run_optimal", "run_stable", "recompute_suggestions"]

    def _start(self, request: HttpRequest, queryset: QuerySet[Cohort], mode: str) -> None:
        for cohort in queryset:
            try:
                run = runs.start_run(cohort=cohort, mode=mode, by=request.user)
            except PermissionDenied:
                self.message_user(request, "You may not run matching.", messages.ERROR)
                return
            url = reverse("admin:matching_matchrun_change", args=[run.pk])
            self.message_user(
                request,
                f"{cohort}: {run.get_mode_display()} matching queued (run {run.pk}: {url}).",
            )

    @admin.action(description="Run optimal matching (draft for review)")
    def run_optimal(self, request: HttpRequest, queryset: QuerySet[Cohort]) -> None:
        self._start(request, queryset, MatchMode.OPTIMAL)

    @admin.action(description="Run stable matching (draft for review)")
    def run_stable(self, request: HttpRequest, queryset: QuerySet[Cohort]) -> None:
        self._start(request, queryset, MatchMode.STABLE)

    @admin.action(description="Recompute mentor suggestions")
    def recompute_suggestions(self, request: HttpRequest, queryset: QuerySet[Cohort]) -> None:
        request_recompute(cohort_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, "Suggestions will be recomputed in a moment.")


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


@admin.register(MatchWeights)
class MatchWeightsAdmin(admin.ModelAdmin):
    """Saving weights, new or edited, always adds a version: suggestions keep theirs."""

    list_display = ("cohort", "version", "skills", "goals", "experience", "created_at")
    list_filter = ("cohort",)
    readonly_fields = ("version", "created_at", "created_by")

    def save_model(
        self, request: HttpRequest, obj: MatchWeights, form: object, change: bool
    ) -> None:
        latest = MatchWeights.objects.filter(cohort=obj.cohort).aggregate(v=Max("version"))["v"]
        obj.pk = None
        obj._state.adding = True
        obj.version = (latest or 0) + 1
        obj.created_by = request.user
        super().save_model(request, obj, form, change=False)
        request_recompute(cohort_ids=[obj.cohort_id])

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("mentee_enrollment", "rank", "mentor_enrollment", "score", "dismissed_at")
    list_filter = ("cohort",)
    list_select_related = ("mentee_enrollment__user", "mentor_enrollment__user")
    search_fields = ("mentee_enrollment__user__email", "mentor_enrollment__user__email")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "coverage", "total", "created_by", "published_at")
    list_filter = ("cohort", "mode", "status")
    list_select_related = ("cohort", "created_by")

    @admin.display(description="coverage")
    def coverage(self, run: MatchRun) -> str:
        value = run.metrics.get("coverage")
        return f"{value:.0%}" if isinstance(value, (int, float)) else "–"

    @admin.display(description="total score")
    def total(self, run: MatchRun) -> str:
        value = run.metrics.get("total_score")
        return f"{value:.1f}" if isinstance(value, (int, float)) else "–"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Runs start from the cohort list ("Run optimal/stable matching").
        return False

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:run_id>/publish/", wrap(self.publish_view), name="matching_matchrun_publish"
            ),
            path(
                "<int:run_id>/pairs/<int:pair_id>/remove/",
                wrap(self.remove_pair_view),
                name="matching_matchrun_remove_pair",
            ),
            path(
                "<int:run_id>/pairs/<int:pair_id>/mentor/",
                wrap(self.change_mentor_view),
                name="matching_matchrun_change_mentor",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        run = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        pairs = run.pairs.select_related(
            "mentee_enrollment__user__profile", "mentor_enrollment__user__profile", "mentorship"
        )
        mentors = (
            Enrollment.objects.mentors()
            .filter(cohort=run.cohort)
            .select_related("user__profile")
            .order_by("user__profile__display_name")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Match run: {run}",
            "run": run,
            "pairs": pairs,
            "mentors": mentors if run.status == MatchRunStatus.DRAFT else [],
            "can_publish": request.user.has_perm("matching.publish_matchrun")
            and run.status == MatchRunStatus.DRAFT,
            "can_edit": request.user.has_perm("matching.change_matchrun")
            and run.status == MatchRunStatus.DRAFT,
        }
        return TemplateResponse(request, "admin/matching/matchrun/review.html", context)

    def _act(self, request: HttpRequest, run_id: int, action: object) -> HttpResponse:
        try:
            action()
        except PermissionDenied:
            raise
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        return redirect("admin:matching_matchrun_change", run_id)

    @staticmethod
    def _pair(run_id: int, pair_id: int) -> object:
        run = get_object_or_404(MatchRun, pk=run_id)
        return get_object_or_404(run.pairs, pk=pair_id)

    def publish_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        if request.method != "POST":
            return redirect("admin:matching_matchrun_change", run_id)
        run = get_object_or_404(MatchRun, pk=run_id)

        def publish() -> None:
            was = run.status
            published = runs.publish_run(run=run, by=request.user)
            if was == MatchRunStatus.PUBLISHED:
                self.message_user(
                    request, "This run was already published; nothing was sent again."
                )
            else:
                self.message_user(
                    request,
                    f"Published: {published.metrics.get('published_pairs', 0)} mentorships "
                    f"created, introductions on their way.",
                )

        return self._act(request, run_id, publish)

    def remove_pair_view(self, request: HttpRequest, run_id: int, pair_id: int) -> HttpResponse:
        if request.method != "POST":
            return redirect("admin:matching_matchrun_change", run_id)
        pair = self._pair(run_id, pair_id)
        return self._act(request, run_id, lambda: runs.remove_pair(pair=pair, by=request.user))

    def change_mentor_view(self, request: HttpRequest, run_id: int, pair_id: int) -> HttpResponse:
        if request.method != "POST":
            return redirect("admin:matching_matchrun_change", run_id)
        pair = self._pair(run_id, pair_id)
        mentor = Enrollment.objects.filter(
            pk=request.POST.get("mentor_enrollment") or 0, role=Role.MENTOR
        ).first()
        if mentor is None:
            self.message_user(request, "Pick a mentor.", messages.ERROR)
            return redirect("admin:matching_matchrun_change", run_id)
        return self._act(
            request,
            run_id,
            lambda: runs.change_mentor(pair=pair, mentor_enrollment=mentor, by=request.user),
        )
