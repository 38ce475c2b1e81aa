"""Reads of the access log, for the privacy officer."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from .models import AccessLogEntry


def access_log_for_case(
    *, case_reference: str, start: date | None, end: date | None
) -> QuerySet[AccessLogEntry]:
    qs = AccessLogEntry.objects.filter(case_reference=case_reference)
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(at__gte=datetime.combine(start, time.min, tzinfo=tz))
    if end:
        qs = qs.filter(at__lte=datetime.combine(end, time.max, tzinfo=tz))
    return qs.order_by("-at", "-id")
