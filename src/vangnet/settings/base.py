"""Shared settings. Everything that differs between machines comes from environment variables.

Documented variables (see README "Configuration"):
- DATABASE_URL: database, default an SQLite file under var/ (on PostgreSQL: the application
  role, which owns nothing).
- VANGNET_MIGRATE_DATABASE_URL: PostgreSQL only, optional: the owner role `migrate` runs as.
- VANGNET_SECRET_KEY: Django secret key (required in production).
- VANGNET_ALLOWED_HOSTS: comma-separated host names.
- VANGNET_MEDIA_ROOT: where uploaded documents are stored (outside the web root).
- VANGNET_EMAIL_BACKEND / VANGNET_DEFAULT_FROM_EMAIL: outgoing mail.
- VANGNET_SITE_URL: the address users open Vangnet at, for links in e-mails (default
  http://127.0.0.1:8000, the demo).
- VANGNET_SESSION_IDLE_SECONDS: session expiry after inactivity (default 1800).
- VANGNET_PSEUDONYM_KEY: secret used to derive the internal patient-match key.
- VANGNET_SIGNAL_LIMIT / VANGNET_RECEIPT_LIMIT: public signals sent / receipt codes looked up per
  client address per hour (default 5 / 20).
- VANGNET_FIELD_KEYS: Fernet keys (comma-separated, newest first) that encrypt the BSN at rest.
- VANGNET_DISCLOSURE_THRESHOLD: smallest published cell in monitor reports (default 5).
- VANGNET_AUDIT_MAX_LAG_SECONDS: longest time between an access-log row and its seal (600).
- VANGNET_MONITOR_REPORT_MAX_AGE: seconds the monitor report page may lag the records (60).
- VANGNET_AUDIT_SEAL_IN_REQUEST: seal at the end of each logging request (1; 0 with a sealer).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent  # src/vangnet
REPO_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("VANGNET_VAR_DIR", REPO_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite default lives here


def cache_from_url(url: str) -> dict[str, object]:
    """A cache setting from VANGNET_CACHE_URL: "" (in memory, per process) or file:///dir."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.startswith("file://"):
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": url.removeprefix("file://"),
        }
    raise ValueError(f"VANGNET_CACHE_URL: only file:///dir is supported, not {url!r}")


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("VANGNET_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = False
ALLOWED_HOSTS = [
    h for h in os.environ.get("VANGNET_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",  # serves the Swagger UI of /api/v1/docs from our own static files, not a CDN
    "vangnet.common",
    "vangnet.regions",
    "vangnet.directory",
    "vangnet.accounts",
    "vangnet.audit",
    "vangnet.cases",
    "vangnet.meetings",
    "vangnet.plans",
    "vangnet.continuity",
    "vangnet.followup",
    "vangnet.casework",
    "vangnet.consultations",
    "vangnet.routing",
    "vangnet.monitor",
    "vangnet.waitlists",
    "vangnet.transfers",
    "vangnet.ops",
    "vangnet.scenarios",
    "vangnet.outcomes",
    "vangnet.board",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the policy too: every response has it.
    "csp.middleware.CSPMiddleware",
    # Outermost after security: every transaction of the request has ended when it finishes.
    "vangnet.audit.middleware.AccessLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vangnet.common.middleware.DropNulCookiesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vangnet.accounts.middleware.AbsoluteSessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before any view: NUL characters and over-large bodies never reach a query (issue 10 §4).
    "vangnet.common.middleware.HostileInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vangnet.common.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vangnet.urls"
WSGI_APPLICATION = "vangnet.wsgi.application"

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
                "vangnet.accounts.context_processors.vangnet",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'vangnet.sqlite3'}"),
        conn_max_age=60,
    )
}
# The cache (monitor report figures): VANGNET_CACHE_URL, file:///absolute/dir for one shared
# between the workers of one host; unset, each process keeps its own in memory (development,
# tests). Production defaults to a file cache in var/ (settings/production.py): with a cache per
# worker, every worker counted the national report again after each change.
CACHES = {"default": cache_from_url(os.environ.get("VANGNET_CACHE_URL", ""))}
# National facts of the waiting-list submissions (latest month, missing and unplaced
# providers) are read afresh after every import and otherwise at most this old (seconds).
VANGNET_WAITLISTS_NATIONAL_MAX_AGE = int(os.environ.get("VANGNET_WAITLISTS_NATIONAL_MAX_AGE", "60"))
# PostgreSQL with two roles: DATABASE_URL is the application role (owns nothing), and
# `migrate` connects as the owner role given here (see common/management/commands/migrate.py).
VANGNET_MIGRATE_DATABASE_URL = os.environ.get("VANGNET_MIGRATE_DATABASE_URL", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Before the password check (second: the first backend is the one sessions are bound to).
    "vangnet.accounts.spraying.AddressLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions expire after inactivity (NEN 7510). Activity renews the idle timer, at most once per
# VANGNET_SESSION_RENEW_SECONDS (vangnet.accounts.middleware): saving the session on every
# request was a write transaction per page view under load.
SESSION_COOKIE_AGE = int(os.environ.get("VANGNET_SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = False
VANGNET_SESSION_RENEW_SECONDS = 60
# ... and a fixed time after login, however active (vangnet.accounts.middleware).
VANGNET_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("VANGNET_SESSION_ABSOLUTE_SECONDS", "43200"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# django-axes: lock an account+address after repeated failures; an address that fails with
# many usernames (password spraying) is refused by vangnet.accounts.spraying. The address is the client's, read from the header of a
# trusted proxy (vangnet.common.clientip), so a lockout never locks a username for everyone
# behind the proxy.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
VANGNET_ADDRESS_FAILURE_LIMIT = int(os.environ.get("VANGNET_ADDRESS_FAILURE_LIMIT", "20"))
# The client's transfer page (personal code + birth date, no account): failures per address.
VANGNET_CLIENT_CODE_ADDRESS_LIMIT = int(os.environ.get("VANGNET_CLIENT_CODE_ADDRESS_LIMIT", "10"))
AXES_CLIENT_IP_CALLABLE = "vangnet.common.clientip.client_ip"
VANGNET_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("VANGNET_TRUSTED_PROXIES", "").split(",") if p.strip()
]
VANGNET_PROXY_CLIENT_IP_HEADER = os.environ.get("VANGNET_PROXY_CLIENT_IP_HEADER", "X-Forwarded-For")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

# Two-factor authentication for every role that can see identifiable case data.
VANGNET_REQUIRE_2FA = True
VANGNET_DEMO_BANNER = False
# Production settings set this; `demo` refuses to run there.
VANGNET_PRODUCTION = False
# The Swagger UI and OpenAPI document of the API: public here, behind login in production.
VANGNET_API_DOCS_PUBLIC = env_bool("VANGNET_API_DOCS_PUBLIC", True)
OTP_TOTP_ISSUER = "Vangnet"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # never show TOTP secrets in the admin

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# One way of writing dates ("1 dec. 2026"), whatever the template: vangnet/formats/nl.
FORMAT_MODULE_PATH = ["vangnet.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by WhiteNoise from the app itself, so the embedded demo needs no extra web server.
WHITENOISE_USE_FINDERS = True
# Uploaded case documents live outside the web root and are only served through a permission check.
MEDIA_ROOT = Path(os.environ.get("VANGNET_MEDIA_ROOT", VAR_DIR / "documents"))

EMAIL_BACKEND = os.environ.get(
    "VANGNET_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("VANGNET_DEFAULT_FROM_EMAIL", "vangnet@example.org")
# E-mails link to the page they concern; a background job has no request to take the host from.
VANGNET_SITE_URL = os.environ.get("VANGNET_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
VANGNET_PSEUDONYM_KEY = os.environ.get("VANGNET_PSEUDONYM_KEY", SECRET_KEY)
# The public signal form (issue 16 §1): signals sent and receipt codes looked up per client
# address per hour; beyond that the form answers "te vaak" (429).
VANGNET_SIGNAL_LIMIT = int(os.environ.get("VANGNET_SIGNAL_LIMIT", "5"))
VANGNET_RECEIPT_LIMIT = int(os.environ.get("VANGNET_RECEIPT_LIMIT", "20"))
# Keys for identifying numbers at rest (common/crypto.py): comma-separated Fernet keys, newest
# first. Without them (demo, tests) one key is derived from the secret key.
VANGNET_FIELD_KEYS = [k for k in os.environ.get("VANGNET_FIELD_KEYS", "").split(",") if k.strip()]

# Monitor reports published outside the table suppress cells below this count.
VANGNET_DISCLOSURE_THRESHOLD = int(os.environ.get("VANGNET_DISCLOSURE_THRESHOLD", "5"))
# The monitor report page shows figures at most this many seconds behind the records (counting
# a national report takes most of a second; every registration adds a record). 0: always exact.
VANGNET_MONITOR_REPORT_MAX_AGE = int(os.environ.get("VANGNET_MONITOR_REPORT_MAX_AGE", "60"))

# The access log's hash chain: the longest time a row may wait for its seal (a row written in a
# long transaction is sealed after it commits). Longer is reported by `audit verify`.
VANGNET_AUDIT_MAX_LAG_SECONDS = int(os.environ.get("VANGNET_AUDIT_MAX_LAG_SECONDS", "600"))
# Each request that logged seals its rows at its end, unless a sealer runs beside the server
# (`make serve` starts `audit seal --follow` and sets this to 0).
VANGNET_AUDIT_SEAL_IN_REQUEST = env_bool("VANGNET_AUDIT_SEAL_IN_REQUEST", True)

# Registrations older than this are flagged in the queue (seed 000, Tien in Twente: within a week).
VANGNET_TRIAGE_DAYS = 7

# A strict Content-Security-Policy on every response: only our own scripts and styles, no
# inline code or style attributes (a nonce for the few inline <style> blocks that need one), no
# third-party origin, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Logging never contains personal data: request paths carry no patient data by design
# (case references only), and we do not log request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
