from django.contrib import admin
from django.urls import include, path

from allauth.account.decorators import secure_admin_login

# The admin signs in through allauth's login, so it shares allauth's rate limits
# (brute-force protection), email verification and two-factor authentication. This is
# allauth's documented hook; mypy forbids replacing a method, hence the ignore.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Mentorship programme admin"
admin.site.site_title = "Mentorship admin"
admin.site.index_title = "Programme administration"

urlpatterns = [
    path("", include("pages.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("profiles.urls")),
    path("", include("matching.urls")),
    path("", include("goals.urls")),
    path("", include("programmes.urls")),
    path("", include("privacy.urls")),
]

handler404 = "pages.views.page_not_found"
handler500 = "pages.views.server_error"
