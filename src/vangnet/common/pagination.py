"""Keyset pagination for lists that grow without bound (access log, waiting lists, monitor).

A page is the first `size` rows after a cursor, in a fixed order on a timestamp-or-value column
plus the primary key as the tie-breaker; the cursor names the last row shown. Unlike OFFSET it
costs the same on page 1,000 as on page 1 (an index on the two columns serves it) and never
shows a row twice or skips one when rows are added meanwhile. The cursor holds only a column
value and an id, never personal data, and is safe to put in a URL.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet

from .errors import DomainError

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    next_cursor: str | None  # None: this is the last page

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def _encode(value: Any, pk: int) -> str:
    kind = "dt" if isinstance(value, datetime) else "d" if isinstance(value, date) else "v"
    text = value.isoformat() if kind != "v" else value
    raw = json.dumps([kind, text, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, text, pk = json.loads(raw)
        value = (
            datetime.fromisoformat(text)
            if kind == "dt"
            else date.fromisoformat(text)
            if kind == "d"
            else text
        )
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise DomainError("Deze vervolgpagina bestaat niet (meer); begin opnieuw.") from None


def keyset_page(
    qs: QuerySet[M], *, field: str, cursor: str | None, size: int, descending: bool = True
) -> Page[M]:
    """Rows of `qs` ordered by (`field`, pk), descending by default, after `cursor`."""
    if cursor:
        value, pk = _decode(cursor)
        if descending:
            qs = qs.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk}))
        else:
            qs = qs.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))
    sign = "-" if descending else ""
    rows = list(qs.order_by(f"{sign}{field}", f"{sign}pk")[: size + 1])
    if len(rows) <= size:
        return Page(rows, None)
    rows = rows[:size]
    last = rows[-1]
    return Page(rows, _encode(getattr(last, field), last.pk))
