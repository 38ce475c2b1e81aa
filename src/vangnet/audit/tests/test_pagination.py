"""The access log of a case is shown page by page (keyset): every row exactly once, newest first,
also when many rows share a timestamp, and a "more" link instead of a silent cap."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from vangnet.accounts.selectors import actor_for
from vangnet.audit import views
from vangnet.audit.models import AccessLogEntry
from vangnet.audit.selectors import access_log_for_case
from vangnet.common.errors import DomainError
from vangnet.common.pagination import keyset_page
from vangnet.testing.pages import assert_cursor_refused

pytestmark = pytest.mark.django_db

REF = "VN-2026-00001"


@pytest.fixture
def entries(world):
    actor = actor_for(world.coordinator)
    start = timezone.now().replace(microsecond=0)
    for i in range(7):
        with freeze_time(start + timedelta(minutes=i)):
            AccessLogEntry.objects.bulk_create(
                [
                    AccessLogEntry(
                        username=actor.user.username,
                        case_id=1,
                        case_reference=REF,
                        action="read",
                        outcome="allowed",
                        detail=f"lezen {i}.{j}",
                    )
                    for j in range(9)  # nine rows share each timestamp
                ]
            )
    return list(AccessLogEntry.objects.filter(case_reference=REF).values_list("pk", "at"))


@pytest.mark.parametrize("size", [1, 4, 9, 10, 62, 63, 100])
def test_pages_return_every_row_exactly_once_newest_first(entries, size):
    seen = []
    cursor = None
    while True:
        page = keyset_page(
            access_log_for_case(case_reference=REF, start=None, end=None),
            field="at",
            cursor=cursor,
            size=size,
        )
        assert len(page.rows) <= size
        seen.extend((e.pk, e.at) for e in page.rows)
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(entries)
    assert len(seen) == len(set(seen)) == 63
    assert seen == sorted(seen, key=lambda e: (e[1], e[0]), reverse=True)


def test_a_broken_cursor_is_a_clear_error(entries):
    with pytest.raises(DomainError, match="vervolgpagina"):
        keyset_page(AccessLogEntry.objects.all(), field="at", cursor="bm90LWpzb24", size=5)


def test_the_log_page_links_to_more_instead_of_stopping(
    world, verified_client, entries, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 25)
    client = verified_client(world.privacy_officer)
    shown = []
    data: dict[str, str] | None = {"reference": REF}
    while data:
        html = client.post("/toegangslog/", data).content.decode()
        table = re.search(r'<table data-testid="log">.*?</table>', html, re.S).group(0)
        shown += re.findall(r"lezen \d\.\d", table)
        more = re.search(r'<form method="post" data-testid="more">(.*?)</form>', html, re.S)
        data = dict(re.findall(r'name="(\w+)" value="([^"]*)"', more.group(1))) if more else None
        if data:
            data.pop("csrfmiddlewaretoken", None)
    assert len(shown) == len(set(shown)) == 63


def test_the_account_log_links_to_more_instead_of_stopping(world, verified_client, monkeypatch):
    from vangnet.audit.models import AccountLogEntry

    monkeypatch.setattr(views, "PAGE_SIZE", 7)
    AccountLogEntry.objects.bulk_create(
        [
            AccountLogEntry(
                actor="beheer", subject=f"gebruiker{i}", action="password", detail=f"regel {i}"
            )
            for i in range(30)
        ]
    )
    client = verified_client(world.privacy_officer)
    shown: list[str] = []
    url: str | None = "/toegangslog/beheer/"
    while url:
        html = client.get(url).content.decode()
        shown += re.findall(r"regel \d+", html)
        more = re.search(r'<a href="(\?na=[^"]+)" data-testid="more">', html)
        url = "/toegangslog/beheer/" + more.group(1) if more else None
    assert sorted(shown) == sorted(f"regel {i}" for i in range(30)) and len(shown) == 30
    # A tampered cursor: back to the first page with the message every list uses (it was an
    # error page with status 400 before).
    assert_cursor_refused(client, "/toegangslog/beheer/?na=vervalst", first="/toegangslog/beheer/")
