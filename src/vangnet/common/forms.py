"""Form fields shared by every app."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone

from .validators import plausible_date_message


class PlausibleDateField(forms.DateField):
    """A date field that refuses dates outside the general plausibility bounds (1900 to ten
    years ahead), so a mistyped year is a form error instead of a stored pause in 9999."""

    def clean(self, value: Any) -> date | None:
        day: date | None = super().clean(value)
        if day is not None:
            message = plausible_date_message(day, today=timezone.localdate())
            if message is not None:
                raise forms.ValidationError(message, code="implausible_date")
        return day


class PlausibleDateTimeField(forms.DateTimeField):
    """A date-time field with the same plausibility bounds as `PlausibleDateField`."""

    def clean(self, value: Any) -> datetime | None:
        moment: datetime | None = super().clean(value)
        if moment is not None:
            message = plausible_date_message(moment.date(), today=timezone.localdate())
            if message is not None:
                raise forms.ValidationError(message, code="implausible_date")
        return moment


class BoundedFileField(forms.FileField):
    """A file field that refuses a file over `max_bytes` from its declared size, before anything
    reads it into memory."""

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is not None and getattr(upload, "size", 0) > self.max_bytes:
            raise forms.ValidationError(
                f"Het bestand is te groot: maximaal {self.max_bytes // (1024 * 1024)} MB.",
                code="too_large",
            )
        return upload
