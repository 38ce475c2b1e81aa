"""Providers' published waiting times in the NZa/MediQuest format (Transparantieregeling).

The source (e.g. `nza_wachttijden_ggz_2016`, NZa, CC0) is `;`-separated with R-style quoting,
`NA` for missing values and waiting times as text: weeks with decimal commas (`2,5`), `-`,
`stop`/`Stop`, empty, and free text (`in overleg`, `geen intakes`). This module reads it
without Django:

* A waiting time is a number of weeks, a **stop** (kept as a stop, never as a number), or
  unusable with a reason (empty, `-`, text, implausible).
* A row is used when at least one of its two waiting times is a number or a stop; every other
  row is counted by reason in the report, never silently dropped.
* The region comes from the location's municipality: a `gm_code` column where the file has one,
  otherwise the place name matched to a municipality name, then to a woonplaats of the Kadaster's
  2012 woonplaats-gemeente table (`data/woonplaats_gemeente_2012.csv`) whose municipality still
  exists. Rows whose place cannot be resolved keep no region and are counted as such; they still
  count nationally.

`summarise` aggregates per circuit × care type × diagnosis group × region: locations, unweighted
mean and median of aanmeld-, behandel- and total waiting time, locations over the Treeknorm
(4, 10, 14 weeks) and stops.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from vangnet.common.csvtext import csv_error_message

# Treeknorm ggz in weeks (NZa, Informatiekaart wachttijden ggz): registration to intake,
# intake to treatment, and the two together.
NORM_REGISTRATION_WEEKS = 4
NORM_TREATMENT_WEEKS = 10
NORM_TOTAL_WEEKS = 14
# More than five years' wait is a typing error, not a waiting time.
MAX_WEEKS = Decimal(260)

REQUIRED_COLUMNS = ("Aanmeldtijd", "Behandeltijd")
DIAGNOSIS_COLUMNS = ("Hoofddiagnosegroep", "hoofddiagnosegroep", "Diagnosegroep", "diagnosegroep")
UNKNOWN = "onbekend"

# Official alternative names of municipalities that sources use instead of the CBS name.
NAME_ALIASES = {"den haag": "'s-gravenhage", "den bosch": "'s-hertogenbosch"}

PLACES_CSV = Path(__file__).resolve().parent / "data" / "woonplaats_gemeente_2012.csv"

_NUMBER = re.compile(r"^\d+([.,]\d+)?$")


class PublishedFileProblem(ValueError):
    """The file as a whole cannot be read (message in Dutch)."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Weeks:
    """A parsed waiting time: a number, a stop, or unusable with a reason."""

    value: Decimal | None = None
    stop: bool = False
    problem: str = ""

    @property
    def usable(self) -> bool:
        return self.value is not None or self.stop


def parse_weeks(text: str | None) -> Weeks:
    raw = (text or "").strip()
    if raw == "" or raw == "NA":
        return Weeks(problem="leeg")
    if raw == "-":
        return Weeks(problem="streepje (-)")
    if raw.lower() == "stop":
        return Weeks(stop=True)
    if _NUMBER.fullmatch(raw):
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return Weeks(problem="geen getal")
        if value > MAX_WEEKS:
            return Weeks(problem=f"onwaarschijnlijk (meer dan {MAX_WEEKS} weken)")
        return Weeks(value=value)
    return Weeks(problem=f"tekst '{raw.lower()[:40]}'")


_PROVINCE_SUFFIX = re.compile(r"\s+(zh|nh|gld|gl|lb|l|ov|o|ut|u|nb|gn|fr|dr|zl|z)\.?$")


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").strip().lower()
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)  # CBS suffixes such as "Hengelo (O.)"
    text = _PROVINCE_SUFFIX.sub("", text)  # address style: "RIJSWIJK ZH", "Hengelo Ov."
    text = text.replace("’", "'").replace("`", "'")
    text = re.sub(r"\s+", " ", text)
    return NAME_ALIASES.get(text, text)


def municipality_name_index(names: Iterable[tuple[str, int]]) -> dict[str, int | None]:
    """Normalised municipality name -> id; None where two municipalities share the name."""
    index: dict[str, int | None] = {}
    for name, mid in names:
        key = normalise_name(name)
        index[key] = None if key in index and index[key] != mid else mid
    return index


def place_index(
    rows: Iterable[Mapping[str, str]], municipality_ids: Mapping[str, int]
) -> dict[str, int | None]:
    """Normalised woonplaats -> municipality id, from rows with `woonplaats` and
    `gemeentecode_gm`; None where the name is ambiguous. Places whose (2012) municipality no
    longer exists are left out: their successor is not in the table."""
    found: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        mid = municipality_ids.get(row["gemeentecode_gm"])
        key = normalise_name(row["woonplaats"])
        found[key].add(mid if mid is not None else -1)
    return {k: next(iter(v)) if len(v) == 1 and -1 not in v else None for k, v in found.items()}


