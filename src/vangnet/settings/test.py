"""Test settings: the same rules as production (2FA enforced), fast hashing, in-memory mail."""

import os

from . import base
from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
VANGNET_REQUIRE_2FA = True
if "DATABASE_URL" not in os.environ:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
elif base.DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The flush between browser (live-server) tests truncates every table; the access log's
    # TRUNCATE trigger lets only its owner do so, and only with this session setting.
    base.DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c vangnet.audit_maintenance=on"
    )
MEDIA_ROOT = VAR_DIR / "test-documents"  # noqa: F405
AXES_ENABLED = True
# Tests see every record change in the next report (monitor/tests set a maximum age themselves).
VANGNET_MONITOR_REPORT_MAX_AGE = 0
# Sessions are renewed after 15 minutes here, not after one (base): a test that counts a page's
# queries must not see a renewal because its set-up took more than a minute, and a test whose
# frozen clock moves on in steps still keeps its session. The session tests set the production
# interval themselves.
VANGNET_SESSION_RENEW_SECONDS = 900
# Tests read the waiting-list national facts afresh (waitlists/tests set a maximum age).
VANGNET_WAITLISTS_NATIONAL_MAX_AGE = 0
