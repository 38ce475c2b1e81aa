"""The API's list endpoints page by keyset (issue 12 §3): following `next` returns every row
exactly once, in order, whatever the page size and also when rows share a timestamp; nothing
is cut off silently; a tampered cursor is a 400 problem+json in Dutch."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from vangnet.accounts.models import ApiToken
from vangnet.cases.models import Case, CaseEvent
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases"
PROBLEM = "application/problem+json"


def _client(user) -> tuple[Client, dict[str, str]]:
    _, raw = ApiToken.issue(user=user, name="test")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _follow(client: Client, headers: dict[str, str], url: str) -> tuple[list[dict], int]:
    items: list[dict] = []
    pages = 0
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        items += body["items"]
        pages += 1
        assert (body["next"] is None) == (body["next_cursor"] is None)
        url = body["next"] and urlsplit(body["next"])._replace(scheme="", netloc="").geturl()
    return items, pages


@pytest.fixture
def cases(world) -> list[Case]:
    made = [fu.registered_case(world.referrer) for _ in range(23)]
    # Several cases registered at the very same moment: the tie-breaker must keep them apart.
    moment = timezone.now() - timedelta(days=2)
    Case.objects.filter(pk__in=[c.pk for c in made[3:11]]).update(registered_at=moment)
    Case.objects.filter(pk__in=[c.pk for c in made[15:18]]).update(
        registered_at=moment - timedelta(seconds=1)
    )
    return list(Case.objects.filter(pk__in=[c.pk for c in made]))


def test_case_list_pages_return_every_case_exactly_once(world, cases):
    client, headers = _client(world.coordinator)
    expected = sorted(cases, key=lambda c: (c.registered_at, c.pk), reverse=True)
    for size in (1, 2, 5, 7, 8, 22, 23, 24, 500):
        items, pages = _follow(client, headers, f"{CASES}?size={size}")
        references = [i["reference"] for i in items]
        assert len(references) == len(set(references)) == 23, size
        assert references == [c.reference for c in expected], size
        assert pages == -(-23 // size), size  # and no empty last page


def test_the_filter_travels_with_the_next_link(world, cases):
    client, headers = _client(world.coordinator)
    items, pages = _follow(client, headers, f"{CASES}?state=registered&size=4")
    assert pages >= 6 and len(items) == 23
    items, _ = _follow(client, headers, f"{CASES}?state=plan&size=4")
    assert items == []


def test_the_list_is_no_longer_cut_at_a_silent_limit(world, cases):
    client, headers = _client(world.coordinator)
    body = client.get(f"{CASES}?size=10", **headers).json()
    assert len(body["items"]) == 10
    assert body["next_cursor"] and "cursor=" in body["next"] and "size=10" in body["next"]


def test_history_pages_oldest_first(world):
    case = fu.admitted_case(world)
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    client, headers = _client(world.coordinator)
    for size in (1, 2, len(events)):
        items, _ = _follow(client, headers, f"{CASES}/{case.reference}/history?size={size}")
        assert [i["what"] for i in items] == [e.label for e in events]


def _tampered(cursor: str) -> list[str]:
    payload, _, signature = cursor.rpartition(":")
    forged = base64.urlsafe_b64encode(json.dumps(["registered_at", "v", "x", 1]).encode())
    return [
        "bm90LWpzb24",  # plain base64, not ours
        cursor[:-1] + ("A" if cursor[-1] != "A" else "B"),  # one character of the signature
        f"{forged.decode().rstrip('=')}:{signature}",  # a value of the client's making
        payload,  # the signature cut off
        "%00",
        "x" * 999,
    ]


def test_a_tampered_cursor_is_a_dutch_problem(world, cases):
    client, headers = _client(world.coordinator)
    cursor = client.get(f"{CASES}?size=3", **headers).json()["next_cursor"]
    for bad in _tampered(cursor):
        response = client.get(CASES, {"cursor": bad}, **headers)
        assert response.status_code == 400, (bad, response.content[:300])
        assert response["Content-Type"] == PROBLEM
        body = response.json()
        assert "vervolgpagina" in body["detail"] and body["field"] == "cursor"
        assert "Traceback" not in response.content.decode()


def test_a_cursor_of_another_list_is_refused(world, cases):
    """A history cursor pages on `at`; handed to the case list it is refused, not misread."""
    case = fu.admitted_case(world)
    client, headers = _client(world.coordinator)
    cursor = client.get(f"{CASES}/{case.reference}/history?size=1", **headers).json()["next_cursor"]
    response = client.get(CASES, {"cursor": cursor}, **headers)
    assert response.status_code == 400 and "vervolgpagina" in response.json()["detail"]


@pytest.mark.parametrize("size", ["0", "501", "veel"])
def test_a_bad_page_size_is_a_problem(world, size):
    client, headers = _client(world.coordinator)
    response = client.get(CASES, {"size": size}, **headers)
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
