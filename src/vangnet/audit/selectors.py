"""Reads of the access log, for the privacy officer."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

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
    *, case_reference: str, start: date | None, end: date | None
) -> QuerySet[AccessLogEntry]:
    qs = AccessLogEntry.objects.filter(case_reference=case_reference)
    low, high = period_bounds(start, end)
    if low:
        qs = qs.filter(at__gte=low)
    if high:
        qs = qs.filter(at__lte=high)
    return qs.order_by("-at", "-id")
