"""Test settings: the same rules as production (2FA enforced), fast hashing, in-memory mail."""

import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
VANGNET_REQUIRE_2FA = True
if "DATABASE_URL" not in os.environ:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
MEDIA_ROOT = VAR_DIR / "test-documents"  # noqa: F405
AXES_ENABLED = True
