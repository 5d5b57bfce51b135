"""xeroadmin settings: every knob comes from the environment, with a safe embedded default.

The embedded default (no environment at all) needs no server: SQLite in var/, Celery on a
SQLite broker file in var/, a database cache and e-mail written to var/mail/. Production sets
DEBUG=False and passes DATABASE_URL, CELERY_BROKER_URL, CACHE_URL, SECRET_KEY and the rest.
See .env.example for the full list.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured

from xeroadmin.lib.env import (
    GENERATE_SECRETS,
    check_fernet_keys,
    env_bool,
    env_int,
    env_list,
    env_str,
    persistent_secret,
)
from xeroadmin.xero.endpoints import check_transport
from xeroadmin.xero.plans import plan_for

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("XEROADMIN_VAR_DIR", str(BASE_DIR / "var"))).resolve()
# The embedded default keeps its database, broker, secrets and mail here; a new one is made.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=True)

# Secrets. Without DEBUG they must come from the environment; the embedded default keeps
# generated ones in var/ so that a restart keeps sessions and encrypted data readable.
_secret_key = env_str("SECRET_KEY")
_field_keys = env_list("FIELD_ENCRYPTION_KEYS")
if not DEBUG:
    _missing = [
        name
        for name, value in (("SECRET_KEY", _secret_key), ("FIELD_ENCRYPTION_KEYS", _field_keys))
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"DEBUG is off, so {' and '.join(_missing)} must be set in the environment "
            f"(see .env.example). {GENERATE_SECRETS}"
        )
SECRET_KEY = _secret_key or persistent_secret(VAR_DIR / "secret_key")
FIELD_ENCRYPTION_KEYS = _field_keys or [persistent_secret(VAR_DIR / "field_key", make="fernet")]
# A key that cannot decrypt would otherwise fail only at the first encrypted read.
check_fernet_keys("FIELD_ENCRYPTION_KEYS", FIELD_ENCRYPTION_KEYS)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_celery_beat",
    "xeroadmin.accounts",
    "xeroadmin.tenancy",
    "xeroadmin.activity",
    "xeroadmin.connections",
    "xeroadmin.books",
    "xeroadmin.webhooks",
    "xeroadmin.portfolio",
    "xeroadmin.bulk",
    "xeroadmin.alerts",
    "xeroadmin.people",
    "xeroadmin.sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xeroadmin.lib.middleware.site_host_redirect",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xeroadmin.lib.middleware.ContentSecurityPolicy",
    "xeroadmin.lib.middleware.permissions_policy",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xeroadmin.connections.middleware.xero_wait_notice",
    "xeroadmin.connections.middleware.usage_flush",
    "xeroadmin.tenancy.middleware.TwoFactorRequiredMiddleware",
]

ROOT_URLCONF = "xeroadmin.urls"
WSGI_APPLICATION = "xeroadmin.wsgi.application"

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
                "xeroadmin.tenancy.context_processors.workspaces",
                "xeroadmin.connections.context_processors.connection_alerts",
                "xeroadmin.alerts.context_processors.unread",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                "xeroadmin.lib.templatetags.lookup",
                "xeroadmin.lib.templatetags.display",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL names another (PostgreSQL in production).
# SQLite, wherever its file is, gets the options that let several processes share it: WAL lets
# the web, worker and beat processes read while one writes; IMMEDIATE takes the write lock up
# front instead of failing mid-transaction; the timeout waits for a lock instead of failing.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("DB_CONN_MAX_AGE", 60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {
            **SQLITE_OPTIONS,
            **DATABASES["default"].get("OPTIONS", {}),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "xeroadmin.sqlite3",
            # A file (not :memory:) so that a worker process can see what a test wrote.
            "TEST": {"NAME": VAR_DIR / "test.sqlite3"},
            "OPTIONS": SQLITE_OPTIONS,
            # Each web thread keeps its connection (and its PRAGMAs) between requests.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared by every process (allauth's rate limits live here).
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {"default": environ.Env.cache_url_config(CACHE_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "xeroadmin_cache",
            # Figures are kept per organisation (a few each); 300, the default, would cull
            # them on every page of a large workspace.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail login, mandatory verification, TOTP and recovery codes.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[xeroadmin] "
# E-mailed links take their scheme and host from SITE_URL (see accounts.adapter).
ACCOUNT_DEFAULT_HTTP_PROTOCOL = SITE_URL.partition("://")[0] or "https"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "xeroadmin.accounts.adapter.AccountAdapter"
# Sign-in limits: 10 failures a minute per client IP, and 5 in 5 minutes per address from one
# IP (keyed in accounts.adapter), so that nobody can lock an owner out from elsewhere.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
# Proxies in front that append to X-Forwarded-For: the client's IP is found behind them.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "xeroadmin"

LANGUAGE_CODE = "en-gb"
# How money is written (Babel's CLDR locale): en_GB names every dollar (NZ$, A$, US$), which a
# practice with organisations in several countries needs.
MONEY_LOCALE = env_str("MONEY_LOCALE", "en_GB")
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
# Our own wording of other packages' pages (sentence case on allauth's), compiled by `make`.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (after collectstatic); plain files otherwise.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# E-mail: written to var/mail/ unless an SMTP host is configured.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "xeroadmin <noreply@xeroadmin.local>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 15

# Celery: a SQLite broker file of its own in var/ by default, Redis in production.
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers unacknowledged tasks after this long; it must exceed the longest task.
# (The SQLAlchemy transport passes its options to create_engine, which rejects this one.)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600} if CELERY_BROKER_URL.startswith(("redis", "rediss")) else {}
)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "xeroadmin")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
CELERY_TASK_TIME_LIMIT = 900
CELERY_TASK_SOFT_TIME_LIMIT = 840
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Whether alerts may be posted to plain-http loopback addresses (a receiver on this machine):
# in development and tests only. Every other address must be https and public.
OUTBOUND_ALLOW_LOOPBACK = env_bool("OUTBOUND_ALLOW_LOOPBACK", default=DEBUG)
# How often beat runs a sync pass over every organisation (each asks only for what is due).
SYNC_INTERVAL_MINUTES = env_int("SYNC_INTERVAL_MINUTES", 15)
CELERY_BEAT_SCHEDULE = {
    "prune-embedded-broker": {"task": "xeroadmin.lib.tasks.broker_prune", "schedule": 3600.0},
    # Refresh grants nobody has used for a week, long before Xero's 60-day expiry.
    "keep-xero-grants-alive": {
        "task": "xeroadmin.connections.tasks.grant_keepalive",
        "schedule": 6 * 3600.0,
    },
    # Pull what changed in Xero (webhooks cover contacts and invoices between passes).
    "sync-organisations": {
        "task": "xeroadmin.books.tasks.sync_schedule",
        "schedule": SYNC_INTERVAL_MINUTES * 60.0,
    },
    # Re-queue sync jobs whose worker died.
    "sweep-sync-jobs": {"task": "xeroadmin.books.tasks.sync_sweep", "schedule": 120.0},
    # Rules whose conditions move on with time, deliveries due a retry, digests due.
    "alerts-sweep": {"task": "xeroadmin.alerts.tasks.alerts_sweep", "schedule": 300.0},
    # Hand bulk job parts whose worker died to another.
    "sweep-bulk-jobs": {"task": "xeroadmin.bulk.tasks.bulk_sweep", "schedule": 60.0},
    # Each organisation's users, read once a day (a share of them each hour).
    "people-users-read": {"task": "xeroadmin.people.tasks.users_read_due", "schedule": 3600.0},
    # Every organisation's data-health checks in full, once a day.
    "checks-nightly": {"task": "xeroadmin.portfolio.tasks.checks_nightly", "schedule": 86400.0},
    # Webhook deliveries never queued (broker down), due a retry, or left by a dead worker.
    "sweep-webhook-deliveries": {
        "task": "xeroadmin.webhooks.tasks.delivery_sweep",
        "schedule": 60.0,
    },
}

# Security. Production runs behind TLS; a proxy that terminates it must send X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Secure cookies need HTTPS; only a local plain-HTTP run (make demo) turns them off.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

MESSAGE_TAGS = {message_constants.ERROR: "error"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_secrets": {"()": "xeroadmin.lib.logs.MaskSecrets"},
        "one_line_refusals": {"()": "xeroadmin.lib.logs.OneLineRefusals"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_secrets", "one_line_refusals"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers would print around the filters above; everything goes through
        # the one console handler instead.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # At DEBUG these print token responses; they must never reach a log.
        "oauthlib": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
    },
}

# Django's admin at /admin/: off unless asked for; staff then sign in through allauth and
# need two-factor authentication turned on.
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", default=False)

# A form may carry this many fields: the invoice editor's 500 lines of 6 fields each, and more.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# Invitations expire after this many days.
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7)
CSRF_FAILURE_VIEW = "xeroadmin.views.csrf_failure"

# Xero. The real Xero unless these point elsewhere (make demo and the tests point them at the
# sandbox); plain HTTP is refused unless the host is a loopback address.
XERO_LOGIN_URL = env_str("XERO_LOGIN_URL", "https://login.xero.com").rstrip("/")
XERO_IDENTITY_URL = env_str("XERO_IDENTITY_URL", "https://identity.xero.com").rstrip("/")
XERO_API_URL = env_str("XERO_API_URL", "https://api.xero.com").rstrip("/")
for _xero_url in (XERO_LOGIN_URL, XERO_IDENTITY_URL, XERO_API_URL):
    check_transport(_xero_url)

# A server-rendered htmx app needs nothing but its own origin: no inline script or style, no
# eval, no frames (forms may also lead to Xero's sign-in: see lib.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],  # and XERO_LOGIN_URL, added per request
    }
}
# Browser features no page here uses.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), browsing-topics=()"
)
# The deployment's own Xero app; workspaces may also bring their own.
XERO_CLIENT_ID = env_str("XERO_CLIENT_ID")
XERO_CLIENT_SECRET = env_str("XERO_CLIENT_SECRET")
XERO_WEBHOOK_KEY = env_str("XERO_WEBHOOK_KEY")
# "granular" (Xero apps created from March 2026), "broad" (older apps), or the scopes themselves.
XERO_SCOPES = env_str("XERO_SCOPES", "granular")
# Sign in with Xero and Sign up with Xero (allauth's OpenID Connect provider, as app "xero",
# made from the deployment's own Xero app; accounts.xero_signin says how it differs). Register
# SITE_URL + /accounts/oidc/xero/login/callback/ as a redirect URI of the app too.
SOCIALACCOUNT_ADAPTER = "xeroadmin.accounts.xero_signin.SocialAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "xeroadmin.accounts.xero_signin.XeroProvider",
        "OAUTH_PKCE_ENABLED": True,
    }
}
# A Xero user whose e-mail address is a verified address of an account here signs in to it.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False  # the tokens of a consent are kept only by its grant
SOCIALACCOUNT_LOGIN_ON_GET = False  # sign-in starts with a POST from our own page
# The Xero developer plan the deployment's own app is on (xero/plans.py): starter, core, plus,
# advanced or enterprise. It sets the connections cap, the data allowance and, unless
# XERO_DAILY_LIMIT says otherwise, the calls a day per organisation (1,000 on Starter).
XERO_PLAN = plan_for(env_str("XERO_PLAN", "core")).key
XERO_DAILY_LIMIT = env_int("XERO_DAILY_LIMIT", plan_for(XERO_PLAN).calls_per_day)
# Where the rate-limit governor keeps its counters: Redis when the cache is Redis (a fraction of
# a database transaction's cost per call), else the database.
XERO_GOVERNOR_REDIS_URL = env_str(
    "XERO_GOVERNOR_REDIS_URL",
    CACHE_URL if CACHE_URL.startswith(("redis://", "rediss://", "unix://")) else "",
)
