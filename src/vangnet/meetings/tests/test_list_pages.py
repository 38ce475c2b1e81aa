"""The meetings list pages (issue 11 §3, issue 12 §3): years of meetings are all reachable,
each exactly once, through "Meer besprekingen" (keyset, no page numbers, no OFFSET), in every
sort, and a page costs the same number of queries however many meetings there are."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.meetings import views
from vangnet.meetings.models import Meeting
from vangnet.regions.models import Table
from vangnet.testing.pages import walk

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    table = re.search(r'<table data-testid="meetings">.*?</table>', html, re.S)
    assert table is not None
    return re.findall(r'href="/besprekingen/(\d+)/"', table.group(0))


def _make(world, count: int, offset: int = 0) -> list[Meeting]:
    table = Table.objects.get(number=3)  # the coordinator's: every sort key has ties here
    start = timezone.now().replace(microsecond=0) - timedelta(days=30)
    return [
        Meeting.objects.create(
            table=table,
            kind=Meeting.Kind.AD_HOC if i % 3 else Meeting.Kind.SCHEDULED,
            # Two meetings share each start (different tables' rooms): the tie-breaker keeps both.
            starts_at=start + timedelta(days=i // 2),
            ends_at=start + timedelta(days=i // 2, hours=1),
            location=f"Zaal {i}",
            chair_type=Meeting.Chair.INDEPENDENT,
            created_by=world.coordinator,
        )
        for i in range(offset, offset + count)
    ]


@pytest.mark.parametrize("sort", list(views.MEETING_SORTS))
def test_more_link_reaches_every_meeting_once(world, verified_client, monkeypatch, sort):
    monkeypatch.setattr(views, "MEETINGS_PER_PAGE", 3)
    made = _make(world, 11)
    client = verified_client(world.coordinator)
    seen, _ = walk(client, f"/besprekingen/?sorteer={sort}", _rows)
    assert sorted(map(int, seen)) == sorted(m.pk for m in made)
    assert len(seen) == len(set(seen))
    if sort in {"-wanneer", "wanneer"}:
        starts = {m.pk: m.starts_at for m in made}
        order = [starts[int(pk)] for pk in seen]
        assert order == sorted(order, reverse=sort.startswith("-"))


def test_page_queries_do_not_grow_with_meetings(world, verified_client, monkeypatch):
    monkeypatch.setattr(views, "MEETINGS_PER_PAGE", 5)
    client = verified_client(world.coordinator)
    _make(world, 3)
    _, few = walk(client, "/besprekingen/", _rows)
    _make(world, 30, offset=3)
    _, many = walk(client, "/besprekingen/", _rows)
    assert len(many) == 7 and max(many) <= max(few)


def test_a_tampered_or_old_cursor_starts_again(world, verified_client):
    client = verified_client(world.coordinator)
    response = client.get("/besprekingen/?sorteer=soort&na=vervalst")
    assert response.status_code == 302 and response["Location"].endswith("?sorteer=soort")
    # An old page-number link still shows the first page.
    assert client.get("/besprekingen/?pagina=2").status_code == 200
