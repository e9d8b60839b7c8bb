"""Cohort-scoped admin pages: a programme admin sees and changes only their cohorts.

Every ModelAdmin of cohort data inherits ``CohortScopedAdmin`` and names the path from
its model to the cohort (``cohort_path``). The queryset behind change lists, change views,
search, actions and exports is filtered by it; foreign-key choices are filtered the same
way, and ``CohortFilter`` offers only the admin's own cohorts. Superusers see everything.
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from matching.models import Cohort


def administered(user: User) -> QuerySet[Cohort]:
    return Cohort.objects.administered_by(user)


def can_administer(user: User, cohort: Cohort | None) -> bool:
    """Whether ``user`` runs ``cohort`` (a superuser runs every cohort)."""
    if cohort is None or not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or administered(user).filter(pk=cohort.pk).exists()


def scope_queryset(qs: QuerySet, user: User, cohort_path: str) -> QuerySet:
    """``qs`` narrowed to rows of cohorts ``user`` runs; ``cohort_path`` "" means the
    rows are cohorts themselves."""
    if user.is_superuser:
        return qs
    ids = administered(user).values("pk")
    field = f"{cohort_path}__in" if cohort_path else "pk__in"
    return qs.filter(**{field: ids})


class CohortFilter(admin.SimpleListFilter):
    """A cohort filter listing only the cohorts the admin runs."""

    title = "cohort"
    parameter_name = "cohort"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[int, str]]:
        return [(c.pk, c.name) for c in administered(request.user)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if not str(value).isdigit():
            return queryset.none()
        path = getattr(self, "cohort_path", "cohort")
        field = path if path else "pk"
        return queryset.filter(**{field: int(value)})


def cohort_filter(path: str) -> type[CohortFilter]:
    """A CohortFilter for models that reach their cohort through ``path``."""
    return type(f"CohortFilter_{path.replace('__', '_')}", (CohortFilter,), {"cohort_path": path})


class CohortScopedAdmin(admin.ModelAdmin):
    """Base for every admin page of cohort data. Set ``cohort_path``."""

    cohort_path: str = "cohort"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_queryset(super().get_queryset(request), request.user, self.cohort_path)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        related = db_field.related_model
        if not request.user.is_superuser:
            path = scoped_path(related)
            if path is not None:
                kwargs["queryset"] = scope_queryset(
                    related._default_manager.all(), request.user, path
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# How rows of other models reach their cohort, for foreign-key choices. Models not
# listed (users, skills) are not cohort data.
SCOPED_PATHS: dict[str, str] = {
    "matching.cohort": "",
    "matching.enrollment": "cohort",
    "matching.mentorshiprequest": "cohort",
    "matching.mentorship": "cohort",
    "matching.matchrun": "cohort",
    "matching.matchrunpair": "run__cohort",
    "matching.suggestion": "cohort",
    "goals.goal": "mentorship__cohort",
    "goals.meeting": "mentorship__cohort",
    "programmes.importbatch": "cohort",
    "programmes.invitation": "cohort",
}


def scoped_path(model: type[models.Model]) -> str | None:
    return SCOPED_PATHS.get(model._meta.label_lower)
