"""The search page costs the same number of queries whatever the number of offers (issue 12), and
its reference lists (diagnosis groups, tables, municipalities) are read once, then cached until
one of them changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for
from vangnet.directory import services
from vangnet.directory.selectors import PAGE_SIZE
from vangnet.regions.models import Municipality
from vangnet.testing import factories

from .conftest import location_input, offer_input

pytestmark = pytest.mark.django_db

SEARCHES = [
    {},
    {"q": "verslaving"},
    {"q": "verslaving", "origin": "GM0344", "sort": "distance"},
    {"kind": "addiction", "table": "3", "sort": "wait"},
]
MUNICIPALITIES = ["GM0363", "GM0344", "GM0014", "GM0935"]


def _add_offers(kaart, n: int) -> None:
    """`n` offers, each of its own organisation and location, with diagnosis groups; every
    fifth a remote service for a province."""
    for i in range(n):
        org = factories.OrganisationFactory()
        editor = factories.member(Role.DIRECTORY_EDITOR, organisation=org)
        actor = actor_for(editor)
        remote = i % 5 == 4
        location = services.location_save(
            actor=actor,
            organisation=org,
            data=location_input(
                name=f"Locatie {i}",
                remote=remote,
                municipality="" if remote else MUNICIPALITIES[i % len(MUNICIPALITIES)],
                served_area="province" if remote else "",
                served_province="PV27" if remote else "",
            ),
        )
        services.offer_save(
            actor=actor,
            location=location,
            data=offer_input(
                name=f"Verslavingszorg {i}",
                kind="addiction",
                description="Behandeling van verslaving.",
                diagnosis_groups=["alcohol", "psychotisch"][: 1 + i % 2],
                stated_wait_weeks=None if i % 3 else i,
            ),
        )


def _queries(client, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("directory:search"), params)
    assert response.status_code == 200
    assert '<tr class="result">' in response.content.decode()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", SEARCHES)
def test_search_query_count_does_not_grow_with_offers(verified_client, kaart, params):
    client = verified_client(kaart.coordinator)
    _add_offers(kaart, 3)
    client.get(reverse("directory:search"))  # reads the reference lists into the cache
    small = _queries(client, params)
    _add_offers(kaart, PAGE_SIZE + 10)  # more than a page: the page shows PAGE_SIZE of them
    large = _queries(client, params)
    assert large == small, f"{params}: {small} queries with 4 offers, {large} with 34"


def test_reference_lists_are_read_once_and_follow_a_change(verified_client, kaart):
    client = verified_client(kaart.coordinator)
    url = reverse("directory:search")
    _add_offers(kaart, 1)
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        response = client.get(url)
    assert len(warm.captured_queries) == len(cold.captured_queries) - 3
    assert not any('FROM "regions_municipality"' in q["sql"] for q in warm.captured_queries)
    assert "Nieuwegemeente" not in response.content.decode()

    amsterdam = Municipality.objects.get(code="GM0363")
    Municipality.objects.create(
        code="GM9999",
        name="Nieuwegemeente",
        province_id=amsterdam.province_id,
        safety_region_id=amsterdam.safety_region_id,
    )
    response = client.get(url)
    assert '<option value="GM9999">Nieuwegemeente</option>' in response.content.decode()
