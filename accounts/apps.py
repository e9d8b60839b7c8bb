from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(using: str = "default", **kwargs: object) -> None:
    # The default cache is a database table (see settings.CACHES). Creating it after
    # every migrate means `migrate` alone prepares a working site; the command is a
    # no-op when the table exists or another cache backend is configured.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users"

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self)
