"""Production: secrets from the environment, HTTPS only, two factors always enforced."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

SECRET_KEY = os.environ.get("VANGNET_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("VANGNET_SECRET_KEY must be set in production")
DEBUG = False
VANGNET_REQUIRE_2FA = True  # never configurable here: NEN 7510 requires two factors
VANGNET_DEMO_BANNER = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("VANGNET_SSL_REDIRECT", True)  # noqa: F405
SECURE_HSTS_SECONDS = 31536000
EMAIL_BACKEND = os.environ.get(
    "VANGNET_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
