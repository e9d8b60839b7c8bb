from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(using: str = "default", **kwargs: object) -> None:
    # The default cache is a database table (see settings.CACHES). Creating it after
    # every migrate means `migrate` alone prepares a working site; the command is a
    # no-op when the table exists or another cache backend is configured.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


def _sync_site(using: str = "default", **kwargs: object) -> None:
    # allauth's emails and the admin's "view on site" read the Site row; it follows
    # SITE_NAME and SITE_URL after every migrate instead of staying "example.com".
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users")

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self)
        post_migrate.connect(_sync_site, sender=self)
