"""Checking sociale kaart input from forms, the API and imports, with Dutch messages.

`location_values` and `offer_values` turn an input into model field values and collect *every*
problem (field, message), so an import line or a form reports all of them at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from vangnet.common.errors import DomainError
from vangnet.common.validators import clean_text
from vangnet.regions.models import Municipality, Province, Table

from .models import Access, OfferFinancing, OfferKind, ServedArea

MAX_AGE = 120
MAX_WAIT_WEEKS = 520


@dataclass
class LocationInput:
    name: str
    remote: bool = False
    address: str = ""
    postcode: str = ""
    municipality: str = ""  # GM code or municipality name
    served_area: str = ""
    served_province: str = ""  # PV code or province name
    served_table: int | None = None
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_hours: str = ""
    accessibility: str = ""


@dataclass
class OfferInput:
    kind: str
    name: str
    financing: str
    access: str
    description: str = ""
    diagnosis_groups: list[str] = field(default_factory=list)  # codes
    age_min: int | None = None
    age_max: int | None = None
    lvb: bool = False
    forensic: bool = False
    stated_wait_weeks: int | None = None


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


class EntryInvalid(DomainError):
    """One or more fields are wrong; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            "; ".join(p.message for p in problems), field=problems[0].field, code="invalid"
        )
        self.problems = problems


class ReferenceData:
    """Lookups of the reference data, loaded once per import or request."""

    def __init__(self) -> None:
        from vangnet.waitlists.models import DiagnosisGroup

        self.municipalities: dict[str, Municipality] = {}
        names: dict[str, list[Municipality]] = {}
        for m in Municipality.objects.all():
            self.municipalities[m.code.upper()] = m
            names.setdefault(_key(m.name), []).append(m)
        # A name shared by two municipalities is not a unique key: only the code works then.
        self.municipality_names = {k: v[0] for k, v in names.items() if len(v) == 1}
        self.provinces = {p.code.upper(): p for p in Province.objects.all()}
        self.province_names = {_key(p.name): p for p in self.provinces.values()}
        self.tables = {t.number: t for t in Table.objects.all()}
        self.groups = {g.code: g for g in DiagnosisGroup.objects.all()}

    def municipality(self, value: str) -> Municipality | None:
        value = value.strip()
        return self.municipalities.get(value.upper()) or self.municipality_names.get(_key(value))

    def province(self, value: str) -> Province | None:
        value = value.strip()
        return self.provinces.get(value.upper()) or self.province_names.get(_key(value))


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
# Dutch numbers: 10 digits from 0, +31 with 9 digits, 0800/0900 numbers, and the short numbers
# (112, 113 zelfmoordpreventie, 116xxx European helplines, 14 + area code for municipalities).
_PHONE = re.compile(
    r"^(0[1-9][0-9]{8}|\+31[1-9][0-9]{8}|0[89]0[0-9][0-9]{4,7}|11[23]|116[0-9]{3}|14[0-9]{3,4})$"
)


