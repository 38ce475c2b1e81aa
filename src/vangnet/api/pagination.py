"""Keyset pages for the API's list endpoints: `?size=` rows after `?cursor=`, and in the answer
`next_cursor` with the ready-made `next` link, both null on the last page. Nothing is cut off
silently: a client follows `next` until it is null and gets every row exactly once
(`vangnet.common.pagination`). A cursor that was altered is refused (400, problem+json)."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

from vangnet.common.pagination import Page, keyset_page

M = TypeVar("M", bound=Model)

DEFAULT_SIZE = 50
MAX_SIZE = 500


class PageQuery(Schema):
    cursor: str | None = Field(
        None,
        max_length=1000,
        description="`next_cursor` van de vorige pagina; leeg voor de eerste pagina.",
    )
    size: int = Field(
        DEFAULT_SIZE, ge=1, le=MAX_SIZE, description="Aantal rijen per pagina (1 tot 500)."
    )


class PageOut(Schema):
    """The paging fields of every list answer (the rows are in `items`)."""

    next_cursor: str | None = Field(
        description="Geef dit mee als `cursor` voor de volgende pagina; null op de laatste."
    )
    next: str | None = Field(description="De volledige URL van de volgende pagina, of null.")


def api_page(
    qs: QuerySet[M],
    query: PageQuery,
    *,
    field: str,
    descending: bool = True,
) -> Page[M]:
    return keyset_page(
        qs, field=field, cursor=query.cursor or None, size=query.size, descending=descending
    )


def paging(request: HttpRequest, page: Page[Any]) -> dict[str, str | None]:
    """`next_cursor` and `next` for the answer: the same query string with the new cursor."""
    if page.next_cursor is None:
        return {"next_cursor": None, "next": None}
    params = {k: v for k, v in request.GET.items() if k != "cursor"}
    params["cursor"] = page.next_cursor
    return {
        "next_cursor": page.next_cursor,
        "next": request.build_absolute_uri(f"{request.path}?{urlencode(params)}"),
    }
