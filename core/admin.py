"""The base every admin page of ours builds on."""

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin, IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest


class SafeChangeList(ChangeList):
    """Django's change list, with a date drill-down beyond any calendar refused plainly.

    ``?created_at__year=99999999999`` overflows ``datetime()`` with an OverflowError, which
    Django lets through as a 500; a ValueError (month 13) it already answers by sending
    the admin back to the unfiltered list, and so this does for an overflow too.
    """

    def get_filters(self, request: HttpRequest) -> Any:
        try:
            return super().get_filters(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


class _ShowsOnlyIds(AutocompleteMixin):
    """Django's autocomplete widgets look the chosen value up to show its label, and a
    value that is no id at all (``user=abc`` in a refused post) makes that lookup raise
    a ValueError, a 500. Such a value is shown as nothing chosen; the form field has
    already said it is not a valid choice."""

    def optgroups(
        self, name: str, value: Sequence[str], attr: Any = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        remote = self.field.remote_field
        # A many-to-many relation names no field: it points at the primary key.
        to_field = getattr(remote, "field_name", None)
        target = remote.model._meta.get_field(to_field) if to_field else remote.model._meta.pk
        kept = []
        for choice in value:
            try:
                target.to_python(choice)
            except ValidationError:
                continue
            kept.append(choice)
        return super().optgroups(name, kept, attr)


class SafeAutocompleteSelect(_ShowsOnlyIds, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ShowsOnlyIds, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteFields(BaseModelAdmin):
    """For a ModelAdmin or an inline: its autocomplete fields use the widgets above."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=using
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ModelAdmin(SafeAutocompleteFields, admin.ModelAdmin):
    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return SafeChangeList
