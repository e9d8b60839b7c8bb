from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    """The API's documentation, drawn by Swagger UI from /api/schema/. Public, like the
    schema: both describe the API, and every call still needs a token. Swagger UI's
    files come from drf-spectacular-sidecar and its start-up from static/js/api-docs.js,
    so the site's Content-Security-Policy holds here too."""
    return render(request, "api/docs.html")
