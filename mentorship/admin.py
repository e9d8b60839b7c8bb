"""The admin site: Django's, with a home page about the viewer's programmes.

Installed through ``mentorship.apps.AdminConfig`` in place of ``django.contrib.admin``,
Django's documented way to replace the default site, so every ``admin.site.register``
in the apps registers here.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from programmes.admin_home import home_context


class MentorshipAdminSite(admin.AdminSite):
    site_header = _("Mentorship programme admin")
    site_title = _("Mentorship admin")
    index_title = _("Programme administration")
    index_template = "admin/programmes/home.html"

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        return super().index(request, {**home_context(request), **(extra_context or {})})
