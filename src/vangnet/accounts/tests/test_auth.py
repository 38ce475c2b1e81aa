"""Login with two factors, enrolment, lockout, idle sessions, API tokens and the 2FA settings."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from vangnet.accounts.models import ApiToken
from vangnet.settings import base as base_settings
from vangnet.testing import factories
from vangnet.testing.factories import PASSWORD
from vangnet.testing.otp import totp_token

pytestmark = pytest.mark.django_db

LOGIN = "/account/inloggen/"
OTP = "/account/tweede-factor/"
DASHBOARD = "/casussen/overzicht/"
SRC = Path(__file__).resolve().parents[3]  # .../src


def login(client: Client, user, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": user.username, "password": password}, **extra)


def wrong(token: str) -> str:
    return f"{(int(token) + 1) % 1_000_000:06d}"


# --- password + TOTP through the real forms ---------------------------------------------------


def test_login_with_password_then_totp(world):
    device = factories.totp_device(world.coordinator)
    client = Client()
    page = client.get(LOGIN)
    assert page.status_code == 200 and "Inloggen" in page.content.decode()

    response = login(client, world.coordinator)
    assert response.status_code == 302 and response.url == DASHBOARD
    # The password alone opens nothing with case data.
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url == OTP

    page = client.get(OTP).content.decode()
    assert "Voer de code van zes cijfers" in page
    assert "otp-secret" not in page  # no key shown to a user who has a device

    response = client.post(OTP, {"token": totp_token(device)})
    assert response.status_code == 302 and response.url == DASHBOARD
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(DASHBOARD).status_code == 200
    assert client.get("/casussen/").status_code == 200


def test_second_factor_returns_to_the_requested_page(world):
    device = factories.totp_device(world.coordinator)
    client = Client()
    login(client, world.coordinator)
    response = client.post(f"{OTP}?next=/casussen/", {"token": totp_token(device)})
    assert response.status_code == 302 and response.url == "/casussen/"


def test_second_factor_does_not_redirect_off_site(world):
    device = factories.totp_device(world.coordinator)
    client = Client()
    login(client, world.coordinator)
    response = client.post(f"{OTP}?next=https://evil.example/", {"token": totp_token(device)})
    assert response.status_code == 302
    assert not response.url.startswith("https://evil.example")


def test_wrong_code_is_refused_in_dutch(world):
    device = factories.totp_device(world.coordinator)
    client = Client()
    login(client, world.coordinator)
    response = client.post(OTP, {"token": wrong(totp_token(device))})
    assert response.status_code == 200
    assert "Deze code klopt niet of is verlopen" in response.content.decode()
    assert client.get(DASHBOARD).url == OTP
    response = client.post(OTP, {"token": "12ab"})
    assert response.status_code == 200 and client.get(DASHBOARD).url == OTP


def test_a_code_cannot_be_used_twice(world):
    device = factories.totp_device(world.coordinator)
    token = totp_token(device)
    first, second = Client(), Client()
    login(first, world.coordinator)
    assert first.post(OTP, {"token": token}).status_code == 302
    login(second, world.coordinator)
    response = second.post(OTP, {"token": token})
    assert response.status_code == 200 and "klopt niet" in response.content.decode()


def test_wrong_password_is_refused_in_dutch(world):
    client = Client()
    response = login(client, world.coordinator, password="fout-wachtwoord-123")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "gebruikersnaam" in html.lower() and "wachtwoord" in html.lower()


def test_otp_page_needs_a_password_login_first():
    response = Client().get(OTP)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_logout_ends_the_session(world, verified_client):
    client = verified_client(world.coordinator)
    assert client.get(DASHBOARD).status_code == 200
    response = client.post("/account/uitloggen/")
    assert response.status_code == 302 and response.url == LOGIN
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


# --- enrolment: only through the one-time activation link (no trust on first use) ---------------


def test_enrolment_shows_a_key_and_confirms_the_device_with_a_code(world):
    from vangnet.accounts.services import account_activation_send

    user = world.referrer
    assert not TOTPDevice.objects.filter(user=user).exists()
    url = account_activation_send(user=user, by="beheer", absolute=lambda path: path)
    client = Client()
    page = client.get(url).content.decode()
    assert "Scan deze QR-code" in page and "<svg" in page
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7=]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    # Reloading the page keeps the same unconfirmed device and key.
    assert secret in client.get(url).content.decode()
    assert TOTPDevice.objects.filter(user=user).count() == 1

    # What an authenticator app does with the key.
    app = TOTP(base64.b32decode(secret), step=30, t0=0, digits=6)
    new = "Een-eigen-lang-wachtwoord-2026"
    form = {"new_password1": new, "new_password2": new}
    response = client.post(url, {**form, "token": wrong(f"{app.token():06d}")})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed is False
    device.throttle_reset()  # a failure throttles the next try by a second; skip the wait
    response = client.post(url, {**form, "token": f"{app.token():06d}"})
    assert response.status_code == 302 and response.url == DASHBOARD
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(DASHBOARD).status_code == 200

    # The next login asks for a code, and shows no key.
    again = Client()
    login(again, user, password=new)
    page = again.get(OTP).content.decode()
    assert "otp-secret" not in page and "Voer de code van zes cijfers" in page


# --- unverified users are kept out of case data ----------------------------------------------


@pytest.mark.parametrize(
    "path",
    [DASHBOARD, "/casussen/", "/casussen/aanmelden/", "/toegangslog/", "/account/api-tokens/"],
)
def test_password_only_session_is_sent_to_the_second_factor(world, path):
    client = Client()
    client.force_login(world.referrer)
    response = client.get(path)
    assert response.status_code == 302 and response.url == OTP


def test_password_only_session_gets_401_from_the_api(world):
    case = factories.register_case(world.referrer)
    client = Client()
    client.force_login(world.referrer)
    for response in [client.get("/api/v1/cases"), client.get(f"/api/v1/cases/{case.reference}")]:
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert "tweede factor" in response.json()["detail"]


def test_without_the_2fa_requirement_password_is_enough(world):
    client = Client()
    client.force_login(world.referrer)
    with override_settings(VANGNET_REQUIRE_2FA=False):
        assert client.get("/casussen/").status_code == 200
        assert client.get("/api/v1/cases").status_code == 200


# --- lockout after repeated failures (django-axes) --------------------------------------------


def test_five_failures_lock_the_account_with_a_dutch_page(world):
    factories.totp_device(world.coordinator)
    client = Client()
    for _ in range(4):
        assert login(client, world.coordinator, password="fout-wachtwoord").status_code == 200
    locked = login(client, world.coordinator, password="fout-wachtwoord")
    assert locked.status_code == 429
    # Even the right password is refused now.
    response = login(client, world.coordinator)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Account tijdelijk geblokkeerd" in html and "over een uur" in html
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_address(world):
    client = Client()
    for _ in range(5):
        login(client, world.coordinator, password="fout-wachtwoord")
    assert login(client, world.coordinator).status_code == 429
    # Another account from the same address, and the same account elsewhere, still log in.
    assert login(Client(), world.screener).status_code == 302
    assert login(Client(), world.coordinator, REMOTE_ADDR="10.1.2.3").status_code == 302


def test_lockout_ends_after_the_cooloff(world):
    with freeze_time("2026-03-01 10:00:00") as frozen:
        client = Client()
        for _ in range(5):
            login(client, world.coordinator, password="fout-wachtwoord")
        assert login(client, world.coordinator).status_code == 429
        frozen.tick(timedelta(hours=1, minutes=1))
        assert login(client, world.coordinator).status_code == 302


def test_fewer_failures_then_success_resets_the_count(world):
    client = Client()
    for _ in range(4):
        login(client, world.coordinator, password="fout-wachtwoord")
    assert login(client, world.coordinator).status_code == 302
    other = Client()
    for _ in range(4):
        login(other, world.coordinator, password="fout-wachtwoord")
    assert login(other, world.coordinator).status_code == 302  # count restarted at zero


# --- sessions expire after inactivity ---------------------------------------------------------


def test_session_settings_expire_idle_sessions():
    assert (
        int(os.environ.get("VANGNET_SESSION_IDLE_SECONDS", "1800")) == settings.SESSION_COOKIE_AGE
    )
    assert settings.SESSION_COOKIE_AGE <= 1800
    # Renewed by vangnet.accounts.middleware at most once a minute instead of on every request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert 0 < base_settings.VANGNET_SESSION_RENEW_SECONDS <= 60  # tests: every 15 minutes
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


@override_settings(VANGNET_SESSION_RENEW_SECONDS=60)
def test_idle_session_expires_and_activity_renews_it(world, verified_client):
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with freeze_time(timezone.now()) as frozen:
        client = verified_client(world.coordinator)
        for _ in range(3):  # active use keeps the session alive beyond one idle period
            frozen.tick(idle - timedelta(minutes=1))
            assert client.get(DASHBOARD).status_code == 200
        frozen.tick(idle + timedelta(seconds=1))
        response = client.get(DASHBOARD)
        assert response.status_code == 302 and response.url.startswith(LOGIN)


@override_settings(VANGNET_SESSION_RENEW_SECONDS=60)
def test_activity_renews_the_session_at_most_once_a_minute(world, verified_client):
    """Writing the session on every request was a transaction per page view (BEGIN, UPDATE,
    COMMIT) under load; the idle timer is renewed when the last renewal is a minute old, so a
    session ends between 29 and 30 minutes after the last activity."""

    def session_writes(response_of) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert response_of().status_code == 200
        return sum('UPDATE "django_session"' in q["sql"] for q in ctx.captured_queries)

    with freeze_time(timezone.now()) as frozen:
        client = verified_client(world.coordinator)
        frozen.tick(timedelta(seconds=settings.VANGNET_SESSION_RENEW_SECONDS + 1))
        assert session_writes(lambda: client.get(DASHBOARD)) == 1
        frozen.tick(timedelta(seconds=5))
        assert session_writes(lambda: client.get(DASHBOARD)) == 0
        expiry = Session.objects.get(session_key=client.session.session_key).expire_date
        frozen.tick(timedelta(seconds=settings.VANGNET_SESSION_RENEW_SECONDS))
        assert session_writes(lambda: client.get(DASHBOARD)) == 1
        assert Session.objects.get(session_key=client.session.session_key).expire_date > expiry


# --- API tokens, created from a verified session ----------------------------------------------


def test_api_token_page_issues_a_token_shown_once(world, verified_client):
    client = verified_client(world.coordinator)
    page = client.post("/account/api-tokens/", {"name": "koppeling EPD"}).content.decode()
    raw = re.search(r'data-testid="api-token">([^<]+)<', page).group(1)
    token = ApiToken.objects.get(user=world.coordinator)
    assert token.name == "koppeling EPD" and token.key_hash == ApiToken.hash(raw)
    listing = client.get("/account/api-tokens/").content.decode()
    assert raw not in listing and token.prefix in listing
    response = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


# --- the 2FA requirement per settings module ---------------------------------------------------


def _settings_of(module: str, tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("VANGNET_") and k != "DJANGO_SETTINGS_MODULE"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE=module,
        PYTHONPATH=str(SRC),
        VANGNET_VAR_DIR=str(tmp_path),
        **env,
    )
    code = (
        "from django.conf import settings\n"
        "print(settings.VANGNET_REQUIRE_2FA, settings.VANGNET_DEMO_BANNER, settings.DEBUG,"
        " settings.SESSION_COOKIE_SECURE)\n"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("requested", ["", "false", "0"])
def test_production_settings_always_enforce_2fa(tmp_path, requested):
    env = {
        "VANGNET_SECRET_KEY": "k3y-Zq8v!Lr2#Tw9$Xp4%Ny7&Mb1*Hc6(Jd0)Gf5-Zq8v!Lr2#Tw9",  # strong
        "VANGNET_FIELD_KEYS": "2hJ2Hd2bLqg2bXUXy0m0G5m0nHc8QG3-1v8j0w8m6dE=",
    }
    if requested:
        env["VANGNET_REQUIRE_2FA"] = requested  # an attempt to switch it off has no effect
    result = _settings_of("vangnet.settings.production", tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False", "True"]


@pytest.mark.parametrize("key", [None, ""])
def test_production_settings_without_secret_key_refuse_to_start(tmp_path, key):
    env = {} if key is None else {"VANGNET_SECRET_KEY": key}
    result = _settings_of("vangnet.settings.production", tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "VANGNET_SECRET_KEY" in result.stderr


def test_demo_settings_skip_2fa_only_with_a_banner(tmp_path):
    result = _settings_of("vangnet.settings.dev", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["False", "True"]
    result = _settings_of("vangnet.settings.dev", tmp_path, VANGNET_REQUIRE_2FA="true")
    assert result.stdout.split()[:2] == ["True", "False"]


def test_test_settings_enforce_2fa_like_production():
    assert settings.VANGNET_REQUIRE_2FA is True
    assert settings.VANGNET_DEMO_BANNER is False


def test_banner_is_shown_when_the_demo_skips_2fa(client):
    assert "Demo-omgeving" not in client.get("/tafels/").content.decode()
    with override_settings(VANGNET_DEMO_BANNER=True):
        html = client.get("/tafels/").content.decode()
    assert "Demo-omgeving: de tweede inlogfactor is hier uitgeschakeld" in html
