"""Dates in text written by Python (notification subjects, timeline notes, messages) the way
the pages write them: "1 apr. 2027", "2 mrt. 2027 10:00" (the project's formats module,
`vangnet/formats/nl`). Reminders and commands run outside a request, so the language is set
here instead of relying on the active one."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import formats, timezone, translation


def dutch_date(value: date) -> str:
    with translation.override("nl"):
        return formats.date_format(value, "DATE_FORMAT")


def dutch_datetime(value: datetime) -> str:
    """In Amsterdam time when the value is aware."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    with translation.override("nl"):
        return formats.date_format(value, "DATETIME_FORMAT")
