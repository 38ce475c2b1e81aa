"""Keyset pagination for lists that grow without bound (access log, waiting lists, monitor).

A page is the first `size` rows after a cursor, in a fixed order on a timestamp-or-value column
plus the primary key as the tie-breaker; the cursor names the last row shown. Unlike OFFSET it
costs the same on page 1,000 as on page 1 (an index on the two columns serves it) and never
shows a row twice or skips one when rows are added meanwhile. The cursor holds only a column
value and an id, never personal data, and is safe to put in a URL; it is signed, so a tampered
cursor is refused with a clear message instead of reaching the database.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import reduce
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.db import connection
from django.db.models import DateTimeField, F, FloatField, Func, Model, Q, QuerySet, Value
from django.http import HttpRequest, HttpResponseRedirect

from .errors import DomainError

M = TypeVar("M", bound=Model)
T = TypeVar("T")


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


def keyset_page_by(
    qs: QuerySet[M],
    *,
    order: Sequence[str],
    cursor: str | None,
    size: int,
    name: str,
    anchor: bool = False,
) -> Page[M]:
    """Rows of `qs` in `order` after `cursor`, for lists sorted on more than one column.

    `order` names fields, related lookups or annotations of `qs`, each with "-" for descending,
    and ends with "pk" or "-pk" so the order is total (ties never repeat or drop a row). Every
    key must be non-null: wrap a nullable column in Coalesce in an annotation first (NULL never
    compares equal, so a NULL row would be lost at a page boundary). `name` binds the cursor to
    the list and its sort, so a cursor of another sort is refused.

    The cursor carries the sort values of the last row shown (dates, codes, numbers). With
    `anchor`, for sorts on a name, it carries only that row's id, and the next page reads the
    row's sort values back first (one more query): no name ends up in a URL.
    """
    keys = [(k.removeprefix("-"), k.startswith("-")) for k in order]
    if not keys or keys[-1][0] != "pk":
        raise ValueError("the last key of a keyset order must be pk")
    sqlite = connection.vendor == "sqlite"
    aliases: list[str] = []
    for i, (field, _desc) in enumerate(keys[:-1]):
        alias = f"_ks{i}"
        probe = qs.annotate(**{alias: F(field)})
        if sqlite and isinstance(probe.query.annotations[alias].output_field, DateTimeField):
            # Compared and ordered as Julian day numbers, as in keyset_page above.
            qs = qs.annotate(
                **{alias: Func(F(field), function="JULIANDAY", output_field=FloatField())}
            )
        else:
            qs = probe
        aliases.append(alias)
    aliases.append("pk")
    ordered = qs.order_by(
        *[("-" if desc else "") + a for a, (_f, desc) in zip(aliases, keys, strict=True)]
    )
    if cursor:
        values = _decode_by(qs, cursor, name=name, aliases=aliases, anchor=anchor)
        # (k0, k1, pk) after (v0, v1, p): k0 past v0, or k0 = v0 and k1 past v1, or ...
        steps = []
        for i, (alias, (_field, desc)) in enumerate(zip(aliases, keys, strict=True)):
            step = Q(**{f"{alias}__{'lt' if desc else 'gt'}": values[i]})
            for j in range(i):
                step &= Q(**{aliases[j]: values[j]})
            steps.append(step)
        ordered = ordered.filter(reduce(operator.or_, steps))
    rows = list(ordered[: size + 1])
    if len(rows) <= size:
        return Page(rows, None)
    rows = rows[:size]
    last = rows[-1]
    if anchor:
        payload: list[Any] = [name, None, last.pk]
    else:
        payload = [name, [_encode_value(getattr(last, a)) for a in aliases[:-1]], last.pk]
    return Page(rows, signing.dumps(payload, salt=CURSOR_SALT, compress=True))


def _encode_value(value: Any) -> list[Any]:
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["dec", str(value)]
    if value is None or isinstance(value, bool | int | float | str):
        return ["v", value]
    raise TypeError(f"cannot page on a {type(value).__name__}")


def _decode_value(kind: str, text: Any) -> Any:
    if kind == "dt":
        return datetime.fromisoformat(text)
    if kind == "d":
        return date.fromisoformat(text)
    if kind == "dec":
        return Decimal(text)
    if kind == "v" and (text is None or isinstance(text, bool | int | float | str)):
        return text
    raise ValueError(kind)


def _decode_by(
    qs: QuerySet[Any], cursor: str, *, name: str, aliases: list[str], anchor: bool
) -> list[Any]:
    try:
        label, encoded, pk = signing.loads(cursor, salt=CURSOR_SALT)
        if label != name or not isinstance(pk, int):
            raise ValueError(label)
        if anchor:
            if encoded is not None:
                raise ValueError(encoded)
            row = qs.filter(pk=pk).values_list(*aliases).first()
            if row is None:  # the last row shown is gone (or no longer visible)
                raise ValueError(pk)
            return list(row)
        if not isinstance(encoded, list) or len(encoded) != len(aliases) - 1:
            raise ValueError(encoded)
        return [_decode_value(kind, text) for kind, text in encoded] + [pk]
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError, ArithmeticError):
        raise DomainError(BAD_CURSOR, field="cursor") from None


def page_links(
    request: HttpRequest, page: Page[Any], *, param: str = "na"
) -> dict[str, str | None]:
    """The links under a keyset list in a page: `more` (this query with the cursor moved on, or
    None on the last page) and `first` (back to the first page, on a later page). Other query
    parameters (sort, filter) are kept; an old page number (`pagina`) is dropped."""
    params = {k: v for k, v in request.GET.items() if k not in {param, "pagina"}}
    more = "?" + urlencode({**params, param: page.next_cursor}) if page.next_cursor else None
    first = (
        ("?" + urlencode(params) if params else request.path) if request.GET.get(param) else None
    )
    return {"more": more, "first": first}


def page_or_redirect(
    request: HttpRequest,
    read: Callable[[], T],
    *,
    sort: str | None = None,
    keep: Mapping[str, str] | None = None,
) -> T | HttpResponseRedirect:
    """What `read` returns (a keyset page, or a tuple of pages for a view with several lists),
    or, when a cursor of the request is refused, a redirect to the first page of the same list,
    with the refusal as an error message. The first page keeps `keep` (the list's own filters,
    in the order given) and then `sort` as `sorteer`; a list without a sort passes none, and a
    list with neither goes back to its bare path.

        page = page_or_redirect(request, lambda: keyset_page_by(...), sort=sort)
        if isinstance(page, HttpResponseRedirect):
            return page

    Only a refused cursor is answered here: any other DomainError `read` raises (a selector's
    NotAllowed, say) goes on to the view, so a refusal of access never looks like a stale link.
    """
    try:
        return read()
    except DomainError as exc:
        if exc.field != "cursor":
            raise
        messages.error(request, exc.message)
        params = dict(keep or {})
        if sort is not None:
            params["sorteer"] = sort
        return HttpResponseRedirect(
            f"{request.path}?{urlencode(params)}" if params else request.path
        )