def read_places() -> list[dict[str, str]]:
    with PLACES_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def diagnosis_group_index(groups: Iterable[tuple[str, str, int]]) -> dict[str, int]:
    index: dict[str, int] = {}
    for code, name, gid in groups:
        index[code.lower()] = gid
        index[normalise_name(name)] = gid
    return index


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        # The NZa publishes these files as ISO-8859-1; every byte is a character there.
        return data.decode("cp1252", errors="replace"), "Windows-1252/ISO-8859-1"


def _parse_date(text: str) -> date | None:
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4})", (text or "").strip())
    if match:
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _locate(
    names: list[str],
    municipality_names: Mapping[str, int | None],
    places: Mapping[str, int | None],
) -> tuple[int | None, str]:
    keys = [normalise_name(n) for n in names if n and n != "-"]
    for key in keys:
        if municipality_names.get(key) is not None:
            return municipality_names[key], "regio via gemeentenaam"
    for key in keys:
        if places.get(key) is not None:
            return places[key], "regio via woonplaats (Kadaster 2012)"
    if not keys:
        return None, "geen plaats: geen regio"
    return None, "plaats niet eenduidig te herleiden tot een huidige gemeente: geen regio"


def _gm_code(value: str) -> str:
    value = (value or "").strip().upper()
    if re.fullmatch(r"\d{1,4}", value):
        return f"GM{int(value):04d}"
    return value


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


