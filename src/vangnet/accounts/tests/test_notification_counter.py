"""Issue 11 §3: an unread counter in the menu and "mark all read"."""

import pytest

from vangnet.accounts.models import Notification
from vangnet.accounts.services import notification_send

pytestmark = pytest.mark.django_db


def test_unread_counter_and_mark_all_read(world, verified_client):
    user = world.coordinator
    notification_send(users=[user], subject="Eerste", body="x", email=False)
    notification_send(users=[user], subject="Tweede", body="y", email=False)
    client = verified_client(user)
    page = client.get("/account/meldingen/").content.decode()
    assert 'data-testid="unread">2' in page
    response = client.post("/account/meldingen/alles-gelezen/", follow=True)
    html = response.content.decode()
    assert "2 meldingen als gelezen gemarkeerd." in html
    assert 'data-testid="unread"' not in html
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
