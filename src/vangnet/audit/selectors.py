"""Reads of the access log, for the privacy officer."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from vangnet.accounts.models import User

from .models import AccessLogEntry


def period_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole days in the local time zone (a read at 00:30 on 1 February in Amsterdam is in
    February, although it is still 31 January in UTC, the time the log stores)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz) if start else None,
        datetime.combine(end, time.max, tzinfo=tz) if end else None,
    )


def access_log_for_case(
    *,
    case_reference: str,
    start: date | None,
    end: date | None,
    user: User | None = None,
) -> QuerySet[AccessLogEntry]:
    """A case's log (or, with an empty reference, everything `user` did), newest first, with
    the user row joined so the page can show full names."""
    qs = AccessLogEntry.objects.select_related("user")
    if case_reference:
        qs = qs.filter(case_reference=case_reference)
    if user is not None:
        qs = qs.filter(user=user)
    low, high = period_bounds(start, end)
    if low:
        qs = qs.filter(at__gte=low)
    if high:
        qs = qs.filter(at__lte=high)
    return qs.order_by("-at", "-id")


def full_name(entry: AccessLogEntry) -> str:
    """The person behind a row: full name and username, or the username alone when the user row
    is gone or has no name (attempts without an account keep what was typed)."""
    user = entry.user
    if user is None:
        return entry.username
    name = user.get_full_name().strip()
    return f"{name} ({entry.username})" if name else entry.username
