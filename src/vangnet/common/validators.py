"""Small validators shared by forms, the API and imports. Messages are Dutch for the UI."""

from __future__ import annotations

import re
from datetime import date

from .errors import DomainError

# Real markup only: a tag opener as a browser reads it ("<b", "</p", "<!--", "<?"), a spaced
# opener that is closed again on the same stretch ("< img src=x>"), or a javascript: URL.
# A comparison is ordinary text ("binnen < twee weken", "score < 5"): Django escapes it on output.
# Event-handler attributes (onclick=) only act inside a tag, which the first alternatives catch.
_MARKUP = re.compile(r"</?[a-zA-Z!?]|<\s*/?\s+[a-zA-Z][^<>]*>|javascript\s*:", re.IGNORECASE)


def is_valid_bsn(value: str) -> bool:
    """The 11-proef for a BSN: 9 digits, weights 9..2 and -1, sum divisible by 11, not all zero."""
    if not re.fullmatch(r"[0-9]{9}", value or ""):  # ASCII digits only: \d also matches "１２３"
        return False
    digits = [int(c) for c in value]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0 and value != "000000000"


def clean_bsn(value: str | None, *, field: str = "bsn") -> str:
    """Normalise and validate an optional BSN; returns '' when empty."""
    value = re.sub(r"[\s.\-]", "", value or "")
    if not value:
        return ""
    if not is_valid_bsn(value):
        raise DomainError("Dit BSN is ongeldig: het voldoet niet aan de 11-proef.", field=field)
    return value


def clean_text(
    value: str | None, *, field: str, label: str, max_length: int, required: bool
) -> str:
    """Trim, require, bound the length and refuse markup (HTML or script) in free text."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{label} is verplicht.", field=field)
    if len(value) > max_length:
        raise DomainError(
            f"{label} is te lang: maximaal {max_length} tekens (nu {len(value)}).", field=field
        )
    if _MARKUP.search(value):
        raise DomainError(f"{label} bevat HTML of script; gebruik gewone tekst.", field=field)
    return value


def contains_markup(value: str) -> bool:
    return bool(_MARKUP.search(value or ""))


def check_past_date(
    value: date, *, field: str, label: str, today: date, not_before: date | None = None
) -> None:
    if value > today:
        raise DomainError(f"{label} ligt in de toekomst.", field=field)
    if not_before is not None and value < not_before:
        raise DomainError(f"{label} ligt vóór de geboortedatum.", field=field)


# Plausibility bounds for every date a person types (issue 10 §4: a pause in the year 9999 was
# accepted). Nothing in Vangnet lies before 1900 (birth dates included) or more than ten years
# ahead (plans, pauses, reminders); domains narrow this further where they know better.
EARLIEST_PLAUSIBLE_DATE = date(1900, 1, 1)
PLAUSIBLE_YEARS_AHEAD = 10


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plausible_date_message(value: date, *, today: date) -> str | None:
    """Why `value` is implausible, in Dutch, or None when it lies within the general bounds."""
    latest = years_later(today, PLAUSIBLE_YEARS_AHEAD)
    if value < EARLIEST_PLAUSIBLE_DATE:
        return f"Deze datum ligt vóór {EARLIEST_PLAUSIBLE_DATE:%Y}; controleer het jaar."
    if value > latest:
        return (
            f"Deze datum ligt meer dan {PLAUSIBLE_YEARS_AHEAD} jaar in de toekomst; "
            "controleer het jaar."
        )
    return None


def check_plausible_date(value: date, *, field: str, label: str, today: date) -> None:
    message = plausible_date_message(value, today=today)
    if message is not None:
        raise DomainError(f"{label}: {message[0].lower()}{message[1:]}", field=field)
