from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from allauth.account.decorators import secure_admin_login

from accounts import views as accounts_views
from matching.admin_scoping import view_on_site

# The admin signs in through allauth's login, so it shares allauth's rate limits
# (brute-force protection), email verification and two-factor authentication. This is
# allauth's documented hook; mypy forbids replacing a method, hence the ignore.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("pages.urls")),
    # Ahead of the admin's own "view on site" redirect, which is not scoped to cohorts.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin-view-on-site",
    ),
    path("admin/", admin.site.urls),
    # allauth's single sign-on buttons, ahead of its own addresses for them: an identity
    # provider that is down gets allauth's failure page instead of a 500.
    path(
        "accounts/oidc/<str:provider_id>/login/",
        accounts_views.sign_in_with_openid_connect,
        name="sso-oidc-login",
    ),
    path(
        "accounts/saml/<str:organization_slug>/login/",
        accounts_views.sign_in_with_saml,
        name="sso-saml-login",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    # The words of our scripts (static/js) in the visitor's language, for gettext() there.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("profiles.urls")),
    path("", include("matching.urls")),
    path("", include("goals.urls")),
    path("", include("programmes.urls")),
    path("", include("privacy.urls")),
    path("", include("api.urls")),
]

handler404 = "pages.views.page_not_found"
handler500 = "pages.views.server_error"