def parse(
    data: bytes,
    *,
    municipalities: Mapping[str, int],
    municipality_names: Mapping[str, int | None],
    places: Mapping[str, int | None] | None = None,
    diagnosis_groups: Mapping[str, int],
) -> Parsed:
    """Parse a published waiting-time file into model field values plus a report by reason."""
    if not data.strip():
        raise PublishedFileProblem("Het bestand is leeg.")
    text, encoding = _decode(data)
    first = text.split("\n", 1)[0]
    if first.count(";") == 0:
        raise PublishedFileProblem(
            "Het bestand is niet gescheiden door puntkomma's (NZa/MediQuest-formaat verwacht)."
        )
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    try:
        columns = [c or "" for c in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise PublishedFileProblem(f"Regel 1: {csv_error_message(exc)}.") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise PublishedFileProblem(
            "De kolommen " + ", ".join(missing) + " ontbreken; is dit een wachttijdenbestand "
            "van de NZa (Transparantieregeling)?"
        )
    diag_column = next((c for c in DIAGNOSIS_COLUMNS if c in columns), None)
    out = Parsed()
    unusable: Counter[str] = Counter()
    field_problems: dict[str, Counter[str]] = {"aanmeldtijd": Counter(), "behandeltijd": Counter()}
    notes: Counter[str] = Counter()
    total = 0
    try:
        for record in reader:
            total += 1
            line = reader.line_num

            def get(name: str, record: dict[str, Any] = record) -> str:
                value = record.get(name)
                return "" if value is None or value == "NA" else str(value).strip()

            reg = parse_weeks(get("Aanmeldtijd"))
            treat = parse_weeks(get("Behandeltijd"))
            if not reg.usable:
                field_problems["aanmeldtijd"][reg.problem] += 1
            if not treat.usable:
                field_problems["behandeltijd"][treat.problem] += 1
            if not reg.usable and not treat.usable:
                unusable[
                    f"geen bruikbare wachttijd (aanmeldtijd {reg.problem}; behandeltijd {treat.problem})"
                ] += 1
                continue
            municipality_id = None
            gm = _gm_code(get("gm_code"))
            if gm:
                municipality_id = municipalities.get(gm)
                if municipality_id is None:
                    notes["gemeentecode onbekend"] += 1
            else:
                municipality_id, how = _locate(
                    [get("Plaats.zorgaanbieder"), get("PLAATS")], municipality_names, places or {}
                )
                notes[how] += 1
            group_id = None
            if diag_column:
                label = get(diag_column)
                group_id = diagnosis_groups.get(label.lower()) or diagnosis_groups.get(
                    normalise_name(label)
                )
                if label and group_id is None:
                    notes["diagnosegroep onbekend"] += 1
            circuit = get("Circuit") or UNKNOWN
            care_type = get("Type.GGZ") or UNKNOWN
            if circuit == UNKNOWN:
                notes["circuit ontbreekt"] += 1
            if care_type == UNKNOWN:
                notes["type ggz ontbreekt"] += 1
            peil_text = get("Peildatum")
            peildatum = _parse_date(peil_text) if peil_text else None
            if peil_text and peildatum is None:
                notes["peildatum onleesbaar"] += 1
            if reg.stop or treat.stop:
                notes["patiëntenstop"] += 1
            out.rows.append(
                {
                    "line": line,
                    "row_id": get("ROW_ID")[:40],
                    "provider_agb": re.sub(r"\D", "", get("AGBCODE_INDIENER"))[:8],
                    "provider_name": (get("Naam.zorgaanbieder") or get("NAAM"))[:200],
                    "location": get("Vestigingslocatie")[:200],
                    "postcode": get("POSTCODE").replace(" ", "")[:7],
                    "place": (get("Plaats.zorgaanbieder") or get("PLAATS"))[:100],
                    "municipality_id": municipality_id,
                    "care_type": care_type[:40],
                    "circuit": circuit[:40],
                    "diagnosis_group_id": group_id,
                    "registration_weeks": reg.value,
                    "treatment_weeks": treat.value,
                    "registration_stop": reg.stop,
                    "treatment_stop": treat.stop,
                    "peildatum": peildatum,
                }
            )
    except csv.Error as exc:
        # A field over the size limit or broken quoting: name the line, import nothing.
        raise PublishedFileProblem(
            f"Regel {reader.line_num + 1}: {csv_error_message(exc)}."
        ) from None
    if total == 0:
        raise PublishedFileProblem("Het bestand bevat alleen een kopregel.")
    out.report = {
        "encoding": encoding,
        "rows_total": total,
        "rows_used": len(out.rows),
        "rows_unusable": total - len(out.rows),
        "unusable_by_reason": dict(unusable.most_common()),
        "field_problems": {k: dict(v.most_common()) for k, v in field_problems.items()},
        "notes": dict(notes.most_common()),
    }
    return out


# ------------------------------------------------------------------------------------------
# Aggregation


@dataclass(frozen=True)
class SummaryRow:
    circuit: str
    care_type: str
    diagnosis_group: str
    region: str
    locations: int
    registration_n: int
    registration_mean: float | None
    registration_median: float | None
    treatment_n: int
    treatment_mean: float | None
    treatment_median: float | None
    total_n: int
    total_mean: float | None
    total_median: float | None
    over_norm_registration: int
    over_norm_treatment: int
    over_norm_total: int
    registration_stops: int
    treatment_stops: int


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _median(values: list[float]) -> float | None:
    return round(float(statistics.median(values)), 2) if values else None


def summarise(
    rows: Iterable[Mapping[str, Any]],
    *,
    region_of_municipality: Mapping[int, str] | None,
    by: tuple[str, ...] = ("circuit", "care_type", "diagnosis_group", "region"),
) -> list[SummaryRow]:
    """Aggregate published rows (dicts with the model's fields plus `diagnosis_group` as a code).

    `region_of_municipality` maps municipality id to region code; None aggregates nationally
    (region "NL"). Rows without a region form the region "onbekend". `by` chooses which of the
    four dimensions to keep; the others are reported as "alle".
    """
    groups: dict[tuple[str, str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        if region_of_municipality is None:
            region = "NL"
        else:
            region = region_of_municipality.get(row.get("municipality_id") or -1, UNKNOWN)
        key = (
            row["circuit"] if "circuit" in by else "alle",
            row["care_type"] if "care_type" in by else "alle",
            (row.get("diagnosis_group") or UNKNOWN) if "diagnosis_group" in by else "alle",
            region if "region" in by else "alle",
        )
        groups[key].append(row)
    out = []
    for key in sorted(groups):
        members = groups[key]
        reg = [
            float(r["registration_weeks"]) for r in members if r["registration_weeks"] is not None
        ]
        treat = [float(r["treatment_weeks"]) for r in members if r["treatment_weeks"] is not None]
        total = [
            float(r["registration_weeks"]) + float(r["treatment_weeks"])
            for r in members
            if r["registration_weeks"] is not None and r["treatment_weeks"] is not None
        ]
        out.append(
            SummaryRow(
                circuit=key[0],
                care_type=key[1],
                diagnosis_group=key[2],
                region=key[3],
                locations=len(members),
                registration_n=len(reg),
                registration_mean=_mean(reg),
                registration_median=_median(reg),
                treatment_n=len(treat),
                treatment_mean=_mean(treat),
                treatment_median=_median(treat),
                total_n=len(total),
                total_mean=_mean(total),
                total_median=_median(total),
                over_norm_registration=sum(v > NORM_REGISTRATION_WEEKS for v in reg),
                over_norm_treatment=sum(v > NORM_TREATMENT_WEEKS for v in treat),
                over_norm_total=sum(v > NORM_TOTAL_WEEKS for v in total),
                registration_stops=sum(bool(r["registration_stop"]) for r in members),
                treatment_stops=sum(bool(r["treatment_stop"]) for r in members),
            )
        )
    return out
