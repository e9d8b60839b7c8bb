from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground floor: the record of form posts that created something (models.py)."""

    name = "core"
    verbose_name = _("Core")
