from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The site-wide pages: home, dashboard, the navbar's context and the error pages."""

    name = "pages"
