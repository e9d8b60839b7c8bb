"""Cohort admin: CSV import with preview, invitations, CSV exports."""

from django.urls import URLPattern


class ImportAdminMixin:
    import_actions: list[str] = []

    def import_urls(self) -> list[URLPattern]:
        return []
