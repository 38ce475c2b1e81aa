"""Issue 11 §3: search over the cases the user may see (reference, name, birth date, BSN exact,
referrer, period), posted so no personal data enters the URL, every search logged; the list is
paginated and sortable with no hard cap."""

from __future__ import annotations

import re

import pytest

from vangnet.audit.models import AccessLogEntry
from vangnet.cases.models import Case
from vangnet.cases.services.registration import patient_bsn_key
from vangnet.testing import factories

pytestmark = pytest.mark.django_db


def test_search_finds_only_visible_cases_and_is_logged_without_the_terms(world, verified_client):
    mine = factories.register_case(world.referrer)  # table 3
    Case.objects.filter(pk=mine.pk).update(
        patient_name="Johanna Brouwer",
        patient_bsn="111222333",
        patient_key_bsn=patient_bsn_key("111222333"),  # the BSN is found by its keyed hash
    )
    other = factories.register_case(world.referrer)
    Case.objects.filter(pk=other.pk).update(
        patient_name="Piet Brouwer", table=world.other_table_coordinator.memberships.first().table
    )
    client = verified_client(world.coordinator)
    # Registering the same patient twice logged a duplicate-match search (issue 10 §1): count
    # only what the search page writes.
    mark = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    searches = AccessLogEntry.objects.filter(action="search", pk__gt=mark)
    response = client.post("/casussen/", {"name": "brouwer"})
    html = response.content.decode()
    assert mine.reference in html
    assert other.reference not in html  # another table's case stays invisible
    response = client.post("/casussen/", {"bsn": "111222333"})
    assert mine.reference in response.content.decode()
    response = client.post("/casussen/", {"bsn": "11122233"})  # 11-proef checked, no search run
    html = response.content.decode()
    assert "11-proef" in html and 'data-testid="search-count"' not in html
    entry = searches.latest("pk")
    assert "naam patiënt" in searches.order_by("pk").first().detail
    assert "111222333" not in entry.detail and "brouwer" not in entry.detail.lower()
    assert searches.count() == 2  # the invalid one ran no search


def _refs(html: str) -> list[str]:
    return re.findall(r'<tr><td><a href="/casussen/(VN-\d{4}-\d{5})/">', html)


def _more(html: str) -> str | None:
    found = re.search(r'href="(\?[^"]+)" data-testid="more"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_case_list_pages_on_with_more_and_shows_every_case_once(world, verified_client):
    for _ in range(51):
        factories.register_case(world.referrer)
    client = verified_client(world.coordinator)
    first = client.get("/casussen/").content.decode()
    oldest = Case.objects.order_by("registered_at", "pk").first()
    assert oldest.reference not in first and len(_refs(first)) == 50
    second = client.get("/casussen/" + _more(first)).content.decode()
    assert _refs(second) == [oldest.reference] and _more(second) is None
    assert "Terug naar het begin" in second
    assert oldest.reference in client.get("/casussen/?sorteer=aangemeld").content.decode()


@pytest.mark.parametrize("sort", ["-aangemeld", "aangemeld", "referentie", "-referentie", "status"])
def test_paging_returns_every_row_exactly_once(world, verified_client, monkeypatch, sort):
    """Keyset paging (issue 12 §3) in every sort order, with ties (many cases share a state) and
    a case registered between two pages: nothing twice, nothing skipped of what was there."""
    from vangnet.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    for _ in range(8):
        factories.register_case(world.referrer)
    Case.objects.filter(pk__in=Case.objects.order_by("pk").values("pk")[:4]).update(
        state="admitted"
    )
    before = set(Case.objects.values_list("reference", flat=True))
    client = verified_client(world.coordinator)
    seen: list[str] = []
    url: str | None = f"?sorteer={sort}"
    while url:
        html = client.get("/casussen/" + url).content.decode()
        seen += _refs(html)
        if len(seen) == 3:
            factories.register_case(world.referrer)  # added while paging
        url = _more(html)
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def test_a_search_with_more_hits_than_one_page_says_so_and_pages_on(
    world, verified_client, monkeypatch
):
    from vangnet.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for _ in range(3):
        factories.register_case(world.referrer)
    client = verified_client(world.coordinator)
    text = client.post("/casussen/", {"referrer": "GGZ"}).content.decode()
    assert "3 casussen gevonden. De eerste 2 staan hier: verfijn de zoekopdracht" in text
    cursor = re.search(r'name="na" value="([^"]+)"', text).group(1)
    rest = client.post("/casussen/", {"referrer": "GGZ", "na": cursor}).content.decode()
    assert len(set(_refs(text)) | set(_refs(rest))) == 3 and len(_refs(rest)) == 1
    # A tampered cursor is refused in words, not with a server error.
    bad = client.get("/casussen/?na=abc", follow=True).content.decode()
    assert "Deze vervolgpagina bestaat niet (meer)" in bad
