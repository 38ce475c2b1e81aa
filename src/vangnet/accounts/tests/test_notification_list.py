"""Issue 11 §3, issue 12 §3: the notifications page pages by keyset ("Meer meldingen") in every
sort, with no cap of 200, each note exactly once; a notification about a case the user can no
longer see stays hidden on every page; a page's queries do not grow with the notes."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from vangnet.accounts import views
from vangnet.accounts.models import Notification
from vangnet.accounts.selectors import actor_for, notifications_visible_qs
from vangnet.testing.pages import walk

pytestmark = pytest.mark.django_db


def _subjects(html: str) -> list[str]:
    return re.findall(r"Melding (\d{3})", html)


def _all_pages(client, sort: str) -> list[str]:
    return walk(client, f"/account/meldingen/?sorteer={sort}", _subjects)[0]


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


@pytest.mark.parametrize("sort", list(views.NOTIFICATION_SORTS))
def test_every_sort_walks_each_note_once_with_ties(world, verified_client, monkeypatch, sort):
    monkeypatch.setattr(views, "NOTIFICATIONS_PER_PAGE", 3)
    user = world.coordinator
    moment = timezone.now().replace(microsecond=0)
    # Ties in every key: one creation time, two read times, two case references.
    notes = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                subject=f"Melding {i:03d}",
                created_at=moment,
                read_at=moment if i % 3 == 0 else None,
            )
            for i in range(11)
        ]
    )
    Notification.objects.filter(pk__in=[n.pk for n in notes]).update(created_at=moment)
    seen = _all_pages(verified_client(user), sort)
    assert sorted(seen) == [f"{i:03d}" for i in range(11)]
    if sort == "ongelezen":  # unread first
        unread = [s for s in seen if int(s) % 3]
        assert seen[: len(unread)] == unread


def test_page_queries_do_not_grow_with_notes(world, verified_client, monkeypatch):
    monkeypatch.setattr(views, "NOTIFICATIONS_PER_PAGE", 5)
    user = world.coordinator
    client = verified_client(user)
    Notification.objects.bulk_create([Notification(user=user, subject="x") for _ in range(3)])
    _, few = walk(client, "/account/meldingen/?sorteer=casus", _subjects)
    Notification.objects.bulk_create([Notification(user=user, subject="x") for _ in range(30)])
    _, many = walk(client, "/account/meldingen/?sorteer=casus", _subjects)
    assert len(many) == 7 and max(many) <= max(few)
