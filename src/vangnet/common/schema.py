"""Constrained types for API schemas, so the OpenAPI document states the real rules (issue 10
§7) and a generated client can rely on them.

422 means "does not match the schema". A rule JSON Schema cannot state (a date relative to
today) is a domain rule instead: it raises `DomainError`, which pydantic does not catch, so the
API answers 400 with the Dutch message and the field, like every other domain rule."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.utils import timezone
from pydantic import AfterValidator, Field

from .errors import DomainError
from .validators import PLAUSIBLE_YEARS_AHEAD, plausible_date_message


def _plausible(value: date) -> date:
    message = plausible_date_message(value, today=timezone.localdate())
    if message is not None:
        raise DomainError(message)
    return value


PlausibleDate = Annotated[
    date,
    AfterValidator(_plausible),
    Field(
        description=(
            f"Datum (JJJJ-MM-DD), niet vóór 1900 en hoogstens {PLAUSIBLE_YEARS_AHEAD} jaar na "
            "vandaag"
        )
    ),
]
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
# The month is stated in the schema but checked by the endpoint, which answers 400 with a message
# that names the expected form (JJJJ-MM) and the range, as it always has.
Month = Annotated[
    str, Field(json_schema_extra={"pattern": MONTH_PATTERN}, description="Maand, JJJJ-MM")
]
MunicipalityCode = Annotated[
    str, Field(pattern=r"^GM[0-9]{4}$", description="CBS-gemeentecode, bijvoorbeeld GM0363")
]
Bsn = Annotated[
    str,
    Field(
        pattern=r"^([0-9]{9})?$",
        description="Burgerservicenummer: leeg, of 9 cijfers die voldoen aan de 11-proef",
    ),
]
AgbCode = Annotated[str, Field(pattern=r"^[0-9]{8}$", description="AGB-code, 8 cijfers")]
