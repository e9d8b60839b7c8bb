"""Settings for the mentorship platform.

Every value comes from an environment variable (or a ``.env`` file beside
``manage.py``); each one is documented in ``.env.example`` with its default. With
nothing set, the site runs on its embedded defaults: SQLite, Celery tasks run
in-process, email printed to the console, DEBUG off.
"""

from pathlib import Path

import environ
import xstatic.pkg.bootstrap
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
# The fallback key is only good for a laptop; `check --deploy` flags it (W009).
SECRET_KEY = env.str(
    "SECRET_KEY", default="django-insecure-local-only-change-me-0123456789abcdefghijklmnop"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Mentorship")

INSTALLED_APPS = [
    "mentorship.apps.AdminConfig",  # Django's admin, with our home page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    # Our app before staticfiles so that runserver uses whitenoise's static serving.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on (see "Single sign-on" below); no provider shows until one is configured.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "core",
    "core.outbox",
    "accounts",
    "profiles",
    "matching",
    "goals",
    "programmes",
    "pages",
    "privacy",
    "webhooks",
    # The REST API and SCIM (api/): DRF, its OpenAPI schema and the schema's own docs page.
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside every middleware that queries (sessions, auth, onboarding): a lost
    # database connection anywhere below answers a friendly 503, not a 500.
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.request_checks.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in person's own language wins over the browser's.
    "accounts.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "profiles.middleware.OnboardingRequiredMiddleware",
]

ROOT_URLCONF = "mentorship.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pages.context_processors.site",
                "pages.context_processors.nav",
                "pages.context_processors.mentor_badges",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits (allauth) live in the cache, and login must keep working when Redis is
# down, so the default cache is a database table, not Redis.
CACHES = {
    "default": env.cache("CACHE_URL", default="dbcache://django_cache"),
    # The mentor directory's mentors and rendered cards (matching/directory.py). Its keys
    # carry version numbers kept in the database, so each process may keep its own copy.
    "directory": env.cache(
        "DIRECTORY_CACHE_URL", default="locmemcache://directory?TIMEOUT=600&MAX_ENTRIES=5000"
    ),
}

# --- Identity ---------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, each loading the profile with the user (profiles/auth.py).
AUTHENTICATION_BACKENDS = [
    "profiles.auth.ModelBackend",
    "profiles.auth.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    # Password sign-in and reset refuse people whose programme requires single sign-on.
    "login": "accounts.forms.LoginForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# One address per person; changing it keeps the old one until the new one is verified.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("HTTP_PROTOCOL", default="http")
ACCOUNT_SESSION_REMEMBER = None
# allauth's defaults, made explicit and tunable. "login_failed" throttles per IP
# and, for "key", per address and IP together (accounts/adapter.py), so a guesser
# cannot lock the owner out; it also guards the admin, whose login goes through
# allauth (see mentorship/urls.py).
ACCOUNT_RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="30/m/ip"),
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": env.str("RATE_LIMIT_SIGNUP", default="20/m/ip"),
    # Tries at a programme's invite code (matching/views.py), per person and per client.
    "invite_code": env.str("RATE_LIMIT_INVITE_CODE", default="5/5m/user,20/h/ip"),
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}

# Changes within this many seconds of each other cost one recomputation.
SUGGESTION_DEBOUNCE_SECONDS = env.int("SUGGESTION_DEBOUNCE_SECONDS", default=30)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Staff (superusers, programme admins) set up an authenticator app before the admin opens
# and before they read a cohort's goals on the site. Off only for a throwaway local demo.
ADMIN_REQUIRES_TWO_FACTOR = env.bool("ADMIN_REQUIRES_TWO_FACTOR", default=True)

# --- Single sign-on ---------------------------------------------------------

# A company's identity provider, through allauth's own providers: OpenID Connect (Entra
# ID, Okta, Google Workspace, Keycloak...) and SAML 2.0, each configured here when its
# variables are set, or in the admin (Social applications). People sign in with the
# address the provider vouches for: a new person gets an account on the spot, and an
# existing account with that verified address is signed in and connected, not duplicated.
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
# Where the sign-in buttons send the browser: CSP's form-action must allow it.
SSO_ORIGINS: list[str] = []


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


if env.str("OIDC_SERVER_URL", default="") and env.str("OIDC_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env.str("OIDC_PROVIDER_ID", default="company"),
                "name": env.str("OIDC_NAME", default="your company account"),
                "client_id": env.str("OIDC_CLIENT_ID"),
                "secret": env.str("OIDC_CLIENT_SECRET", default=""),
                "settings": {
                    "server_url": env.str("OIDC_SERVER_URL"),
                    "oauth_pkce_enabled": True,
                    # Trust the provider's email_verified claim to find an existing account.
                    "email_authentication": env.bool("SSO_EMAIL_AUTHENTICATION", default=True),
                },
            }
        ]
    }
    SSO_ORIGINS.append(_origin(env.str("OIDC_SERVER_URL")))

