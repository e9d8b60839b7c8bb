from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "mentorship.outbox"
    label = "outbox"
    verbose_name = "Outgoing email"
