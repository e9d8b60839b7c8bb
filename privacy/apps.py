from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """A person's own data: export it, delete the account."""

    name = "privacy"
