from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """The programme admin's back office: imports, invitations, surveys, reports."""

    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from programmes.groups import sync_programme_admin_group

        post_migrate.connect(sync_programme_admin_group, sender=self)
