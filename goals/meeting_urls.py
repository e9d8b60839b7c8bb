"""URLs of meetings; included by goals.urls, so names live in the goals namespace."""

urlpatterns: list = []