if env.str("SAML_IDP_ENTITY_ID", default=""):
    _saml_idp = {"entity_id": env.str("SAML_IDP_ENTITY_ID")}
    if env.str("SAML_IDP_METADATA_URL", default=""):
        _saml_idp["metadata_url"] = env.str("SAML_IDP_METADATA_URL")
    else:
        _saml_idp["sso_url"] = env.str("SAML_IDP_SSO_URL")
        _saml_idp["x509cert"] = env.str("SAML_IDP_X509CERT")
    SOCIALACCOUNT_PROVIDERS["saml"] = {
        "APPS": [
            {
                # The organisation's slug in the addresses: /accounts/saml/<slug>/...
                "client_id": env.str("SAML_ORGANIZATION", default="company"),
                "name": env.str("SAML_NAME", default="your company account"),
                "settings": {
                    "idp": _saml_idp,
                    # SAML has no email_verified: the company's IdP vouches for its addresses.
                    "verified_email": env.bool("SAML_EMAIL_VERIFIED", default=True),
                    "email_authentication": env.bool("SSO_EMAIL_AUTHENTICATION", default=True),
                    "attribute_mapping": {
                        "uid": env.list(
                            "SAML_ATTRIBUTE_UID",
                            default=["urn:oasis:names:tc:SAML:attribute:subject-id"],
                        ),
                        "email": env.list(
                            "SAML_ATTRIBUTE_EMAIL",
                            default=[
                                "urn:oid:0.9.2342.19200300.100.1.3",
                                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                            ],
                        ),
                        "first_name": ["urn:oid:2.5.4.42"],
                        "last_name": ["urn:oid:2.5.4.4"],
                    },
                    "use_nameid_for_email": env.bool("SAML_NAMEID_IS_EMAIL", default=False),
                },
            }
        ]
    }
    SSO_ORIGINS.append(_origin(_saml_idp.get("sso_url") or _saml_idp["metadata_url"]))
SSO_ORIGINS += env.list("SSO_EXTRA_ORIGINS", default=[])

# --- Email ------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Seconds a webhook receiver has to answer before the delivery is tried again later.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
# An unsent outbox row is tried again after 1, 2, 4, ... minutes, up to this many times.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

# --- Background work --------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process right where they are queued.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only when it finishes, so a killed worker's task is
# delivered again; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing must fail fast when the broker is down: the outbox sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker keeps trying to reach the broker for as long as it is away (Celery's default
# gives up, and exits, after 100 tries): it resumes on its own when the broker is back.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# The visibility timeout is how long Redis waits for a task's acknowledgement before
# another worker may run it: when a whole worker dies, its unacknowledged task comes
# back after this long. Keep it above the longest task and countdown (SMTP times out
# after EMAIL_TIMEOUT); a dead pool process is noticed at once, not after this.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "webhooks-sweep": {
        "task": "webhooks.sweep",
        "schedule": env.float("WEBHOOKS_SWEEP_SECONDS", default=60.0),
    },
    "outbox-sweep": {
        "task": "outbox.sweep_outbox",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
    },
    "forget-old-submissions": {
        "task": "core.forget_old_submissions",
        "schedule": crontab(hour=3, minute=45),
    },
    "nightly-suggestions": {
        "task": "matching.tasks.recompute_all_suggestions",
        "schedule": crontab(hour=3, minute=15),
    },
    "fail-stuck-match-runs": {
        "task": "matching.tasks.fail_stuck_runs",
        "schedule": 600.0,
    },
    "expire-requests": {
        "task": "matching.tasks.expire_requests",
        "schedule": env.float("REQUEST_EXPIRY_SWEEP_SECONDS", default=900.0),
    },
    "preference-window-reminders": {
        "task": "matching.tasks.send_preference_reminders",
        "schedule": crontab(minute=40),
    },
    "goal-and-meeting-reminders": {
        "task": "goals.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "relationship-health": {
        "task": "goals.tasks.send_health_checks",
        "schedule": crontab(hour=7, minute=15),
    },
    "mentor-review-digest": {
        "task": "goals.tasks.send_review_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
}

# --- Presentation -----------------------------------------------------------

# The site's own language, used where a person has none: for visitors whose browser
# asks for no language we speak, and for emails to people who never chose one.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# Each person chooses one of these (accounts.User.language); visitors get their
# browser's. German is complete: CI fails on an untranslated or fuzzy entry.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Paths whose callers are programs: errors answered before any view are JSON there.
JSON_ERROR_PATHS = ["/api/", "/scim/"]
# Our own date formats where Django's do not suit (mentorship/formats/<language>/).
FORMAT_MODULE_PATH = ["mentorship.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap comes from the XStatic-Bootstrap package, so no CDN is needed at run time.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security ---------------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions: they outlive a Redis restart, and logging out anywhere
# really ends the session.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Content Security Policy: scripts, styles and everything else from this site only, and
# no inline script anywhere (every script is a static file). data: images are Bootstrap's
# inline SVG icons in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # The single sign-on buttons post here and are sent on to the identity provider.
        "form-action": ["'self'", *SSO_ORIGINS],
        "frame-ancestors": ["'none'"],
    },
}

# --- REST API (api/) ---------------------------------------------------------

# Programme admins' tokens only: no session or basic auth, so the API is never reachable
# with a browser's cookies (and needs no CSRF). Access rules live in api/permissions.py.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsProgrammeAdminToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    # Per token, counted in the default cache (shared by every process).
    "DEFAULT_THROTTLE_RATES": {"api_token": env.str("API_RATE_LIMIT", default="120/min")},
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    # The docs page's scripts and styles come from drf-spectacular-sidecar, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

ADMINS = [("Admin", a) for a in env.list("ADMIN_EMAILS", default=[])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
    },
}
