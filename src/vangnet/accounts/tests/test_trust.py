"""Accounts under attack (issue 10 §5): spraying, a proxy in front, password change, own tokens,
the absolute session lifetime."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.test.client import RequestFactory
from django.utils import timezone
from freezegun import freeze_time

from vangnet.accounts.models import ApiToken
from vangnet.common.clientip import client_ip
from vangnet.testing import factories
from vangnet.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/account/inloggen/"
DASHBOARD = "/casussen/overzicht/"


def login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


# --- password spraying: failures per address across usernames -----------------------------


@override_settings(VANGNET_ADDRESS_FAILURE_LIMIT=6)
def test_spraying_many_usernames_from_one_address_is_refused(world):
    sprayer = {"REMOTE_ADDR": "192.0.2.66"}
    for i in range(6):  # one try per username: axes alone would never lock
        assert login(Client(), f"gebruiker-{i}", "Zomer2026!", **sprayer).status_code == 200
    # Now even a right password from that address is refused ...
    response = login(Client(), world.screener.username, **sprayer)
    assert response.status_code == 429
    assert "Account tijdelijk geblokkeerd" in response.content.decode()
    # ... while other addresses are not affected.
    assert login(Client(), world.screener.username, REMOTE_ADDR="192.0.2.7").status_code == 302


@override_settings(VANGNET_ADDRESS_FAILURE_LIMIT=6)
def test_the_address_limit_ends_after_the_cooloff(world):
    with freeze_time("2026-03-01 10:00:00") as frozen:
        for i in range(6):
            login(Client(), f"gebruiker-{i}", "fout", REMOTE_ADDR="192.0.2.66")
        assert login(Client(), world.screener.username, REMOTE_ADDR="192.0.2.66").status_code == 429
        frozen.tick(timedelta(hours=1, minutes=1))
        assert login(Client(), world.screener.username, REMOTE_ADDR="192.0.2.66").status_code == 302


# --- behind a reverse proxy: the client's own address counts --------------------------------

PROXY = "10.0.0.2"


@override_settings(VANGNET_TRUSTED_PROXIES=[PROXY])
def test_behind_the_proxy_a_lockout_does_not_lock_the_username_for_everyone(world):
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    colleague = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(5):
        login(Client(), world.coordinator.username, "fout-wachtwoord", **attacker)
    assert login(Client(), world.coordinator.username, **attacker).status_code == 429
    assert login(Client(), world.coordinator.username, **colleague).status_code == 302


@override_settings(VANGNET_TRUSTED_PROXIES=[PROXY])
@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.5", "203.0.113.5"),
        (PROXY, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client may forge the left part
        (PROXY, f"203.0.113.5, {PROXY}", "203.0.113.5"),
        (PROXY, "geen-adres", PROXY),
        ("192.0.2.9", "203.0.113.5", "192.0.2.9"),  # not from the proxy: header ignored
    ],
)
def test_client_ip_trusts_the_header_only_from_the_proxy(remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- password change: tokens revoked, other sessions ended -----------------------------------


def test_changing_the_password_revokes_tokens_and_ends_other_sessions(world, verified_client):
    user = world.coordinator
    _, raw = ApiToken.issue(user=user, name="koppeling")
    api = Client()
    assert api.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    this, other = verified_client(user), verified_client(user)
    assert other.get(DASHBOARD).status_code == 200
    new = "Een-nieuw-lang-wachtwoord-2026"
    response = this.post(
        "/account/wachtwoord/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert this.get(DASHBOARD).status_code == 200  # this session stays
    assert other.get(DASHBOARD).status_code == 302  # the other one is logged out
    assert api.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert not ApiToken.objects.filter(user=user, revoked=False).exists()


def test_a_wrong_current_password_is_refused_in_dutch(world, verified_client):
    response = verified_client(world.coordinator).post(
        "/account/wachtwoord/",
        {"old_password": "fout", "new_password1": "x" * 20, "new_password2": "x" * 20},
    )
    assert response.status_code == 200
    assert "Uw huidige wachtwoord klopt niet." in response.content.decode()


def test_users_revoke_their_own_tokens_only(world, verified_client):
    own, raw = ApiToken.issue(user=world.coordinator, name="eigen")
    foreign, foreign_raw = ApiToken.issue(user=world.screener, name="ander")
    client = verified_client(world.coordinator)
    assert client.post(f"/account/api-tokens/{foreign.pk}/intrekken/").status_code == 302
    assert client.post(f"/account/api-tokens/{own.pk}/intrekken/").status_code == 302
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.revoked and not foreign.revoked
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    ok = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {foreign_raw}")
    assert ok.status_code == 200


# --- an absolute session lifetime beside the idle timeout --------------------------------------


@override_settings(VANGNET_SESSION_RENEW_SECONDS=60)  # production's renewal (tests: hourly)
def test_a_session_ends_twelve_hours_after_login_however_active(world, verified_client):
    with freeze_time(timezone.now()) as frozen:
        client = verified_client(world.coordinator)
        for _ in range(24):  # active every 29 minutes: the idle timeout never strikes
            assert client.get(DASHBOARD).status_code == 200
            frozen.tick(timedelta(minutes=29))
        # 11 h 36 min so far; past 12 hours the session ends.
        frozen.tick(timedelta(minutes=30))
        response = client.get(DASHBOARD)
        assert response.status_code == 302 and response.url.startswith(LOGIN)


# --- no trust on first use: a one-time activation link ---------------------------------------


def test_a_password_alone_never_enrols_a_second_factor(world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    assert login(client, world.referrer.username).status_code == 302
    response = client.get("/account/tweede-factor/")
    assert response.status_code == 403
    assert "activeringslink" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.referrer).exists()


@pytest.fixture
def admin_client(world, verified_client):
    admin = world.administrator
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return verified_client(admin)


def test_a_new_account_gets_an_activation_link_that_works_once_and_expires(world, admin_client):
    from django.core import mail
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vangnet.accounts.models import ActivationLink, User
    from vangnet.audit.models import AccountLogEntry
    from vangnet.testing.otp import totp_token

    response = admin_client.post(
        "/beheer/accounts/user/add/",
        {
            "username": "nieuwe",
            "usable_password": "false",
            "password1": "",
            "password2": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="nieuwe")
    assert not user.has_usable_password()
    link = ActivationLink.objects.get(user=user)
    assert abs(link.expires_at - link.created_at - timedelta(hours=72)) < timedelta(seconds=5)
    url = [str(m) for m in response.wsgi_request._messages if "/account/activeren/" in str(m)]
    assert url, "the administrator sees the link once"
    path = "/account/activeren/" + url[0].split("/account/activeren/")[1].split()[0]
    client = Client()
    assert client.get(path).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    new = "Een-eigen-lang-wachtwoord-2026"
    response = client.post(
        path, {"new_password1": new, "new_password2": new, "token": totp_token(device)}
    )
    assert response.status_code == 302 and response.url == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200  # logged in with both factors
    # Used once: the link no longer works.
    assert Client().get(path).status_code == 404
    assert AccountLogEntry.objects.filter(subject="nieuwe", action="geactiveerd").exists()
    assert mail.outbox == [] or "activeren" in mail.outbox[-1].body
    # An expired link does not work either.
    from vangnet.accounts.services import account_activation_send

    later = account_activation_send(user=user, by="beheer", absolute=lambda p: p)
    with freeze_time(timezone.now() + timedelta(hours=73)):
        assert Client().get(later).status_code == 404


def test_the_admin_cannot_set_or_see_anyones_totp_key(world, admin_client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = factories.totp_device(world.coordinator)
    assert admin_client.get("/beheer/otp_totp/totpdevice/add/").status_code == 403
    page = admin_client.get(f"/beheer/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    before = TOTPDevice.objects.get(pk=device.pk).key
    admin_client.post(
        f"/beheer/otp_totp/totpdevice/{device.pk}/change/", {"key": "00" * 20, "name": "x"}
    )
    assert TOTPDevice.objects.get(pk=device.pk).key == before


def test_what_the_admin_does_to_accounts_is_in_the_append_only_account_log(
    world, admin_client, verified_client
):
    from vangnet.audit.models import AccountLogEntry

    user = world.coordinator
    device = factories.totp_device(user)
    response = admin_client.post(
        f"/beheer/accounts/user/{user.pk}/password/",
        {
            "password1": "Een-nieuw-lang-wachtwoord-2026",
            "password2": "Een-nieuw-lang-wachtwoord-2026",
        },
    )
    assert response.status_code == 302
    admin_client.post(f"/beheer/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    membership = user.memberships.first()
    admin_client.post(
        f"/beheer/accounts/membership/{membership.pk}/change/",
        {
            "user": user.pk,
            "organisation": membership.organisation_id,
            "role": "table_member",
            "table": membership.table_id or "",
            "active": "on",
        },
    )
    rows = list(AccountLogEntry.objects.filter(subject=user.username).order_by("id"))
    texts = [f"{r.actor} {r.action} {r.detail}" for r in rows]
    admin_name = world.administrator.username
    assert any("gebruiker gewijzigd" in t and "wachtwoord" in t.lower() for t in texts), texts
    assert any("device verwijderd" in t for t in texts), texts
    assert any("gewijzigd" in t and "rol" in t.lower() for t in texts), texts
    assert all(r.actor == admin_name for r in rows)
    # Append-only, and the privacy officer reads it (others do not).
    with pytest.raises(PermissionError):
        rows[0].delete()
    page = verified_client(world.privacy_officer).get("/toegangslog/beheer/")
    assert page.status_code == 200 and user.username in page.content.decode()
    assert verified_client(world.administrator).get("/toegangslog/beheer/").status_code == 403
