"""Cohort admin: the report page, surveys, reminders and closing a cohort."""

from django.urls import URLPattern


class ReportAdminMixin:
    report_actions: list[str] = []

    def report_urls(self) -> list[URLPattern]:
        return []
