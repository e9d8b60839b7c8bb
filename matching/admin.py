"""Admin pages for matching, each scoped to the cohorts its viewer runs.

A programme admin (staff, in the "Programme admin" group, listed in ``Cohort.admins``)
sees and changes only their cohorts' rows, on every page and in every action; superusers
see everything. The scoping itself lives in ``matching.admin_scoping``.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    ManyToManyField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.forms import ModelMultipleChoiceField
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.http import signed_in_user
from accounts.models import User
from matching import selectors
from matching.admin_scoping import (
    CohortScopedAdmin,
    can_administer,
    cohort_filter,
)
from matching.models import (
    AuditAction,
    AuditEntry,
    Cohort,
    Enrollment,
    EnrollmentQuerySet,
    EnrollmentStatus,
    Introduction,
    MatchMode,
    MatchRun,
    MatchRunPair,
    MatchRunStatus,
    MatchWeights,
    Mentorship,
    MentorshipFeedback,
    MentorshipRequest,
    Preference,
    RequestStatus,
    Role,
    Suggestion,
)
from matching.selectors import SLOW_REQUEST_DAYS
from matching.services import runs
from matching.services.audit import record
from matching.services.suggestions import mark_queued, request_recompute

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


# A run's mode as a word inside a sentence ("optimal matching started"; German
# "optimales Matching gestartet").
MODE_IN_A_SENTENCE = {
    MatchMode.OPTIMAL: pgettext_lazy("match mode in a sentence", "optimal"),
    MatchMode.STABLE: pgettext_lazy("match mode in a sentence", "stable"),
}


class _CohortCounts(TypedDict):
    """What CohortAdmin.get_queryset annotates on each row of the list."""

    mentor_count: int
    mentee_count: int
    matched_percent: float | None
    pending_count: int
    active_count: int


def _count_per_cohort(rows: QuerySet) -> Coalesce:
    """How many of ``rows`` belong to the outer cohort: one correlated subquery, so the
    cohort list costs the same number of queries for 2 cohorts or 200."""
    return Coalesce(
        Subquery(
            rows.filter(cohort=OuterRef("pk"))
            .order_by()
            .values("cohort")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


class ClosedFilter(admin.SimpleListFilter):
    title = _("closed")
    parameter_name = "closed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", pgettext("cohort", "Running")), ("yes", pgettext("cohort", "Closed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Cohort]) -> QuerySet[Cohort]:
        if self.value() in ("yes", "no"):
            return queryset.filter(closed_at__isnull=self.value() == "no")
        return queryset


@admin.register(Cohort)
class CohortAdmin(CohortScopedAdmin):
    cohort_path = ""
    list_display = (
        "name",
        "starts_on",
        "ends_on",
        "mentors",
        "mentees",
        "matched",
        "pending_requests",
        "active_mentorships",
        "is_enrollment_open",
        "join_mode",
        "is_closed",
    )
    list_filter = (
        "is_enrollment_open",
        "join_mode",
        "matching_mode",
        "requires_sso",
        ClosedFilter,
    )
    search_fields = ("name", "slug")
    date_hierarchy = "starts_on"
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("admins",)
    readonly_fields = ("closed_at", "closed_by")
    # No inline of enrollments: a cohort of 12,000 people would be a page of every one.
    # The cohort's page links to the enrollment list, filtered, paginated, searchable.
    actions = ["run_optimal", "run_stable", "recompute_suggestions"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cohort]:
        enrollments = Enrollment.objects.active()
        active = Mentorship.objects.active()
        return (
            super()
            .get_queryset(request)
            # The console shows the latest recompute's progress: joined, not one more query.
            .select_related("suggestion_recompute")
            .annotate(
                mentor_count=_count_per_cohort(enrollments.filter(role=Role.MENTOR)),
                mentee_count=_count_per_cohort(enrollments.filter(role=Role.MENTEE)),
                # One active mentorship per mentee, so these are the matched mentees.
                matched_count=_count_per_cohort(
                    active.filter(mentee_enrollment__status=EnrollmentStatus.ACTIVE)
                ),
                pending_count=_count_per_cohort(
                    MentorshipRequest.objects.filter(status=RequestStatus.PENDING)
                ),
                active_count=_count_per_cohort(active),
            )
            .annotate(
                matched_percent=Case(
                    When(mentee_count=0, then=Value(None)),
                    default=ExpressionWrapper(
                        F("matched_count") * 100.0 / F("mentee_count"), output_field=FloatField()
                    ),
                    output_field=FloatField(),
                )
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Cohort | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        # Who runs a cohort, and which one is the community, is the superuser's call.
        return fields if request.user.is_superuser else [*fields, "admins", "is_default"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A programme admin could not see a cohort they created: they are not its admin.
        return request.user.is_superuser

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "admins":
            kwargs["queryset"] = User.objects.filter(is_staff=True).order_by("email")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("mentors"), ordering="mentor_count")
    def mentors(self, cohort: "WithAnnotations[Cohort, _CohortCounts]") -> int:
        return cohort.mentor_count

    @admin.display(description=_("mentees"), ordering="mentee_count")
    def mentees(self, cohort: "WithAnnotations[Cohort, _CohortCounts]") -> int:
        return cohort.mentee_count

    @admin.display(description=_("matched"), ordering="matched_percent")
    def matched(self, cohort: "WithAnnotations[Cohort, _CohortCounts]") -> str:
        if cohort.matched_percent is None:
            return "–"
        return f"{cohort.matched_percent:.0f}%"

    @admin.display(description=_("pending requests"), ordering="pending_count")
    def pending_requests(self, cohort: "WithAnnotations[Cohort, _CohortCounts]") -> int:
        return cohort.pending_count

    @admin.display(description=_("active mentorships"), ordering="active_count")
    def active_mentorships(self, cohort: "WithAnnotations[Cohort, _CohortCounts]") -> int:
        return cohort.active_count

    @admin.display(description=_("closed"), boolean=True, ordering="closed_at")
    def is_closed(self, cohort: Cohort) -> bool:
        return cohort.closed_at is not None

    def _start(
        self, request: HttpRequest, queryset: QuerySet[Cohort], mode: str
    ) -> HttpResponse | None:
        started = []
        for cohort in queryset:
            try:
                run = runs.start_run(cohort=cohort, mode=mode, by=signed_in_user(request))
            except PermissionDenied:
                self.message_user(request, gettext("You may not run matching."), messages.ERROR)
                return None
            started.append(run)
            url = reverse("admin:matching_matchrun_change", args=[run.pk])
            self.message_user(
                request,
                format_html(
                    gettext(
                        '{cohort}: {mode} matching started. <a href="{url}">Open the draft</a> '
                        "to follow it."
                    ),
                    cohort=cohort,
                    mode=MODE_IN_A_SENTENCE[MatchMode(run.mode)],
                    url=url,
                ),
            )
        # One cohort (the button on its page): straight to the run, which shows progress.
        if len(started) == 1:
            return redirect("admin:matching_matchrun_change", started[0].pk)
        return None

    @admin.action(description=_("Run optimal matching (draft for review)"))
    def run_optimal(self, request: HttpRequest, queryset: QuerySet[Cohort]) -> HttpResponse | None:
        return self._start(request, queryset, MatchMode.OPTIMAL)

    @admin.action(description=_("Run stable matching (draft for review)"))
    def run_stable(self, request: HttpRequest, queryset: QuerySet[Cohort]) -> HttpResponse | None:
        return self._start(request, queryset, MatchMode.STABLE)

    @admin.action(description=_("Recompute mentor suggestions"))
    def recompute_suggestions(self, request: HttpRequest, queryset: QuerySet[Cohort]) -> None:
        # ``queryset`` is the admin's own cohorts among those ticked, nothing else.
        cohort_ids = list(queryset.values_list("pk", flat=True))
        # Queued first: without a broker the task runs as soon as this request commits.
        mark_queued(cohort_ids=cohort_ids)
        request_recompute(cohort_ids=cohort_ids)
        self.message_user(
            request,
            gettext(
                "Suggestions will be recomputed in a moment, in the background: a cohort's page "
                "shows how far it got, and you can leave it meanwhile."
            ),
        )


class MatchedFilter(admin.SimpleListFilter):
    """Whether the person has an active mentorship in the enrollment's cohort."""

    title = _("matched")
    parameter_name = "matched"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", gettext("In a mentorship")), ("no", gettext("Without a mentorship"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Enrollment]
    ) -> QuerySet[Enrollment]:
        if self.value() not in ("yes", "no"):
            return queryset
        active = Mentorship.objects.active()
        in_one = Exists(active.filter(mentee_enrollment=OuterRef("pk"))) | Exists(
            active.filter(mentor_enrollment=OuterRef("pk"))
        )
        return queryset.filter(in_one if self.value() == "yes" else ~in_one)


