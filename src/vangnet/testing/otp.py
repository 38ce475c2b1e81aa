"""Second-factor helpers for tests: a valid TOTP code for a user's device, as an app would show.

The code is computed with `django_otp.oath` from the device's key, exactly as an authenticator app
would. django-otp refuses a code whose time step was already used (replay protection) and, with
OTP_TOTP_SYNC, shifts the device's drift; `totp_token` therefore picks the first time step the
device will still accept, so a user can log in twice within one 30-second step.
"""

from __future__ import annotations

import time

from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from vangnet.accounts.models import User


def confirmed_device(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device, created when they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_token(device: TOTPDevice) -> str:
    """A six-digit code the device accepts now (never one it has already accepted)."""
    while True:
        device.refresh_from_db()
        now_step = (int(time.time()) - device.t0) // device.step + device.drift
        step = max(now_step, device.last_t + 1)
        # The device accepts steps within `tolerance` of now; otherwise wait for the clock.
        if step <= now_step + device.tolerance:
            return f"{hotp(device.bin_key, step, device.digits):0{device.digits}d}"
        time.sleep(1)
