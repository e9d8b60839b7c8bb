from django.contrib import admin
from django.urls import include, path

from allauth.account.decorators import secure_admin_login

from mentorship import views

# The admin signs in through allauth's login, so it shares allauth's rate limits
# (brute-force protection), email verification and two-factor authentication.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Mentorship programme admin"
admin.site.site_title = "Mentorship admin"
admin.site.index_title = "Programme administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("profiles.urls")),
    path("", include("matching.urls")),
    path("", include("goals.urls")),
    path("", include("programmes.urls")),
    path("", include("mentorship.privacy_urls")),
]

handler404 = "mentorship.views.page_not_found"
handler500 = "mentorship.views.server_error"
