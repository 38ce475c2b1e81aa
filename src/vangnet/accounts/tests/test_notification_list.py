"""Issue 11 §3: the notifications page is paginated and sortable, with no cap of 200; a
notification about a case the user can no longer see stays hidden on every page."""

from __future__ import annotations

import re

import pytest

from vangnet.accounts import views
from vangnet.accounts.models import Notification
from vangnet.accounts.selectors import actor_for, notifications_visible_qs

pytestmark = pytest.mark.django_db


def _subjects(html: str) -> list[str]:
    return re.findall(r"Melding (\d{3})", html)


def _all_pages(client, sort: str) -> list[str]:
    seen: list[str] = []
    url = f"/account/meldingen/?sorteer={sort}"
    while url:
        html = client.get(url).content.decode()
        seen += _subjects(html)
        nxt = re.search(r'<a href="(\?sorteer=[^"]+)">volgende</a>', html)
        url = "/account/meldingen/" + nxt.group(1).replace("&amp;", "&") if nxt else ""
    return seen


def test_every_notification_is_reachable_beyond_the_old_cap(world, verified_client, monkeypatch):
    monkeypatch.setattr(views, "NOTIFICATIONS_PER_PAGE", 40)
    user = world.coordinator
    Notification.objects.bulk_create(
        [Notification(user=user, subject=f"Melding {i:03d}") for i in range(205)]
    )
    seen = _all_pages(verified_client(user), "-datum")
    assert len(seen) == len(set(seen)) == 205


def test_sort_unread_first(world, verified_client):
    user = world.coordinator
    read = Notification.objects.create(user=user, subject="Melding 001")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    Notification.objects.create(user=user, subject="Melding 002")
    assert _all_pages(verified_client(user), "ongelezen") == ["002", "001"]
    assert _all_pages(verified_client(user), "datum") == ["001", "002"]


def test_a_case_the_user_cannot_see_stays_hidden(world):
    user = world.coordinator
    Notification.objects.create(user=user, subject="Melding 001", case_reference="VN-2099-99999")
    Notification.objects.create(user=user, subject="Melding 002")
    assert [n.subject for n in notifications_visible_qs(actor_for(user))] == ["Melding 002"]
