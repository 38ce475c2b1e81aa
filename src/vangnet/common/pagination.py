"""Keyset pagination for lists that grow without bound (access log, waiting lists, monitor).

A page is the first `size` rows after a cursor, in a fixed order on a timestamp-or-value column
plus the primary key as the tie-breaker; the cursor names the last row shown. Unlike OFFSET it
costs the same on page 1,000 as on page 1 (an index on the two columns serves it) and never
shows a row twice or skips one when rows are added meanwhile. The cursor holds only a column
value and an id, never personal data, and is safe to put in a URL; it is signed, so a tampered
cursor is refused with a clear message instead of reaching the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db import connection
from django.db.models import DateTimeField, F, FloatField, Func, Model, Q, QuerySet, Value

from .errors import DomainError

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    next_cursor: str | None  # None: this is the last page

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


CURSOR_SALT = "vangnet.pagination.cursor"
BAD_CURSOR = "Deze vervolgpagina bestaat niet (meer); begin opnieuw."


def _encode(field: str, value: Any, pk: int) -> str:
    kind = "dt" if isinstance(value, datetime) else "d" if isinstance(value, date) else "v"
    text = value.isoformat() if kind != "v" else value
    # Signed, so a client cannot hand back a value of its own making (a string where a date
    # belongs would reach the database as a query error); bound to the field it pages on.
    return signing.dumps([field, kind, text, pk], salt=CURSOR_SALT, compress=True)


def _decode(cursor: str, *, field: str) -> tuple[Any, int]:
    try:
        name, kind, text, pk = signing.loads(cursor, salt=CURSOR_SALT)
        if name != field or kind not in {"dt", "d", "v"}:
            raise ValueError(name)
        value = (
            datetime.fromisoformat(text)
            if kind == "dt"
            else date.fromisoformat(text)
            if kind == "d"
            else text
        )
        if kind == "v" and not isinstance(value, str | int | float):
            raise ValueError(kind)
        return value, int(pk)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        raise DomainError(BAD_CURSOR, field="cursor") from None


def keyset_page(
    qs: QuerySet[M], *, field: str, cursor: str | None, size: int, descending: bool = True
) -> Page[M]:
    """Rows of `qs` ordered by (`field`, pk), descending by default, after `cursor`."""
    if cursor:
        value, pk = _decode(cursor, field=field)
        if isinstance(value, datetime) and connection.vendor == "sqlite":
            # SQLite keeps times as text: a database-set time has milliseconds ("05.123"), a
            # Python one microseconds ("05.123000"), and text comparison then puts equal times
            # apart. Compare them as Julian day numbers instead.
            moment = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            qs = qs.annotate(
                _keyset=Func(F(field), function="JULIANDAY", output_field=FloatField()),
                _cut=Func(Value(moment), function="JULIANDAY", output_field=FloatField()),
            )
            field_key, cut = "_keyset", F("_cut")
            if descending:
                qs = qs.filter(Q(_keyset__lt=cut) | Q(_keyset=cut, pk__lt=pk))
            else:
                qs = qs.filter(Q(_keyset__gt=cut) | Q(_keyset=cut, pk__gt=pk))
            sign = "-" if descending else ""
            rows = list(qs.order_by(f"{sign}{field_key}", f"{sign}pk")[: size + 1])
            return _page(rows, field=field, size=size)
        if descending:
            qs = qs.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk}))
        else:
            qs = qs.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))
    sign = "-" if descending else ""
    if connection.vendor == "sqlite" and isinstance(qs.model._meta.get_field(field), DateTimeField):
        # Order as the cursor compares (see above), so ties of one moment stay together.
        qs = qs.annotate(_keyset=Func(F(field), function="JULIANDAY", output_field=FloatField()))
        rows = list(qs.order_by(f"{sign}_keyset", f"{sign}pk")[: size + 1])
    else:
        rows = list(qs.order_by(f"{sign}{field}", f"{sign}pk")[: size + 1])
    return _page(rows, field=field, size=size)


def _page(rows: list[M], *, field: str, size: int) -> Page[M]:
    if len(rows) <= size:
        return Page(rows, None)
    rows = rows[:size]
    last = rows[-1]
    return Page(rows, _encode(field, getattr(last, field), last.pk))
