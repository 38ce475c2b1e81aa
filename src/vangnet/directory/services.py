"""Writes of the directory: registering and updating providers from a CSV file.

`organisation_import` reads `agb,name,municipality_code,organisation_type` (UTF-8, comma), checks
every line first and then writes everything in one transaction: a file with any bad line
changes nothing, and importing the same file twice changes nothing the second time.

An empty `municipality_code` is allowed but warned about in the report: region pages (hotspots,
registration pauses) place a provider by its municipality, so a provider without one is missing
from them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction

from vangnet.common.csvtext import csv_error_message
from vangnet.common.errors import DomainError
from vangnet.common.validators import contains_markup
from vangnet.regions.models import Municipality

from .models import Organisation, OrganisationType

COLUMNS = ("agb", "name", "municipality_code", "organisation_type")


@dataclass(frozen=True)
class LineProblem:
    line: int
    column: str
    message: str

    def as_text(self) -> str:
        column = f", kolom {self.column}" if self.column else ""
        return f"regel {self.line}{column}: {self.message}"


class OrganisationImportRejected(DomainError):
    def __init__(self, message: str, problems: list[LineProblem] | None = None) -> None:
        super().__init__(message, code="import_rejected")
        self.problems = problems or []


@dataclass
class OrganisationImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[LineProblem] = field(default_factory=list)


NO_MUNICIPALITY = (
    "geen vestigingsgemeente: deze aanbieder ontbreekt in de overzichten per regio "
    "(hotspots, aanmeldpauzes)"
)


def _type_lookup() -> dict[str, str]:
    lookup = {}
    for value, label in OrganisationType.choices:
        lookup[value] = value
        lookup[str(label).lower()] = value
    return lookup


def _rows(data: bytes) -> tuple[list[str], csv.DictReader[str]]:
    if not data.strip():
        raise OrganisationImportRejected("Het bestand is leeg.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OrganisationImportRejected(
            "Het bestand is geen UTF-8-tekst. Sla het op als 'CSV UTF-8 (door komma's gescheiden)'."
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise OrganisationImportRejected(
            f"De kopregel is onleesbaar: {csv_error_message(exc)}."
        ) from None
    if len(header) == 1 and ";" in header[0]:
        raise OrganisationImportRejected("Het scheidingsteken is een puntkomma; gebruik een komma.")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise OrganisationImportRejected(
            "De kopregel klopt niet (ontbrekend: "
            + ", ".join(missing)
            + "). Verwacht: "
            + ",".join(COLUMNS)
            + "."
        )
    reader.fieldnames = header
    return header, reader


def organisation_import(*, data: bytes) -> OrganisationImportReport:
    """Register or update providers by AGB code. Raises OrganisationImportRejected with every
    problem by line when any line is bad."""
    _, reader = _rows(data)
    types = _type_lookup()
    municipalities = {m.code: m for m in Municipality.objects.all()}
    problems: list[LineProblem] = []
    seen: dict[str, int] = {}
    clean: list[tuple[int, str, str, Municipality | None, str]] = []
    try:
        for record in reader:
            line = reader.line_num
            values = {k: (v or "").strip() for k, v in record.items() if k}
            if not any(values.values()):
                continue
            errors = []
            agb = values.get("agb", "")
            if not re.fullmatch(r"\d{8}", agb):
                errors.append(LineProblem(line, "agb", "een AGB-code bestaat uit 8 cijfers"))
            elif agb in seen:
                errors.append(
                    LineProblem(line, "agb", f"AGB-code {agb} staat ook op regel {seen[agb]}")
                )
            else:
                seen[agb] = line
            name = values.get("name", "")
            if not name:
                errors.append(LineProblem(line, "name", "naam ontbreekt"))
            elif len(name) > 200:
                errors.append(LineProblem(line, "name", "naam is langer dan 200 tekens"))
            elif contains_markup(name):
                errors.append(LineProblem(line, "name", "naam bevat HTML of script"))
            code = values.get("municipality_code", "")
            municipality = municipalities.get(code) if code else None
            if code and municipality is None:
                errors.append(
                    LineProblem(line, "municipality_code", f"onbekende gemeente {code[:10]}")
                )
            kind = types.get(values.get("organisation_type", "").lower())
            if kind is None:
                errors.append(
                    LineProblem(
                        line,
                        "organisation_type",
                        "onbekend type; gebruik een van: " + ", ".join(OrganisationType.values),
                    )
                )
            if errors:
                problems.extend(errors)
                continue
            assert kind is not None
            clean.append((line, agb, name, municipality, kind))
    except csv.Error as exc:
        # The reader cannot say where the broken field ends: report this line and stop.
        problems.append(LineProblem(reader.line_num + 1, "", csv_error_message(exc)))
    if problems:
        lines = len({p.line for p in problems})
        raise OrganisationImportRejected(
            f"Het bestand is niet geïmporteerd: {lines} regel{'s' if lines != 1 else ''} met fouten.",
            problems,
        )
    if not clean:
        raise OrganisationImportRejected("Het bestand bevat geen gegevensregels.")
    report = OrganisationImportReport()
    code_of = {m.pk: code for code, m in municipalities.items()}
    with transaction.atomic():
        existing = {
            o.agb_code: o
            for o in Organisation.objects.select_for_update().filter(
                agb_code__in=[c[1] for c in clean]
            )
        }
        for line, agb, name, municipality, kind in clean:
            org = existing.get(agb)
            if municipality is None:
                was = code_of.get(org.municipality_id) if org and org.municipality_id else None
                cleared = f"; de vestigingsgemeente {was} wordt gewist" if was else ""
                report.warnings.append(
                    LineProblem(line, "municipality_code", NO_MUNICIPALITY + cleared)
                )
            if org is None:
                Organisation.objects.create(
                    agb_code=agb, name=name, municipality=municipality, organisation_type=kind
                )
                report.created.append(agb)
                continue
            new = (name, municipality.pk if municipality else None, kind)
            if (org.name, org.municipality_id, org.organisation_type) == new:
                report.unchanged.append(agb)
                continue
            org.name, org.municipality, org.organisation_type = name, municipality, kind
            org.save(update_fields=["name", "municipality", "organisation_type", "updated_at"])
            report.updated.append(agb)
    return report
