from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: the record of form posts that created something (models.py)."""

    name = "core"
    verbose_name = "Core"
