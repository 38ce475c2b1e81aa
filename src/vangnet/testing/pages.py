"""Walking a keyset list in a page the way a reader does: follow "Meer …" until it is gone."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

MORE = re.compile(r'<a href="([^"]+)" data-testid="more">')


def walk(
    client: Client, url: str, rows: Callable[[str], list[str]], *, max_pages: int = 1000
) -> tuple[list[str], list[int]]:
    """Every row `rows` finds on the pages from `url` on, and the queries each page took."""
    path = url.split("?", 1)[0]
    seen: list[str] = []
    queries: list[int] = []
    next_url: str | None = url
    while next_url:
        assert len(queries) < max_pages, "the more link never ends"
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(next_url)
        assert response.status_code == 200, next_url
        queries.append(len(ctx.captured_queries))
        text = response.content.decode()
        seen += rows(text)
        more = MORE.search(text)
        href = html_lib.unescape(more.group(1)) if more else None
        next_url = (path + href if href.startswith("?") else href) if href else None
    return seen, queries


def assert_cursor_refused(
    client: Client, url: str, *, first: str, post: dict | None = None
) -> None:
    """`url` carries a tampered cursor (or `post` does): the answer is a redirect to `first`, the
    first page of the same list, and that page says why in the one message every list uses."""
    from vangnet.common.pagination import BAD_CURSOR

    response = client.post(url, post) if post is not None else client.get(url)
    assert response.status_code == 302, (url, response.status_code)
    assert response["Location"] == first
    landing = client.get(first)
    assert landing.status_code == 200, first
    assert html_lib.escape(BAD_CURSOR) in landing.content.decode()
