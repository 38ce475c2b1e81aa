"""The meetings list pages (issue 11 §3, issue 12 §3): years of meetings are all reachable,
each exactly once, instead of stopping silently at the newest hundred."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.meetings import views
from vangnet.meetings.models import Meeting
from vangnet.regions.models import Table

pytestmark = pytest.mark.django_db


def test_more_link_reaches_every_meeting_once(world, verified_client, monkeypatch):
    monkeypatch.setattr(views, "MEETINGS_PER_PAGE", 3)
    table = Table.objects.get(number=3)
    start = timezone.now().replace(microsecond=0) - timedelta(days=30)
    made = [
        Meeting.objects.create(
            table=table,
            kind=Meeting.Kind.AD_HOC,
            # Two meetings share each start (different tables' rooms): the tie-breaker keeps both.
            starts_at=start + timedelta(days=i // 2),
            ends_at=start + timedelta(days=i // 2, hours=1),
            location=f"Zaal {i}",
            chair_type=Meeting.Chair.INDEPENDENT,
            created_by=world.coordinator,
        )
        for i in range(8)
    ]
    client = verified_client(world.coordinator)
    seen: list[int] = []
    url: str | None = "/besprekingen/"
    while url:
        html = client.get(url).content.decode()
        table_html = re.search(r'<table data-testid="meetings">.*?</table>', html, re.S).group(0)
        seen += [int(pk) for pk in re.findall(r'href="/besprekingen/(\d+)/"', table_html)]
        more = re.search(r'<a href="(\?sorteer=[^"]+)">volgende</a>', html)
        url = "/besprekingen/" + more.group(1).replace("&amp;", "&") if more else None
    assert sorted(seen) == sorted(m.pk for m in made) and len(seen) == len(set(seen))
    # A page number that is not one shows the first page, not an error.
    assert (
        verified_client(world.coordinator).get("/besprekingen/?pagina=vervalst").status_code == 200
    )
