"""The embedded demo (`make run`): SQLite, demo data, second factor skipped with a visible banner."""

from .base import *  # noqa: F403

DEBUG = False  # error pages never show data, even in the demo
VANGNET_REQUIRE_2FA = env_bool("VANGNET_REQUIRE_2FA", False)  # noqa: F405
VANGNET_DEMO_BANNER = not VANGNET_REQUIRE_2FA
# Demo e-mails are written as files under var/mail instead of being sent.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"  # noqa: F405