def clean_postcode(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    m = _POSTCODE.match(value)
    if m is None or m.group(2).upper() in {"SA", "SD", "SS"}:
        raise DomainError(
            f"'{value[:12]}' is geen Nederlandse postcode (vier cijfers en twee letters, "
            "bijvoorbeeld 1012 AB).",
            field="postcode",
        )
    return f"{m.group(1)} {m.group(2).upper()}"


def clean_phone(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    digits = re.sub(r"[\s\-().]", "", value)
    if not _PHONE.match(digits):
        raise DomainError(
            f"'{value[:20]}' is geen telefoonnummer (bijvoorbeeld 020-1234567, 0800-0113 of 113).",
            field="phone",
        )
    return value


def clean_website(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise DomainError(
            f"'{value[:40]}' is geen webadres (begin met https://).", field="website"
        ) from None
    return value


def clean_email(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        EmailValidator()(value)
    except ValidationError:
        raise DomainError(f"'{value[:40]}' is geen e-mailadres.", field="email") from None
    return value


def _run(problems: list[Problem], fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except DomainError as exc:
        problems.append(Problem(exc.field or "", exc.message))
        return None


def _text(
    value: str, field: str, label: str, max_length: int, required: bool = False
) -> Callable[[], str]:
    return lambda: clean_text(
        value, field=field, label=label, max_length=max_length, required=required
    )


def location_values(
    data: LocationInput, ref: ReferenceData
) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    values: dict[str, Any] = {
        "name": _run(problems, _text(data.name, "name", "Naam", 200, True)),
        "remote": bool(data.remote),
        "address": _run(problems, _text(data.address, "address", "Adres", 200)),
        "postcode": _run(problems, lambda: clean_postcode(data.postcode)),
        "phone": _run(problems, lambda: clean_phone(data.phone)),
        "email": _run(problems, lambda: clean_email(data.email)),
        "website": _run(problems, lambda: clean_website(data.website)),
        "opening_hours": _run(
            problems, _text(data.opening_hours, "opening_hours", "Openingstijden", 300)
        ),
        "accessibility": _run(
            problems, _text(data.accessibility, "accessibility", "Toegankelijkheid", 500)
        ),
        "municipality": None,
        "served_area": "",
        "served_province": None,
        "served_table": None,
    }
    if data.municipality.strip():
        municipality = ref.municipality(data.municipality)
        if municipality is None:
            problems.append(
                Problem(
                    "municipality",
                    f"Onbekende gemeente '{data.municipality.strip()[:40]}': gebruik de "
                    "gemeentecode (GM0363) of de naam zoals het CBS die schrijft.",
                )
            )
        values["municipality"] = municipality
    if data.remote:
        area = data.served_area.strip()
        if area not in ServedArea.values:
            problems.append(
                Problem(
                    "served_area",
                    "Een dienst zonder vestiging heeft een werkgebied: "
                    + ", ".join(ServedArea.values)
                    + ".",
                )
            )
        values["served_area"] = area
        if area == ServedArea.PROVINCE:
            province = ref.province(data.served_province)
            if province is None:
                problems.append(
                    Problem("served_province", "Kies de provincie waarin de dienst werkt.")
                )
            values["served_province"] = province
        if area == ServedArea.REGION:
            table = ref.tables.get(data.served_table or 0)
            if table is None:
                problems.append(
                    Problem(
                        "served_table",
                        "Kies de tafelregio (1 tot en met 8) waarin de dienst werkt.",
                    )
                )
            values["served_table"] = table
    elif not data.municipality.strip():
        problems.append(
            Problem(
                "municipality",
                "Een vestiging heeft een gemeente; kies anders 'zonder vestiging' met een werkgebied.",
            )
        )
    return values, problems


def _int(value: Any, field: str, label: str, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise DomainError(f"{label} is geen geheel getal.", field=field) from None
    if not low <= number <= high:
        raise DomainError(f"{label} moet tussen {low} en {high} liggen.", field=field)
    return number


def _choice(value: str, choices: Mapping[str, str], field: str, label: str) -> str:
    value = value.strip()
    lookup = {k: k for k in choices} | {str(v).lower(): k for k, v in choices.items()}
    found = lookup.get(value) or lookup.get(value.lower())
    if found is None:
        raise DomainError(
            f"{label} '{value[:30]}' bestaat niet; kies uit: " + ", ".join(choices) + ".",
            field=field,
        )
    return found


def offer_values(data: OfferInput, ref: ReferenceData) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    kinds = dict(OfferKind.choices)
    values: dict[str, Any] = {
        "kind": _run(problems, lambda: _choice(data.kind, kinds, "kind", "Soort aanbod")),
        "name": _run(problems, _text(data.name, "name", "Naam", 200, True)),
        "description": _run(problems, _text(data.description, "description", "Omschrijving", 2000)),
        "financing": _run(
            problems,
            lambda: _choice(
                data.financing, dict(OfferFinancing.choices), "financing", "Financiering"
            ),
        ),
        "access": _run(
            problems, lambda: _choice(data.access, dict(Access.choices), "access", "Toegang")
        ),
        "age_min": _run(
            problems, lambda: _int(data.age_min, "age_min", "Leeftijd vanaf", 0, MAX_AGE)
        ),
        "age_max": _run(
            problems, lambda: _int(data.age_max, "age_max", "Leeftijd tot en met", 0, MAX_AGE)
        ),
        "lvb": bool(data.lvb),
        "forensic": bool(data.forensic),
        "stated_wait_weeks": _run(
            problems,
            lambda: _int(
                data.stated_wait_weeks,
                "stated_wait_weeks",
                "Verwachte wachttijd",
                0,
                MAX_WAIT_WEEKS,
            ),
        ),
    }
    if (
        values["age_min"] is not None
        and values["age_max"] is not None
        and values["age_min"] > values["age_max"]
    ):
        problems.append(
            Problem(
                "age_max",
                f"De leeftijdsgrens is omgedraaid: vanaf {values['age_min']} ligt boven "
                f"tot en met {values['age_max']}.",
            )
        )
    groups = []
    for code in data.diagnosis_groups:
        code = code.strip()
        if not code:
            continue
        group = ref.groups.get(code)
        if group is None:
            problems.append(
                Problem(
                    "diagnosis_groups",
                    f"Onbekende hoofddiagnosegroep '{code[:40]}'; kies uit: "
                    + ", ".join(ref.groups)
                    + ".",
                )
            )
        else:
            groups.append(group)
    values["diagnosis_groups"] = groups
    return values, problems
