"""The consultation list is paged (keyset) with a "more" link: every consultation exactly once,
newest first, also when many share a date; no silent cap."""

import re
from datetime import timedelta

import pytest

from vangnet.accounts.models import Membership
from vangnet.consultations import services, views

pytestmark = pytest.mark.django_db


def test_every_consultation_is_listed_exactly_once(world, verified_client, monkeypatch):
    m = Membership.objects.get(user=world.coordinator, role="coordinator")
    day = m.created_at.date()
    made = [
        services.consultation_record(
            actor=world.coordinator,
            membership=m,
            requested_on=day - timedelta(days=i % 4),  # four dates, many ties
            requester_type="gp",
            question=f"Vraag nummer {i:02d}?",
        ).pk
        for i in range(23)
    ]
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    client = verified_client(world.coordinator)
    shown: list[str] = []
    url = "/consultaties/"
    pages = 0
    while url:
        html = client.get(url).content.decode()
        shown += re.findall(r"Vraag nummer (\d\d)\?", html)
        more = re.search(r'href="([^"]+)" data-testid="more"', html)
        url = "/consultaties/" + more.group(1) if more else None
        pages += 1
    assert pages == 5
    assert len(shown) == len(set(shown)) == len(made) == 23


def test_the_list_can_be_turned_around_oldest_first(world, verified_client, monkeypatch):
    """Issue 11 §3: every list is sortable. The date heading turns the order around, and the
    "more" link keeps it: every consultation once, oldest first."""
    m = Membership.objects.get(user=world.coordinator, role="coordinator")
    day = m.created_at.date()
    for i in range(7):
        services.consultation_record(
            actor=world.coordinator,
            membership=m,
            requested_on=day - timedelta(days=i),
            requester_type="gp",
            question=f"Vraag nummer {i:02d}?",
        )
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client = verified_client(world.coordinator)
    first = client.get("/consultaties/").content.decode()
    sort = re.search(r'<a href="([^"]+)" data-testid="sort-date">', first).group(1)
    shown: list[str] = []
    url: str | None = "/consultaties/" + sort.replace("&amp;", "&")
    while url:
        html = client.get(url).content.decode()
        shown += re.findall(r"Vraag nummer (\d\d)\?", html)
        more = re.search(r'href="([^"]+)" data-testid="more"', html)
        url = "/consultaties/" + more.group(1).replace("&amp;", "&") if more else None
    assert shown == ["06", "05", "04", "03", "02", "01", "00"]  # the oldest question first


def test_a_tampered_cursor_goes_back_to_the_first_page_in_the_same_order(world, verified_client):
    from vangnet.testing.pages import assert_cursor_refused

    client = verified_client(world.coordinator)
    assert_cursor_refused(client, "/consultaties/?na=vervalst", first="/consultaties/")
    assert_cursor_refused(
        client, "/consultaties/?volgorde=oudste&na=vervalst", first="/consultaties/?volgorde=oudste"
    )
