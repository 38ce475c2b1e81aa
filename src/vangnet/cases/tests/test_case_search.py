"""Issue 11 §3: search over the cases the user may see (reference, name, birth date, BSN exact,
referrer, period), posted so no personal data enters the URL, every search logged; the list is
paginated and sortable with no hard cap."""

from __future__ import annotations

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


def test_case_list_is_paginated_and_sortable_beyond_fifty(world, verified_client):
    for _ in range(51):
        factories.register_case(world.referrer)
    client = verified_client(world.coordinator)
    first = client.get("/casussen/").content.decode()
    assert "Pagina 1 van 2" in first
    oldest = Case.objects.order_by("registered_at", "pk").first()
    assert oldest.reference not in first
    assert oldest.reference in client.get("/casussen/?pagina=2").content.decode()
    assert oldest.reference in client.get("/casussen/?sorteer=aangemeld").content.decode()


def test_a_search_with_more_hits_than_one_page_says_so(world, verified_client, monkeypatch):
    from vangnet.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for _ in range(3):
        factories.register_case(world.referrer)
    html = verified_client(world.coordinator).post("/casussen/", {"referrer": "GGZ"}).content
    text = html.decode()
    assert "3 casussen gevonden. De eerste 2 staan hier: verfijn de zoekopdracht" in text
