"""Checks of what a coordinator types on the continuity forms: doses, dates, phone numbers and
review dates. Each answers with a Dutch sentence a coordinator understands (DomainError)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from vangnet.common.errors import DomainError
from vangnet.common.validators import check_plausible_date

from .models import DoseUnit

# The largest single dose that can be real, per unit. Generous on purpose (a depot injection, a
# loading dose): the check catches a mistyped unit or an extra zero, not a clinical judgement.
MAX_DOSE: dict[str, Decimal] = {
    DoseUnit.MG: Decimal(5000),
    DoseUnit.G: Decimal(10),
    DoseUnit.MICROGRAM: Decimal(10000),
    DoseUnit.ML: Decimal(500),
    DoseUnit.IU: Decimal(100000),
    DoseUnit.PIECE: Decimal(20),
}
REVIEW_WITHIN_DAYS = 2 * 366
# Emergency and crisis lines a crisis card names by their short number.
SHORT_NUMBERS = {"112", "113"}
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{8,18}$")


def check_dose(amount: Decimal | str | float | None, unit: str) -> Decimal:
    if unit not in DoseUnit.values:
        raise DomainError("Kies de eenheid van de dosis.", field="dose_unit")
    try:
        value = Decimal(str(amount)) if amount is not None else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise DomainError("Vul de dosis in als getal, bijvoorbeeld 2,5.", field="dose_amount")
    if value <= 0:
        raise DomainError("De dosis moet groter zijn dan nul.", field="dose_amount")
    if value.as_tuple().exponent < -3:  # type: ignore[operator]
        raise DomainError("Geef de dosis op met hoogstens drie decimalen.", field="dose_amount")
    label = DoseUnit(unit).label
    if value > MAX_DOSE[unit]:
        raise DomainError(
            f"Een dosis van {value.normalize():f} {label} per keer is onmogelijk hoog "
            f"(hoogstens {MAX_DOSE[unit]} {label}): controleer het getal en de eenheid.",
            field="dose_amount",
        )
    return value


def check_medication_dates(*, since: date, checked_on: date, birth_date: date, today: date) -> None:
    check_plausible_date(since, field="since", label="De startdatum", today=today)
    check_plausible_date(checked_on, field="checked_on", label="De controledatum", today=today)
    if since > today:
        raise DomainError(
            "De startdatum ligt in de toekomst: het overzicht toont wat de cliënt nu gebruikt.",
            field="since",
        )
    if since < birth_date:
        raise DomainError("De startdatum ligt vóór de geboortedatum van de cliënt.", field="since")
    if checked_on > today:
        raise DomainError("De controledatum ligt in de toekomst.", field="checked_on")
    if checked_on < since:
        raise DomainError("De controledatum ligt vóór de startdatum.", field="checked_on")


def check_review_date(review_on: date, *, today: date, what: str) -> None:
    if review_on <= today:
        raise DomainError(
            f"De herzieningsdatum van {what} moet na vandaag liggen.", field="review_on"
        )
    if review_on > today + timedelta(days=REVIEW_WITHIN_DAYS):
        raise DomainError(
            f"De herzieningsdatum van {what} ligt meer dan twee jaar vooruit: spreek een "
            "eerdere herziening af.",
            field="review_on",
        )


def check_phone(value: str, *, field: str, label: str) -> str:
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    if value in SHORT_NUMBERS:
        return value
    if not _PHONE.match(value) or not 9 <= len(digits) <= 15:
        raise DomainError(
            f"{label} is geen geldig telefoonnummer (bijvoorbeeld 020 123 45 67 of 112).",
            field=field,
        )
    return value


def check_past(value: date, *, field: str, label: str, today: date) -> None:
    check_plausible_date(value, field=field, label=label, today=today)
    if value > today:
        raise DomainError(f"{label} ligt in de toekomst.", field=field)
