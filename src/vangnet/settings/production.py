"""Production: secrets from the environment, HTTPS only, two factors always enforced.

Behind a TLS-terminating proxy (see docs/security.md):
- VANGNET_PROXY_SSL_HEADER: the header the proxy sets to "https", e.g. X-Forwarded-Proto;
  Django then knows the request was secure (HSTS, secure cookies, no redirect loop). Only set
  it when the proxy always sets or strips that header.
- VANGNET_TRUSTED_PROXIES + VANGNET_PROXY_CLIENT_IP_HEADER: the proxies' addresses and the
  header carrying the client address (default X-Forwarded-For), for the login lockout.
- VANGNET_CSRF_TRUSTED_ORIGINS: e.g. https://vangnet.example.nl (comma-separated).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

VANGNET_PRODUCTION = True
SECRET_KEY = os.environ.get("VANGNET_SECRET_KEY", "")
# Refused, not only warned about (Django's own rule for `check --deploy`).
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "VANGNET_SECRET_KEY must be set in production: at least 50 random characters "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
# The patient-match key defaults to the secret key, read here again: base saw no secret yet.
VANGNET_PSEUDONYM_KEY = os.environ.get("VANGNET_PSEUDONYM_KEY", SECRET_KEY)
if not VANGNET_FIELD_KEYS:  # noqa: F405
    raise ImproperlyConfigured(
        "VANGNET_FIELD_KEYS must be set in production: one or more Fernet keys, newest first "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )
DEBUG = False
# One cache for all workers of the host (see base.py); VANGNET_CACHE_URL chooses another place.
CACHES = {
    "default": cache_from_url(  # noqa: F405
        os.environ.get("VANGNET_CACHE_URL") or f"file://{VAR_DIR / 'cache'}"  # noqa: F405
    )
}
VANGNET_REQUIRE_2FA = True  # never configurable here: NEN 7510 requires two factors
VANGNET_DEMO_BANNER = False
VANGNET_API_DOCS_PUBLIC = False  # the API documentation only after login
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("VANGNET_SSL_REDIRECT", True)  # noqa: F405
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("VANGNET_HSTS_INCLUDE_SUBDOMAINS", True)  # noqa: F405
SECURE_HSTS_PRELOAD = env_bool("VANGNET_HSTS_PRELOAD", True)  # noqa: F405
_proxy_header = os.environ.get("VANGNET_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("VANGNET_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
EMAIL_BACKEND = os.environ.get(
    "VANGNET_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
