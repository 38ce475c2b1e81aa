"""Browser-test helpers: log in through the real login and second-factor forms.

Usage in a test marked `@pytest.mark.browser` with the `page` and `live_server` fixtures of
`vangnet/conftest.py`::

    browser_login(page, live_server, world.referrer)
    page.goto(live_server.url + "/casussen/aanmelden/")

Tests that drive the live server must use
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)`: the live server needs
committed data, and the serialized rollback restores the reference data (municipalities, tables,
criteria from the data migrations) that the flush after a transactional test removes.
"""

from __future__ import annotations

import re
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from vangnet.accounts.models import User

from .factories import PASSWORD
from .otp import confirmed_device, totp_token

OTP_PATH = "/account/tweede-factor/"


def browser_login(page: Any, live_server: Any, user: User, *, password: str = PASSWORD) -> None:
    """Log `user` in with password and TOTP code; ends on the page after the second factor.

    A user without a confirmed device gets one first, so the code can be computed; use
    `browser_enrol` to drive the enrolment page itself.
    """
    device = confirmed_device(user)
    page.goto(f"{live_server.url}/account/inloggen/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('Inloggen')")
    page.wait_for_url(re.compile(re.escape(OTP_PATH)))
    _submit_token(page, device)


def browser_enrol(page: Any, live_server: Any, user: User, *, password: str = PASSWORD) -> None:
    """Log in a user without a device: the OTP page enrols one, whose key the test reads back."""
    page.goto(f"{live_server.url}/account/inloggen/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('Inloggen')")
    page.wait_for_url(re.compile(re.escape(OTP_PATH)))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    _submit_token(page, device)


def _submit_token(page: Any, device: TOTPDevice) -> None:
    page.fill("#id_token", totp_token(device))
    page.click("button[type=submit]:has-text('Bevestigen')")
    page.wait_for_url(lambda url: OTP_PATH not in url)


def browser_logout(page: Any) -> None:
    """Log out through the menu's logout button (a POST with CSRF, as a user would)."""
    page.click("button:has-text('Uitloggen')")
    page.wait_for_url(re.compile(r"/account/inloggen/"))