class WaitingFilter(admin.SimpleListFilter):
    """Requests still waiting after SLOW_REQUEST_DAYS days."""

    title = _("waiting")
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("slow", gettext("More than %(days)s days") % {"days": SLOW_REQUEST_DAYS})]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[MentorshipRequest]
    ) -> QuerySet[MentorshipRequest]:
        if self.value() != "slow":
            return queryset
        return queryset.filter(
            status=RequestStatus.PENDING,
            created_at__lt=timezone.now() - timedelta(days=SLOW_REQUEST_DAYS),
        )


@admin.register(Enrollment)
class EnrollmentAdmin(CohortScopedAdmin):
    list_display = (
        "user",
        "name",
        "cohort",
        "role",
        "status",
        "capacity_override",
        "capacity",
        "load",
        "joined_at",
    )
    list_editable = ("status",)
    list_filter = (cohort_filter("cohort"), "role", "status", MatchedFilter)
    search_fields = ("user__email", "user__profile__display_name")
    list_select_related = ("user__profile", "cohort")
    autocomplete_fields = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrollment]:
        # Capacity and load in the same query as the rows: a page costs the same for a
        # cohort of 20 or of 12,000.
        return cast(EnrollmentQuerySet, super().get_queryset(request)).with_load()

    @admin.display(description=_("name"), ordering="user__profile__display_name")
    def name(self, enrollment: Enrollment) -> str:
        profile = getattr(enrollment.user, "profile", None)
        return profile.display_name if profile else "–"

    @admin.display(description=_("capacity"))
    def capacity(self, enrollment: Enrollment) -> object:
        return enrollment.capacity if enrollment.role == Role.MENTOR else "–"

    @admin.display(description=_("mentees now"))
    def load(self, enrollment: Enrollment) -> object:
        return enrollment.active_mentorship_count() if enrollment.role == Role.MENTOR else "–"

    def get_readonly_fields(self, request: HttpRequest, obj: Enrollment | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        # Moving an enrollment to another person would carry their history along.
        return fields if obj is None else ["user", *fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A programme admin enrolls people through an invitation they accept (or a CSV
        # import, which sends invitations), never by typing someone's address here.
        return request.user.is_superuser and super().has_add_permission(request)


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(CohortScopedAdmin):
    list_display = ("__str__", "cohort", "status", "created_at", "expires_at", "responded_at")
    list_filter = (cohort_filter("cohort"), "status", WaitingFilter)
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
class MentorshipAdmin(CohortScopedAdmin):
    list_display = ("__str__", "cohort", "status", "started_at", "ended_at")
    list_filter = (cohort_filter("cohort"), "status")
    search_fields = ("mentee_enrollment__user__email", "mentor_enrollment__user__email")
    list_select_related = ("cohort", "mentee_enrollment__user", "mentor_enrollment__user")
    raw_id_fields = ("mentee_enrollment", "mentor_enrollment", "request", "ended_by")
    inlines = [FeedbackInline]


@admin.register(Introduction)
class IntroductionAdmin(CohortScopedAdmin):
    cohort_path = "mentorship__cohort"
    list_display = ("__str__", "status", "created_at", "responded_at")
    list_filter = (cohort_filter("mentorship__cohort"), "status")
    list_select_related = ("mentorship__mentee_enrollment__user", "contact")
    raw_id_fields = ("mentorship", "contact")


# The fields a weights version is made of, in the order the audit log lists changes.
WEIGHT_FIELDS = (
    *MatchWeights.COMPONENT_FIELDS.values(),
    "experience_min_gap",
    "experience_max_gap",
    "block_same_organisation",
    "preference_bonus",
)


@admin.register(MatchWeights)
class MatchWeightsAdmin(CohortScopedAdmin):
    """Saving weights, new or edited, always adds a version: suggestions keep theirs."""

    list_display = ("cohort", "version", "skills", "goals", "experience", "created_at")
    list_filter = (cohort_filter("cohort"),)
    list_select_related = ("cohort",)
    readonly_fields = ("version", "created_at", "created_by")

    def save_model(
        self, request: HttpRequest, obj: MatchWeights, form: object, change: bool
    ) -> None:
        # The cohort choices are scoped already; this guards a form someone else writes.
        if not can_administer(signed_in_user(request), obj.cohort):
            raise PermissionDenied
        previous = MatchWeights.objects.filter(cohort=obj.cohort).order_by("-version").first()
        obj.pk = None
        obj._state.adding = True
        obj.version = (previous.version if previous else 0) + 1
        obj.created_by = signed_in_user(request)
        super().save_model(request, obj, form, change=False)
        changes = {
            name: [getattr(previous, name) if previous else None, getattr(obj, name)]
            for name in WEIGHT_FIELDS
            if previous is None or getattr(previous, name) != getattr(obj, name)
        }
        record(
            actor=signed_in_user(request),
            cohort=obj.cohort,
            action=AuditAction.WEIGHTS_CHANGED,
            summary=(
                f"Set the match weights of {obj.cohort} to version {obj.version}"
                f" ({', '.join(changes) or 'no change'})."
            ),
            obj=obj,
            details={
                "version": obj.version,
                "previous_version": previous.version if previous else None,
                "changes": changes,
            },
        )
        request_recompute(cohort_ids=[obj.cohort_id])

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Preference)
class PreferenceAdmin(CohortScopedAdmin):
    """Who chose whom in a cohort's preference window. Read-only: people make their own
    lists on the site."""

    list_display = ("chooser", "rank", "chosen", "created_at")
    list_filter = (cohort_filter("cohort"), "chooser__role", "rank")
    list_select_related = (
        "chooser__user__profile",
        "chooser__cohort",
        "chosen__user__profile",
        "chosen__cohort",
    )
    search_fields = (
        "chooser__user__email",
        "chooser__user__profile__display_name",
        "chosen__user__email",
        "chosen__user__profile__display_name",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(CohortScopedAdmin):
    list_display = ("mentee_enrollment", "rank", "mentor_enrollment", "score", "dismissed_at")
    list_filter = (cohort_filter("cohort"),)
    list_select_related = (
        "mentee_enrollment__user",
        "mentee_enrollment__cohort",
        "mentor_enrollment__user",
        "mentor_enrollment__cohort",
    )
    search_fields = ("mentee_enrollment__user__email", "mentor_enrollment__user__email")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# The review page's own query keys: a post from it returns to the same page, search
# and sort.
REVIEW_KEYS = ("q", "sort", "page", "upage")


def _is_id(value: str) -> bool:
    # A tampered value that is no row id would make the lookup itself fail.
    return value.isascii() and value.isdigit() and len(value) <= 18


def _review_url(run_id: int, data: QueryDict) -> str:
    """The review page at the page, search and sort a form was posted from."""
    kept = {key: str(data.get(key, ""))[:100] for key in REVIEW_KEYS if data.get(key)}
    url = reverse("admin:matching_matchrun_change", args=[run_id])
    return f"{url}?{urlencode(kept)}" if kept else url


def _page_nav(request: HttpRequest, page: Page, key: str, label: str, anchor: str) -> dict:
    """Previous/next links for one of the review page's lists, keeping the other's page."""

    def link(number: int) -> str:
        query = request.GET.copy()
        query[key] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    return {
        "page": page,
        "label": label,
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
    }


def _search_term(data: QueryDict) -> str:
    return data.get("q", "").strip()[:100]


def _posted_mentor(run: MatchRun, data: QueryDict) -> Enrollment:
    """The mentor a form names: by id (the pick buttons) or as typed (name or email)."""
    if "mentor_enrollment" in data:
        posted = str(data.get("mentor_enrollment", ""))
        mentor = (
            run.cohort.enrollments.filter(role=Role.MENTOR).filter(pk=posted).first()
            if _is_id(posted)
            else None
        )
        if mentor is None:
            raise ValidationError(gettext("Pick a mentor of this cohort."))
        return mentor
    return selectors.mentor_by_text(run, data.get("mentor", ""))


@admin.register(MatchRun)
class MatchRunAdmin(CohortScopedAdmin):
    """A run's draft, reviewed 50 pairs at a time: search, sort by score, change or remove
    a pair, pair an unmatched mentee, publish. No page lists every mentor: mentors are
    found by name or email (an autocomplete, with a typed fallback)."""

    list_display = ("__str__", "status", "coverage", "total", "created_by", "published_at")
    list_filter = (cohort_filter("cohort"), "mode", "status")
    list_select_related = ("cohort", "created_by")

    @admin.display(description=_("coverage"))
    def coverage(self, run: MatchRun) -> str:
        value = run.metrics.get("coverage")
        return f"{value:.0%}" if isinstance(value, (int, float)) else "–"

    @admin.display(description=_("total score"))
    def total(self, run: MatchRun) -> str:
        value = run.metrics.get("total_score")
        return f"{value:.1f}" if isinstance(value, (int, float)) else "–"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Runs start from the cohort list ("Run optimal/stable matching").
        return False

    def get_urls(self) -> list[URLPattern]:
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
            path(
                "<int:run_id>/unmatched/<int:unmatched_id>/pair/",
                wrap(self.add_pair_view),
                name="matching_matchrun_add_pair",
            ),
            path(
                "<int:run_id>/compare/<int:other_id>/",
                wrap(require_GET(self.compare_view)),
                name="matching_matchrun_compare",
            ),
            path(
                "<int:run_id>/mentors/",
                wrap(require_GET(self.mentors_view)),
                name="matching_matchrun_mentors",
            ),
            *super().get_urls(),
        ]

    def _run(self, request: HttpRequest, run_id: int | str) -> MatchRun:
        """The run, if it belongs to a cohort this admin runs; 404 otherwise."""
        return get_object_or_404(self.get_queryset(request).select_related("cohort"), pk=run_id)

    def _pair(self, request: HttpRequest, run_id: int, pair_id: int) -> MatchRunPair:
        return get_object_or_404(self._run(request, run_id).pairs, pk=pair_id)

    def _editable_run(self, request: HttpRequest, run_id: int) -> MatchRun:
        run = self._run(request, run_id)
        if not self.has_change_permission(request, run):
            raise PermissionDenied
        return run

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if not str(object_id).isdigit():
            raise Http404
        run = self._run(request, object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        search = _search_term(request.GET)
        ascending = request.GET.get("sort") == "score"
        pairs = Paginator(
            selectors.run_pairs(run, search=search, ascending=ascending), selectors.RUN_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        unmatched = Paginator(
            selectors.run_unmatched(run, search=search), selectors.RUN_PAGE_SIZE
        ).get_page(request.GET.get("upage"))
        is_draft = run.status == MatchRunStatus.DRAFT
        metrics = run.metrics
        back = [(key, request.GET[key][:100]) for key in REVIEW_KEYS if request.GET.get(key)]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Match run: %(run)s") % {"run": run},
            "run": run,
            "pairs": pairs,
            "pair_count": run.pairs.count() if search else pairs.paginator.count,
            "unmatched": unmatched,
            "pairs_nav": _page_nav(
                request, pairs, "page", gettext("Pages of pairs"), "pairs-heading"
            ),
            "unmatched_nav": _page_nav(
                request,
                unmatched,
                "upage",
                gettext("Pages of unmatched mentees"),
                "unmatched-heading",
            ),
            "search": search,
            "ascending": ascending,
            "back": back,
            "back_query": urlencode(back),
            "is_recounting": is_draft
            and metrics.get("generation") is not None
            and metrics.get("generation") != metrics.get("counted_generation"),
            "can_publish": request.user.has_perm("matching.publish_matchrun") and is_draft,
            "can_edit": request.user.has_perm("matching.change_matchrun") and is_draft,
            "compare_with": selectors.runs_to_compare(run),
        }
        return TemplateResponse(request, "admin/matching/matchrun/review.html", context)

    def compare_view(self, request: HttpRequest, run_id: int, other_id: int) -> HttpResponse:
        """Two runs of one cohort side by side: metrics, then the mentees whose pairing
        differs, 50 at a time. Either run outside the viewer's cohorts is a 404, and so
        is a pair of runs of two different cohorts."""
        run_a = self._run(request, run_id)
        run_b = self._run(request, other_id)
        if not (
            self.has_view_permission(request, run_a) and self.has_view_permission(request, run_b)
        ):
            raise PermissionDenied
        if run_a.cohort_id != run_b.cohort_id:
            raise Http404("These two runs are of different cohorts.")
        if run_a.pk == run_b.pk:
            self.message_user(request, gettext("Pick another run of this cohort to compare with."))
            return redirect("admin:matching_matchrun_change", run_a.pk)
        search = _search_term(request.GET)
        raw_kind = request.GET.get("kind", "")
        kind = int(raw_kind) if raw_kind in {"1", "2", "3"} else None
        comparison = selectors.RunComparison(run_a, run_b)
        rows = Paginator(
            comparison.differing(search=search, kind=kind), selectors.RUN_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        counts = comparison.counts()
        url = reverse("admin:matching_matchrun_compare", args=[run_a.pk, run_b.pk])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Compare two match runs"),
            "run_a": run_a,
            "run_b": run_b,
            "metrics": selectors.compared_metrics(run_a, run_b),
            "summary": [
                (label, counts[key], key) for key, label in selectors.DIFFERENCE_LABELS.items()
            ],
            "differing": sum(n for key, n in counts.items() if key != selectors.SAME),
            "rows": selectors.difference_rows(list(rows)),
            "page": rows,
            "nav": _page_nav(
                request, rows, "page", gettext("Pages of differences"), "differences-heading"
            ),
            "search": search,
            "kind": kind,
            "url": url,
            "swap_url": reverse("admin:matching_matchrun_compare", args=[run_b.pk, run_a.pk]),
        }
        return TemplateResponse(request, "admin/matching/matchrun/compare.html", context)

    def _act(self, request: HttpRequest, run_id: int, action: Callable[[], object]) -> HttpResponse:
        try:
            action()
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        return redirect(_review_url(run_id, request.POST))

    def publish_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        run = self._run(request, run_id)
        if request.method != "POST":
            return redirect("admin:matching_matchrun_change", run_id)

        def publish() -> None:
            was = run.status
            published = runs.publish_run(run=run, by=signed_in_user(request))
            count = published.metrics.get("published_pairs", 0)
            if was == MatchRunStatus.PUBLISHED:
                self.message_user(
                    request, gettext("This run was already published; nothing was sent again.")
                )
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Published: %(count)s mentorship created, introductions on their way.",
                        "Published: %(count)s mentorships created, introductions on their way.",
                        count,
                    )
                    % {"count": count},
                )

        return self._act(request, run_id, publish)

    def remove_pair_view(self, request: HttpRequest, run_id: int, pair_id: int) -> HttpResponse:
        pair = self._pair(request, run_id, pair_id)
        if request.method != "POST":
            return redirect("admin:matching_matchrun_change", run_id)
        return self._act(
            request, run_id, lambda: runs.remove_pair(pair=pair, by=signed_in_user(request))
        )

    def change_mentor_view(self, request: HttpRequest, run_id: int, pair_id: int) -> HttpResponse:
        pair = self._pair(request, run_id, pair_id)
        if request.method != "POST":
            return redirect("admin:matching_matchrun_change", run_id)

        def change() -> None:
            mentor = _posted_mentor(pair.run, request.POST)
            changed = runs.change_mentor(
                pair=pair, mentor_enrollment=mentor, by=signed_in_user(request)
            )
            self.message_user(
                request,
                gettext("%(mentee)s now has the mentor %(mentor)s (score %(score)s).")
                % {
                    "mentee": changed.mentee_enrollment.user.get_full_name(),
                    "mentor": mentor.user.get_full_name(),
                    "score": number_format(changed.score, 3),
                },
            )

        return self._act(request, run_id, change)

    def add_pair_view(self, request: HttpRequest, run_id: int, unmatched_id: int) -> HttpResponse:
        """One unmatched mentee: the best allowed mentors with places left, or any typed."""
        run = self._run(request, run_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        waiting = get_object_or_404(
            run.unmatched.select_related("mentee_enrollment__user__profile"), pk=unmatched_id
        )
        mentee = waiting.mentee_enrollment
        # Where the admin came from on the review page: kept through the post.
        data = request.POST if request.method == "POST" else request.GET
        back = [(key, data[key][:100]) for key in REVIEW_KEYS if data.get(key)]
        error, typed = "", ""
        if request.method == "POST":
            typed = request.POST.get("mentor", "")[:254]
            try:
                mentor = _posted_mentor(run, request.POST)
                pair = runs.add_pair(
                    run=run,
                    mentee_enrollment=mentee,
                    mentor_enrollment=mentor,
                    by=signed_in_user(request),
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                self.message_user(
                    request,
                    gettext("Paired %(mentee)s with %(mentor)s (score %(score)s).")
                    % {
                        "mentee": mentee.user.get_full_name(),
                        "mentor": mentor.user.get_full_name(),
                        "score": number_format(pair.score, 3),
                    },
                )
                return redirect(_review_url(run_id, request.POST))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("A mentor for %(name)s") % {"name": mentee.user.get_full_name()},
            "run": run,
            "waiting": waiting,
            "options": selectors.mentor_options(run, mentee=mentee, allowed_only=True)
            if run.status == MatchRunStatus.DRAFT
            else [],
            "can_edit": request.user.has_perm("matching.change_matchrun")
            and run.status == MatchRunStatus.DRAFT,
            "error": error,
            "typed": typed.replace("\x00", ""),
            "back": back,
            "back_query": urlencode(back),
        }
        return TemplateResponse(request, "admin/matching/matchrun/add_pair.html", context)

    def mentors_view(self, request: HttpRequest, run_id: int) -> JsonResponse:
        """The autocomplete: the cohort's mentors with places left matching ``q``, with
        their score for ``mentee`` (an enrollment id) when the engine allows the pair."""
        run = self._editable_run(request, run_id)
        raw = request.GET.get("mentee", "")
        mentee = None
        if raw:
            if _is_id(raw):
                mentee = (
                    run.cohort.enrollments.filter(role=Role.MENTEE, pk=raw)
                    .select_related("user")
                    .first()
                )
            if mentee is None:
                return JsonResponse(
                    {"error": gettext("No such mentee in this cohort.")}, status=400
                )
        options = selectors.mentor_options(run, mentee=mentee, search=_search_term(request.GET))
        return JsonResponse(
            {
                "results": [
                    {
                        "id": option.enrollment.pk,
                        "name": option.name,
                        "email": option.email,
                        "places": option.places,
                        "score": None if option.score is None else round(option.score, 3),
                    }
                    for option in options
                ]
            }
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(CohortScopedAdmin):
    """The audit log: read-only for everyone, superusers included."""

    list_display = ("created_at", "actor", "action", "cohort", "summary", "object_link")
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter), cohort_filter("cohort"))
    list_select_related = ("actor", "cohort")
    search_fields = ("summary",)
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "action",
        "cohort",
        "summary",
        "object_link",
        "details",
    )
    readonly_fields = fields

    @admin.display(description=_("object"))
    def object_link(self, entry: AuditEntry) -> str:
        if not entry.object_type or entry.object_id is None:
            return "–"
        app_label, _dot, model_name = entry.object_type.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[entry.object_id])
        except NoReverseMatch:
            return f"{entry.object_type} {entry.object_id}"
        return format_html('<a href="{}">{} {}</a>', url, model_name, entry.object_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
