"""The admin needs a second factor as well, manages users with memberships, hides TOTP secrets,
and does not expose the access log."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(world):
    user = world.administrator
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_admin_requires_a_verified_second_factor(admin_user, verified_client):
    unverified = Client()
    unverified.force_login(admin_user)
    response = unverified.get("/beheer/")
    assert response.status_code == 302 and "/beheer/login/" in response["Location"]
    assert verified_client(admin_user).get("/beheer/").status_code == 200


def test_users_and_memberships_are_managed_in_the_admin(admin_user, world, verified_client):
    client = verified_client(admin_user)
    assert client.get("/beheer/accounts/user/").status_code == 200
    page = client.get(f"/beheer/accounts/user/{world.coordinator.pk}/change/").content.decode()
    assert "Tafelcoördinator" in page  # the membership inline
    assert client.get("/beheer/accounts/membership/").status_code == 200


def test_admin_never_shows_totp_secrets_or_the_access_log(admin_user, verified_client):
    client = verified_client(admin_user)
    device = TOTPDevice.objects.get(user=admin_user)
    page = client.get(f"/beheer/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page
    assert client.get("/beheer/audit/accesslogentry/").status_code == 404
