"""Cohort-scoped admin pages: a programme admin sees and changes only their cohorts.

Every ModelAdmin of cohort data inherits ``CohortScopedAdmin`` and names the path from
its model to the cohort (``cohort_path``). The queryset behind change lists, change views,
search, actions and exports is filtered by it; foreign-key choices are filtered the same
way, and ``CohortFilter`` offers only the admin's own cohorts. Superusers see everything.

People are not cohort data, so a list of users would show a programme admin everyone on
the platform: for them a user field is an email box (``UserByEmailField``) instead of a
select, an autocomplete or a raw-id lookup.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.http import signed_in_user
from accounts.models import User
from core.admin import ModelAdmin
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

    title = _("cohort")
    parameter_name = "cohort"
    cohort_path = "cohort"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(c.pk), c.name) for c in administered(signed_in_user(request))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if not str(value).isdigit():
            return queryset.none()
        field = self.cohort_path or "pk"
        # The queryset is already scoped: another cohort's id simply matches nothing.
        return queryset.filter(**{field: int(value)})


def cohort_filter(path: str) -> type[CohortFilter]:
    """A CohortFilter for models that reach their cohort through ``path``."""
    return type(f"CohortFilter_{path.replace('__', '_')}", (CohortFilter,), {"cohort_path": path})


class UserByEmailField(forms.ModelChoiceField):
    """Pick a person by typing their exact email address, never from a list."""

    widget = forms.EmailInput
    default_error_messages = {
        "invalid_choice": _(
            "Nobody in your programmes uses this email address. Invite the person instead."
        )
    }

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, User):
            return value.email
        # An int comes from the (scoped) object being edited; a string was typed or
        # came from the URL and is shown as it is, so guessing ids reveals no address.
        if isinstance(value, int) and not isinstance(value, bool):
            assert self.queryset is not None  # the admin always passes one
            return self.queryset.filter(pk=value).values_list("email", flat=True).first() or ""
        return value

    def to_python(self, value: Any) -> User | None:
        if value in self.empty_values:
            return None
        assert self.queryset is not None  # the admin always passes one
        try:
            return self.queryset.get(email__iexact=str(value).strip())
        except (User.DoesNotExist, ValueError, TypeError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


if TYPE_CHECKING:
    # What the mixin is mixed into, so that its super() calls are checked against it.
    _AdminBase = admin.options.BaseModelAdmin[Any]
else:
    _AdminBase = object


class ScopedFormfieldsMixin(_AdminBase):
    """Foreign-key choices limited to the admin's cohorts; users typed by email."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        related = db_field.related_model
        if not request.user.is_superuser:
            if related is User:
                kwargs.setdefault("form_class", UserByEmailField)
                kwargs.setdefault("widget", forms.EmailInput)
                # Only the people of their own cohorts: an address elsewhere on the
                # platform answers exactly like one nobody uses.
                kwargs["queryset"] = User.objects.filter(
                    enrollments__cohort__in=administered(signed_in_user(request))
                ).distinct()
            path = scoped_path(related)
            if path is not None:
                kwargs["queryset"] = scope_queryset(
                    related._default_manager.all(), signed_in_user(request), path
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> Any:
        related = db_field.related_model
        path = scoped_path(related)
        if path is not None and not request.user.is_superuser:
            kwargs["queryset"] = scope_queryset(
                related._default_manager.all(), signed_in_user(request), path
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        # The user autocomplete searches every account; for others the email box above.
        fields = list(super().get_autocomplete_fields(request))
        if request.user.is_superuser:
            return fields
        return [name for name in fields if self._related_model(name) is not User]

    def _related_model(self, name: str) -> type[models.Model] | None:
        return self.model._meta.get_field(name).related_model


class CohortScopedAdmin(ScopedFormfieldsMixin, ModelAdmin):
    """Base for every admin page of cohort data. Set ``cohort_path``."""

    cohort_path: str = "cohort"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_queryset(
            super().get_queryset(request), signed_in_user(request), self.cohort_path
        )

    def response_action(
        self, request: HttpRequest, queryset: QuerySet, *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        # (*args: Django 6 also says which of the page's action forms was used.)
        # Django filters by the ticked ids as posted: one that is not a row id (a tampered
        # form) would crash the list page instead of being refused.
        ticked = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(pk.isascii() and pk.isdigit() and len(pk) <= 18 for pk in ticked):
            self.message_user(
                request, gettext("Tick the rows to act on in the list."), messages.ERROR
            )
            return None
        return super().response_action(request, queryset, *args, **kwargs)


class CohortScopedInline(ScopedFormfieldsMixin):
    """Mixin for inlines of cohort data: the parent page is scoped already, this keeps
    the rows and their choices scoped too. Set ``cohort_path`` from the inline's model."""

    cohort_path: str = "cohort"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_queryset(
            super().get_queryset(request), signed_in_user(request), self.cohort_path
        )


# How rows of other models reach their cohort, for foreign-key choices. Models not
# listed (users, skills) are not cohort data.
SCOPED_PATHS: dict[str, str] = {
    "matching.cohort": "",
    "matching.enrollment": "cohort",
    "matching.mentorshiprequest": "cohort",
    "matching.mentorship": "cohort",
    "matching.introduction": "mentorship__cohort",
    "matching.matchweights": "cohort",
    "matching.matchrun": "cohort",
    "matching.matchrunpair": "run__cohort",
    "matching.suggestion": "cohort",
    "matching.auditentry": "cohort",
    "goals.goal": "mentorship__cohort",
    "goals.milestone": "goal__mentorship__cohort",
    "goals.meeting": "mentorship__cohort",
    "goals.obstacle": "goal__mentorship__cohort",
    "programmes.importbatch": "cohort",
    "programmes.invitation": "cohort",
}


def scoped_path(model: type[models.Model]) -> str | None:
    return SCOPED_PATHS.get(model._meta.label_lower)


@require_safe
def view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect, for rows the admin may see in the admin only.

    Django's own answers any staff member with a redirect for any row that exists, which
    told a programme admin that another cohort's goal exists; here a row outside the
    admin's scoped queryset is a 404, exactly like one that does not exist.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    try:
        visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
    except (ValueError, TypeError, ValidationError):
        visible = False
    if not visible:
        raise Http404
    return shortcut(request, content_type_id, object_id)
