"""Import and export of an organisation's sociale kaart as CSV (UTF-8, comma) or XLSX.

The format (also in `docs/sociale-kaart-import.md`): one row per offer; the location's columns
repeat on every row of that location. Columns, in this order:

    location_id, location_name, remote, address, postcode, municipality, served_area,
    served_province, served_table, phone, email, website, opening_hours, accessibility,
    offer_id, offer_name, kind, description, diagnosis_groups, age_min, age_max, lvb,
    forensic, financing, access, expected_wait_weeks

* `location_id` / `offer_id`: empty for a new entry; the number from an export to update one.
  Rows with the same `location_id` (or, for new locations, the same `location_name`) are one
  location and must agree on its columns.
* `remote`, `lvb`, `forensic`: `ja` or `nee` (empty is `nee`).
* `municipality`: CBS code (GM0363) or name; `served_area`: national, province or region, with
  `served_province` (PV code or name) or `served_table` (1-8).
* `kind`, `financing`, `access`: the codes of the export (or their Dutch labels).
* `diagnosis_groups`: hoofddiagnosegroep codes separated by `;`.

The import is all or nothing: every line is checked first and every problem is reported by line
and column; only a file without problems is written, in one transaction, and each written entry
is versioned (action `import`). Entries missing from the file are left alone (never deleted).
Text that a spreadsheet would run as a formula is exported behind an apostrophe and unescaped on
import.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from vangnet.accounts.selectors import Actor
from vangnet.common.errors import DomainError
from vangnet.common.spreadsheet import escape_formula, unescape_formula

from .access import require_editor
from .models import EntryChange, Location, Offer, Organisation
from .services import location_save, offer_save
from .validation import (
    LocationInput,
    OfferInput,
    ReferenceData,
    location_values,
    offer_values,
)

COLUMNS = (
    "location_id",
    "location_name",
    "remote",
    "address",
    "postcode",
    "municipality",
    "served_area",
    "served_province",
    "served_table",
    "phone",
    "email",
    "website",
    "opening_hours",
    "accessibility",
    "offer_id",
    "offer_name",
    "kind",
    "description",
    "diagnosis_groups",
    "age_min",
    "age_max",
    "lvb",
    "forensic",
    "financing",
    "access",
    "expected_wait_weeks",
)
LOCATION_COLUMNS = COLUMNS[1:14]
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
YES, NO = {"ja", "j", "yes", "true", "1", "x"}, {"nee", "n", "no", "false", "0", ""}


@dataclass(frozen=True)
class LineProblem:
    line: int
    column: str
    message: str

    def as_text(self) -> str:
        column = f", kolom {self.column}" if self.column else ""
        return f"regel {self.line}{column}: {self.message}"


class KaartImportRejected(DomainError):
    def __init__(self, message: str, problems: list[LineProblem] | None = None) -> None:
        super().__init__(message, code="import_rejected")
        self.problems = problems or []


@dataclass
class KaartImportReport:
    locations_created: int = 0
    locations_updated: int = 0
    offers_created: int = 0
    offers_updated: int = 0
    lines: int = 0


@dataclass
class _Line:
    line: int
    cells: dict[str, str]
    location: LocationInput | None = None
    offer: OfferInput | None = None
    location_key: str = ""
    problems: list[LineProblem] = field(default_factory=list)


def _read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    if not data.strip():
        raise KaartImportRejected("Het bestand is leeg.")
    if len(data) > MAX_BYTES:
        raise KaartImportRejected("Het bestand is groter dan 10 MB.")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _xlsx_rows(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KaartImportRejected(
            "Het bestand is geen UTF-8-tekst. Sla het op als 'CSV UTF-8 (door komma's gescheiden)'."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise KaartImportRejected("De kopregel is onleesbaar.") from None
    if len(header) == 1 and ";" in header[0]:
        raise KaartImportRejected("Het scheidingsteken is een puntkomma; gebruik een komma.")
    _check_header(header)
    rows = []
    for record in reader:
        rows.append((reader.line_num, dict(zip(header, record, strict=False))))
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise KaartImportRejected("Het bestand is geen leesbaar Excel-bestand (.xlsx).") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [str(h or "").strip() for h in next(rows)]
    except StopIteration:
        raise KaartImportRejected("Het bestand is leeg.") from None
    _check_header(header)
    out = []
    for number, values in enumerate(rows, start=2):
        cells = {
            h: ""
            if v is None
            else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
            for h, v in zip(header, values, strict=False)
        }
        out.append((number, cells))
    return out


def _check_header(header: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise KaartImportRejected(
            "De kopregel klopt niet (ontbrekend: "
            + ", ".join(missing)
            + "). Exporteer de sociale kaart voor een voorbeeld met de juiste kolommen."
        )


def _bool(line: _Line, column: str) -> bool:
    value = line.cells.get(column, "").strip().lower()
    if value in YES:
        return True
    if value not in NO:
        line.problems.append(LineProblem(line.line, column, "gebruik ja of nee"))
    return False


def _int_or_none(line: _Line, column: str) -> int | None:
    value = line.cells.get(column, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        line.problems.append(LineProblem(line.line, column, f"'{value[:10]}' is geen geheel getal"))
        return None


def _parse(number: int, raw: dict[str, str]) -> _Line:
    cells = {k: unescape_formula((v or "").strip()) for k, v in raw.items() if k}
    line = _Line(number, cells)
    line.location = LocationInput(
        name=cells.get("location_name", ""),
        remote=_bool(line, "remote"),
        address=cells.get("address", ""),
        postcode=cells.get("postcode", ""),
        municipality=cells.get("municipality", ""),
        served_area=cells.get("served_area", ""),
        served_province=cells.get("served_province", ""),
        served_table=_int_or_none(line, "served_table"),
        phone=cells.get("phone", ""),
        email=cells.get("email", ""),
        website=cells.get("website", ""),
        opening_hours=cells.get("opening_hours", ""),
        accessibility=cells.get("accessibility", ""),
    )
    line.offer = OfferInput(
        kind=cells.get("kind", ""),
        name=cells.get("offer_name", ""),
        financing=cells.get("financing", ""),
        access=cells.get("access", ""),
        description=cells.get("description", ""),
        diagnosis_groups=[g for g in cells.get("diagnosis_groups", "").split(";") if g.strip()],
        age_min=_int_or_none(line, "age_min"),
        age_max=_int_or_none(line, "age_max"),
        lvb=_bool(line, "lvb"),
        forensic=_bool(line, "forensic"),
        stated_wait_weeks=_int_or_none(line, "expected_wait_weeks"),
    )
    return line


_FIELD_COLUMN = {"name": "location_name", "served_table": "served_table"}
_OFFER_COLUMN = {"name": "offer_name", "stated_wait_weeks": "expected_wait_weeks"}


def kaart_import(
    *, actor: Actor, organisation: Organisation, data: bytes, filename: str = ""
) -> KaartImportReport:
    """Create or update `organisation`'s locations and offers from a file; all or nothing."""
    require_editor(actor, organisation.pk, what=f"import ({organisation.pk})")
    rows = _read_rows(data, filename)
    rows = [(n, r) for n, r in rows if any((v or "").strip() for v in r.values())]
    if not rows:
        raise KaartImportRejected("Het bestand bevat geen gegevensregels.")
    if len(rows) > MAX_ROWS:
        raise KaartImportRejected(f"Het bestand heeft meer dan {MAX_ROWS} regels; splits het op.")
    ref = ReferenceData()
    own_locations = {
        str(pk): pk
        for pk in Location.objects.filter(organisation=organisation).values_list("pk", flat=True)
    }
    own_offers = dict(
        Offer.objects.filter(location__organisation=organisation).values_list("pk", "location_id")
    )
    lines = [_parse(n, r) for n, r in rows]
    problems: list[LineProblem] = []
    first_of_location: dict[str, _Line] = {}
    seen_offers: dict[str, int] = {}
    for line in lines:
        assert line.location is not None and line.offer is not None
        loc_id = line.cells.get("location_id", "")
        if loc_id and loc_id not in own_locations:
            line.problems.append(
                LineProblem(
                    line.line,
                    "location_id",
                    f"locatie {loc_id[:10]} hoort niet bij {organisation.name}",
                )
            )
        offer_id = line.cells.get("offer_id", "")
        if offer_id:
            if not offer_id.isdigit() or int(offer_id) not in own_offers:
                line.problems.append(
                    LineProblem(
                        line.line,
                        "offer_id",
                        f"aanbod {offer_id[:10]} hoort niet bij {organisation.name}",
                    )
                )
            elif offer_id in seen_offers:
                line.problems.append(
                    LineProblem(
                        line.line,
                        "offer_id",
                        f"aanbod {offer_id} staat ook op regel {seen_offers[offer_id]}",
                    )
                )
            else:
                seen_offers[offer_id] = line.line
        line.location_key = (
            f"id:{loc_id}" if loc_id else f"new:{line.location.name.strip().lower()}"
        )
        for p in location_values(line.location, ref)[1]:
            line.problems.append(
                LineProblem(line.line, _FIELD_COLUMN.get(p.field, p.field), p.message)
            )
        for p in offer_values(line.offer, ref)[1]:
            line.problems.append(
                LineProblem(line.line, _OFFER_COLUMN.get(p.field, p.field), p.message)
            )
        first = first_of_location.setdefault(line.location_key, line)
        if first is not line:
            differs = [
                c for c in LOCATION_COLUMNS if first.cells.get(c, "") != line.cells.get(c, "")
            ]
            if differs:
                line.problems.append(
                    LineProblem(
                        line.line,
                        differs[0],
                        f"deze locatie staat op regel {first.line} met andere gegevens "
                        f"({', '.join(differs)})",
                    )
                )
        problems.extend(line.problems)
    if problems:
        count = len({p.line for p in problems})
        raise KaartImportRejected(
            f"Het bestand is niet geïmporteerd: {count} regel{'s' if count != 1 else ''} met fouten.",
            problems,
        )
    report = KaartImportReport(lines=len(lines))
    with transaction.atomic():
        saved: dict[str, Location] = {}
        for line in lines:
            assert line.location is not None and line.offer is not None
            location = saved.get(line.location_key)
            if location is None:
                existing = None
                if line.location_key.startswith("id:"):
                    existing = Location.objects.get(pk=int(line.location_key[3:]))
                location = location_save(
                    actor=actor,
                    organisation=organisation,
                    data=line.location,
                    location=existing,
                    ref=ref,
                    action=EntryChange.Action.IMPORT,
                )
                saved[line.location_key] = location
                if existing is None:
                    report.locations_created += 1
                else:
                    report.locations_updated += 1
            offer_id = line.cells.get("offer_id", "")
            offer = (
                Offer.objects.select_related("location").get(pk=int(offer_id)) if offer_id else None
            )
            offer_save(
                actor=actor,
                location=location,
                data=line.offer,
                offer=offer,
                ref=ref,
                action=EntryChange.Action.IMPORT,
            )
            if offer is None:
                report.offers_created += 1
            else:
                report.offers_updated += 1
    return report


