from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name, for titles and the navbar."""
    return {"site_name": settings.SITE_NAME}
