"""Issue 12: no silent caps. Every list of the transfer desk is paged with a visible "Meer
tonen"; following it shows every row exactly once. Desk sections show "de eerste N van M" with
a link to the full, paged list of that section."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone

from vangnet.transfers import proposals, selectors, services
from vangnet.transfers.models import Transfer

from .conftest import Net, actor, monday, publish, put_forward, suitable
from .test_views import REGION

MORE = re.compile(r'<a href="([^"]+)"[^>]*>Meer tonen</a>')


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    monkeypatch.setattr(selectors, "LIST_LIMIT", 2)


def walk(client, url: str, key: str, ident=lambda r: r.pk, param: str = "na") -> list[list[object]]:
    """Follow "Meer tonen" (of the list paged by `param`, when a page has two) from `url`; the
    rows (by `ident`) of each page."""
    pages: list[list[object]] = []
    while True:
        r = client.get(url)
        assert r.status_code == 200
        pages.append([ident(row) for row in r.context[key]])
        here = parse_qs(url.partition("?")[2]).get(param)
        links = [
            a
            for a in map(html.unescape, MORE.findall(r.content.decode()))
            if parse_qs(a.lstrip("?")).get(param, here) != here  # moves this list on
        ]
        if not links:
            return pages
        assert len(pages) < 20, "the 'more' link never ends"
        url = url.split("?", 1)[0] + links[0]


def test_desk_candidate_section_names_its_total_and_its_full_list_pages_all(
    net: Net, verified_client, small_pages
):
    old = timezone.localdate() - timedelta(days=200)
    # Ties on the order column: the id breaks them, so no row is skipped or shown twice.
    longest = {suitable(net, waiting_since=old).reference for _ in range(3)}
    refs = longest | {suitable(net).reference for _ in range(2)}
    client = verified_client(net.desk)
    page = client.get(reverse("transfers:desk", args=list(REGION))).content.decode()
    assert "De eerste 2 van 5" in page
    full = reverse("transfers:desk_list", args=[*REGION, "kandidaten-suitable"])
    assert f'href="{full}"' in page
    pages = walk(client, full, "candidates", lambda c: c.reference)
    assert [len(p) for p in pages] == [2, 2, 1]
    seen = [ref for p in pages for ref in p]
    assert sorted(seen) == sorted(refs)  # every row exactly once
    # The order the desk promises: longest waiting first.
    assert set(pages[0]) <= longest


def test_desk_list_is_for_the_desk_and_knows_its_sections(net: Net, verified_client):
    for section in ("kandidaten-onbekend", "iets", "transfers-"):
        url = reverse("transfers:desk_list", args=[*REGION, section])
        assert verified_client(net.desk).get(url).status_code == 404
    url = reverse("transfers:desk_list", args=[*REGION, "kandidaten-suitable"])
    assert verified_client(net.other_desk).get(url).status_code == 403
    assert verified_client(net.outsider).get(url).status_code == 403


def test_a_tampered_cursor_is_refused_in_words(net: Net, verified_client):
    """Every list of the transfer pages goes back to its first page with the one message."""
    from vangnet.testing.pages import assert_cursor_refused

    desk = verified_client(net.desk)
    for section in ("kandidaten-suitable", "transfers-proposed", "capaciteit"):
        url = reverse("transfers:desk_list", args=[*REGION, section])
        assert_cursor_refused(desk, url + "?na=vervalst", first=url)
    index = reverse("transfers:index")
    for param in ("na_k", "na_t"):
        assert_cursor_refused(desk, f"{index}?{param}=vervalst", first=index)
    own = reverse("transfers:capacity")
    assert_cursor_refused(verified_client(net.receiver_officer), own + "?na=vervalst", first=own)
    queue = reverse("transfers:screening")
    assert_cursor_refused(verified_client(net.screener), queue + "?na=vervalst", first=queue)


def test_screening_queue_pages_all(net: Net, verified_client, small_pages):
    refs = {put_forward(net).reference for _ in range(5)}
    pages = walk(
        verified_client(net.screener),
        reverse("transfers:screening"),
        "queue",
        lambda row: row[0].reference,
    )
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(ref for p in pages for ref in p) == sorted(refs)


def test_overview_candidates_and_transfers_page_all(net: Net, verified_client, small_pages):
    refs = [suitable(net).reference for _ in range(3)]
    publish(net, net.loc_receiver, slots=3, wait_weeks=1)
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    transfers = [
        proposals.line_accept(actor=actor(net.desk), line=line).pk for line in p.lines.all()
    ]
    assert len(transfers) == 3
    refs += [put_forward(net).reference for _ in range(2)]
    client = verified_client(net.desk)
    index = reverse("transfers:index")
    pages = walk(client, index, "candidates", lambda c: c.reference, param="na_k")
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(r for p in pages for r in p) == sorted(refs)
    pages = walk(client, index, "transfers", param="na_t")
    assert sorted(pk for p in pages for pk in p) == sorted(transfers)
    # The desk's transfer section: first N of M and a full list that pages all.
    desk = client.get(reverse("transfers:desk", args=list(REGION))).content.decode()
    assert "De eerste 2 van 3" in desk
    full = reverse("transfers:desk_list", args=[*REGION, "transfers-proposed"])
    pages = walk(client, full, "transfers")
    assert [len(p) for p in pages] == [2, 1]
    assert sorted(pk for p in pages for pk in p) == sorted(transfers)


def test_capacity_pages_all(net: Net, verified_client, small_pages):
    rows = services.capacity_publish(
        actor=actor(net.receiver_officer),
        rows=[
            services.CapacityInput(
                location_id=net.loc_receiver.pk,
                diagnosis_group="angst",
                week=monday(w),
                free_slots=2,
                expected_wait_weeks=1,
                valid_until=monday(6),
            )
            for w in range(5)
        ],
    )
    ids = sorted(r.pk for r in rows)
    own = walk(
        verified_client(net.receiver_officer),
        reverse("transfers:capacity"),
        "rows",
        lambda r: r.capacity.pk,
    )
    assert [len(p) for p in own] == [2, 2, 1]
    assert sorted(pk for p in own for pk in p) == ids
    client = verified_client(net.desk)
    desk = client.get(reverse("transfers:desk", args=list(REGION))).content.decode()
    assert "De eerste 2 van 5" in desk
    full = reverse("transfers:desk_list", args=[*REGION, "capaciteit"])
    region = walk(client, full, "capacity", lambda r: r.capacity.pk)
    assert sorted(pk for p in region for pk in p) == ids


def test_a_short_list_has_no_more_link(net: Net, verified_client):
    suitable(net)
    client = verified_client(net.desk)
    for url in (
        reverse("transfers:index"),
        reverse("transfers:desk", args=list(REGION)),
        reverse("transfers:desk_list", args=[*REGION, "kandidaten-suitable"]),
    ):
        page = client.get(url).content.decode()
        assert "Meer tonen" not in page and "De eerste" not in page


def test_the_desk_costs_the_same_queries_for_more_transfers(net: Net, verified_client, small_pages):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(net.desk)
    url = reverse("transfers:desk", args=list(REGION))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def transfers(n: int) -> None:
        for _ in range(n):
            suitable(net)
        # Room for everyone, so the same states are filled each time (an empty state costs no
        # query; the number of states bounds the count, not the number of rows).
        publish(net, net.loc_receiver, slots=Transfer.objects.count() + n, wait_weeks=1)
        p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
        for line in p.lines.filter(decision="pending", capacity__isnull=False):
            proposals.line_accept(actor=actor(net.desk), line=line)

    transfers(1)
    few = count()
    transfers(4)
    assert Transfer.objects.count() == 5
    assert "De eerste 2 van" in client.get(url).content.decode()
    assert count() == few


def test_capacity_pages_cost_the_same_queries_for_more_rows(net: Net, verified_client, small_pages):
    """Issue 12 §3: capacity pages by keyset (no OFFSET, no COUNT) and its cursor holds no
    organisation or location name; a later page costs what it costs with fewer rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(net.receiver_officer)

    def publish_weeks(weeks: range) -> None:
        services.capacity_publish(
            actor=actor(net.receiver_officer),
            rows=[
                services.CapacityInput(
                    location_id=net.loc_receiver.pk,
                    diagnosis_group="angst",
                    week=monday(w),
                    free_slots=2,
                    expected_wait_weeks=1,
                    valid_until=monday(12),
                )
                for w in weeks
            ],
        )

    def page_costs() -> list[int]:
        costs: list[int] = []
        url: str | None = reverse("transfers:capacity")
        while url:
            with CaptureQueriesContext(connection) as ctx:
                r = client.get(url)
            costs.append(len(ctx.captured_queries))
            text = r.content.decode()
            assert net.loc_receiver.name not in "".join(MORE.findall(text))
            links = MORE.findall(text)
            url = reverse("transfers:capacity") + html.unescape(links[0]) if links else None
        return costs

    publish_weeks(range(3))
    few = page_costs()
    publish_weeks(range(3, 9))
    many = page_costs()
    assert len(few) == 2 and len(many) == 5 and max(many) <= max(few)