def _yes(value: bool) -> str:
    return "ja" if value else "nee"


def export_rows(organisation: Organisation | None = None) -> list[dict[str, str]]:
    """One row per offer (and one per location without offers), in the import format."""
    locations = (
        Location.objects.select_related(
            "organisation", "municipality", "served_province", "served_table"
        )
        .prefetch_related("offers__diagnosis_groups")
        .order_by("organisation__name", "name", "pk")
    )
    if organisation is not None:
        locations = locations.filter(organisation=organisation)
    rows = []
    for loc in locations:
        base = {
            "location_id": str(loc.pk),
            "location_name": loc.name,
            "remote": _yes(loc.remote),
            "address": loc.address,
            "postcode": loc.postcode,
            "municipality": loc.municipality.code if loc.municipality else "",
            "served_area": loc.served_area,
            "served_province": loc.served_province.code if loc.served_province else "",
            "served_table": str(loc.served_table.number) if loc.served_table else "",
            "phone": loc.phone,
            "email": loc.email,
            "website": loc.website,
            "opening_hours": loc.opening_hours,
            "accessibility": loc.accessibility,
        }
        offers = sorted(loc.offers.all(), key=lambda o: (o.name, o.pk))
        if not offers:
            rows.append(base | {c: "" for c in COLUMNS if c not in base})
        for o in offers:
            rows.append(
                base
                | {
                    "offer_id": str(o.pk),
                    "offer_name": o.name,
                    "kind": o.kind,
                    "description": o.description,
                    "diagnosis_groups": ";".join(sorted(g.code for g in o.diagnosis_groups.all())),
                    "age_min": "" if o.age_min is None else str(o.age_min),
                    "age_max": "" if o.age_max is None else str(o.age_max),
                    "lvb": _yes(o.lvb),
                    "forensic": _yes(o.forensic),
                    "financing": o.financing,
                    "access": o.access,
                    "expected_wait_weeks": ""
                    if o.stated_wait_weeks is None
                    else str(o.stated_wait_weeks),
                }
            )
    return [{k: escape_formula(v) for k, v in row.items()} for row in rows]


def write_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("sociale kaart")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
