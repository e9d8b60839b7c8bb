from django.urls import path

from privacy import views as privacy_views

urlpatterns = [
    path("account/data/", privacy_views.data, name="privacy-data"),
    path("account/data/download.json", privacy_views.download, name="privacy-download"),
    path("account/delete/", privacy_views.delete, name="privacy-delete"),
]
