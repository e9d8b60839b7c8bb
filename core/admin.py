"""The base every admin page of ours builds on."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
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


class ModelAdmin(admin.ModelAdmin):
    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return SafeChangeList
