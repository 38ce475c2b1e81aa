"""Reading and checking providers' waiting-list files (CSV or Parquet). No database writes here:
`services.submission_import` stores what this module accepted.

Every problem is reported with its line (CSV: the physical line, the header being line 1;
Parquet: the data row), its column and a Dutch message; a file with any problem imports nothing.
File-level problems (encoding, delimiter, header, empty file) raise `FileProblem`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from vangnet.common.csvtext import FIELD_LIMIT_BYTES, csv_error_message

from .pseudonymise import PSEUDONYM_PATTERN, looks_like_bsn

PSEUDONYM_RE = re.compile(PSEUDONYM_PATTERN)

COLUMNS = (
    "person_pseudonym",
    "provider_agb",
    "municipality_code",
    "diagnosis_group",
    "registration_date",
    "intake_date",
    "treatment_start_date",
    "exit_date",
    "preferred_provider",
)
DATE_COLUMNS = ("registration_date", "intake_date", "treatment_start_date", "exit_date")
# Columns that must never reach Vangnet: the file is refused as a whole.
FORBIDDEN_COLUMNS = {"bsn", "burgerservicenummer", "naam", "name", "geboortedatum", "birth_date"}
EARLIEST_DATE = date(1990, 1, 1)

_PSEUDONYM_CHARS = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DUTCH_DATE = re.compile(r"^\d{1,2}[-/]\d{1,2}[-/]\d{4}$")
_AGB = re.compile(r"^\d{8}$")
_GM = re.compile(r"^GM\d{4}$")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")

LABELS = {
    "person_pseudonym": "pseudoniem",
    "provider_agb": "AGB-code aanbieder",
    "municipality_code": "gemeentecode",
    "diagnosis_group": "diagnosegroep",
    "registration_date": "aanmelddatum",
    "intake_date": "intakedatum",
    "treatment_start_date": "startdatum behandeling",
    "exit_date": "uitschrijfdatum",
    "preferred_provider": "voorkeursaanbieder",
}


class FileProblem(ValueError):
    """The file as a whole cannot be read (message in Dutch, without file contents)."""


@dataclass(frozen=True)
class LineError:
    line: int
    column: str
    message: str

    def as_text(self, unit: str = "regel") -> str:
        column = f", kolom {self.column}" if self.column else ""
        return f"{unit} {self.line}{column}: {self.message}"


@dataclass(frozen=True)
class CleanRow:
    line: int
    person_pseudonym: str
    provider_id: int
    municipality_id: int
    diagnosis_group_id: int
    registration_date: date
    intake_date: date | None
    treatment_start_date: date | None
    exit_date: date | None
    preferred_provider: bool

    def ends_before(self, day: date) -> bool:
        """Left the waiting list (treatment start or exit) before `day`."""
        ends = [d for d in (self.treatment_start_date, self.exit_date) if d is not None]
        return bool(ends) and min(ends) < day


@dataclass(frozen=True)
class Vocabulary:
    """What the checks need from the database: known providers, municipalities and groups."""

    providers: Mapping[str, int]  # AGB code -> organisation id
    municipalities: Mapping[str, int]  # GMxxxx -> municipality id
    diagnosis_groups: Mapping[str, int]  # code -> diagnosis group id


@dataclass
class CheckResult:
    rows: list[CleanRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    unit: str = "regel"
    period: date | None = None
    period_inferred: bool = False
    # The clean rows as columns (CLEAN_SCHEMA), what the store writes; `rows` is only filled by
    # the row-by-row path.
    frame: pl.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_period(value: str) -> date:
    match = _PERIOD.fullmatch(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise FileProblem(f"Periode {value!r} is ongeldig: gebruik JJJJ-MM, bijvoorbeeld 2024-03.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def period_end(period: date) -> date:
    """The last day of the period's month (its peildatum)."""
    first_next = date(period.year + period.month // 12, period.month % 12 + 1, 1)
    return date.fromordinal(first_next.toordinal() - 1)


# ------------------------------------------------------------------------------------------
# Reading


def read_rows(data: bytes, *, name: str) -> tuple[str, Iterator[tuple[int, dict[str, str]]]]:
    """Decode a CSV or Parquet file into (unit, rows of (line, values as text))."""
    if not data or not data.strip():
        raise FileProblem("Het bestand is leeg.")
    if name.lower().endswith(".parquet") or data[:4] == b"PAR1":
        return "rij", _parquet_rows(data)
    return "regel", _csv_rows(data)


def _check_header(header: list[str]) -> None:
    lowered = {h.lower() for h in header}
    forbidden = sorted(lowered & FORBIDDEN_COLUMNS)
    if forbidden:
        raise FileProblem(
            f"Het bestand bevat de kolom {forbidden[0]!r}. Vangnet ontvangt geen BSN of andere "
            "direct identificerende gegevens: pseudonimiseer eerst met "
            "'python -m vangnet waitlists pseudonymise'."
        )
    missing = [c for c in COLUMNS if c not in header]
    extra = [h for h in header if h not in COLUMNS]
    duplicate = sorted({h for h in header if header.count(h) > 1})
    problems = []
    if missing:
        problems.append("ontbrekende kolommen: " + ", ".join(missing))
    if extra:
        problems.append("onbekende kolommen: " + ", ".join(extra))
    if duplicate:
        problems.append("dubbele kolommen: " + ", ".join(duplicate))
    if problems:
        raise FileProblem(
            "De kopregel klopt niet ("
            + "; ".join(problems)
            + "). Verwacht: "
            + ",".join(COLUMNS)
            + "."
        )


def _csv_rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    text, header = _csv_prelude(data)
    return _csv_body(text, header)


def _csv_prelude(data: bytes) -> tuple[str, list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(
            f"Het bestand is geen UTF-8-tekst (eerste onleesbare teken op regel {line}). "
            "Sla het op als 'CSV UTF-8 (door komma's gescheiden)'."
        ) from None
    if "\x00" in text:
        raise FileProblem("Het bestand bevat binaire gegevens; lever een CSV- of Parquet-bestand.")
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        header = [h.strip() for h in next(csv.reader([first]))]
    except csv.Error as exc:
        raise FileProblem(f"De kopregel is onleesbaar: {csv_error_message(exc)}.") from None
    if len(header) == 1:
        for delimiter, label in ((";", "puntkomma"), ("\t", "tab"), ("|", "verticale streep")):
            if delimiter in first:
                raise FileProblem(
                    f"Het scheidingsteken is een {label}; gebruik een komma (CSV volgens RFC 4180)."
                )
    _check_header(header)
    return text, header


def _csv_body(text: str, header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader cannot say where the broken field ends, so later lines are unreliable:
            # report this line and stop (the import is refused as a whole anyway).
            yield line, {"__line__": csv_error_message(exc)}
            return
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield (
                reader.line_num,
                {"__width__": f"{len(row)} velden in plaats van {len(header)}"},
            )
            continue
        yield reader.line_num, {h: v.strip() for h, v in zip(header, row, strict=True)}


def _parquet_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()[:10]
    return str(value).strip()


def _parquet_rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError):
        raise FileProblem("Het Parquet-bestand is beschadigd of onleesbaar.") from None
    header = list(table.column_names)
    _check_header(header)
    if table.num_rows == 0:
        raise FileProblem("Het bestand bevat geen gegevensregels.")
    return _parquet_body(table, header)


def _parquet_body(table: Any, header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    offset = 0
    for batch in table.to_batches(max_chunksize=10_000):
        cols = {h: batch.column(h).to_pylist() for h in header}
        for i in range(batch.num_rows):
            yield offset + i + 1, {h: _parquet_text(cols[h][i]) for h in header}
        offset += batch.num_rows


# ------------------------------------------------------------------------------------------
# Checking


def _date(value: str, column: str, errors: list[LineError], line: int) -> date | None:
    if value == "":
        if column == "registration_date":
            errors.append(LineError(line, column, "aanmelddatum ontbreekt"))
        return None
    if not _ISO_DATE.fullmatch(value):
        hint = " in plaats van DD-MM-JJJJ" if _DUTCH_DATE.fullmatch(value) else ""
        errors.append(LineError(line, column, f"geen geldige datum (gebruik JJJJ-MM-DD{hint})"))
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors.append(LineError(line, column, "deze datum bestaat niet"))
        return None
    if day < EARLIEST_DATE:
        errors.append(LineError(line, column, f"datum vóór {EARLIEST_DATE:%Y} is niet aannemelijk"))
        return None
    return day


def _check_one(
    line: int,
    values: dict[str, str],
    vocabulary: Vocabulary,
    allowed_provider_ids: set[int] | None,
) -> tuple[list[LineError], CleanRow | None, bool]:
    """One row's problems (all but duplicates), the row if it has none, and whether its
    registration date is valid (a row takes part in the duplicate check only then)."""
    errors: list[LineError] = []
    if any(len(v) > FIELD_LIMIT_BYTES for v in values.values()):
        # The columnar reader has no field limit; say what the row-by-row reader would say.
        too_long = csv_error_message(csv.Error("field larger than field limit"))
        return [LineError(line, "", too_long)], None, False
    pseudonym = values["person_pseudonym"]
    if not pseudonym:
        errors.append(LineError(line, "person_pseudonym", "pseudoniem ontbreekt"))
    elif looks_like_bsn(pseudonym):
        errors.append(
            LineError(
                line,
                "person_pseudonym",
                "dit lijkt een BSN; lever alleen pseudoniemen aan (waitlists pseudonymise)",
            )
        )
    elif not _PSEUDONYM_CHARS.fullmatch(pseudonym):
        errors.append(
            LineError(
                line,
                "person_pseudonym",
                "ongeldig pseudoniem: alleen letters, cijfers en _ . : - (maximaal 100 tekens)",
            )
        )
    agb = values["provider_agb"]
    provider_id = vocabulary.providers.get(agb)
    if not _AGB.fullmatch(agb):
        errors.append(LineError(line, "provider_agb", "een AGB-code bestaat uit 8 cijfers"))
    elif provider_id is None:
        errors.append(
            LineError(
                line,
                "provider_agb",
                f"onbekende aanbieder {agb}: registreer hem eerst (directory import)",
            )
        )
    elif allowed_provider_ids is not None and provider_id not in allowed_provider_ids:
        errors.append(
            LineError(line, "provider_agb", f"AGB-code {agb} hoort niet bij uw organisatie")
        )
    gm = values["municipality_code"]
    municipality_id = vocabulary.municipalities.get(gm)
    if not _GM.fullmatch(gm):
        errors.append(
            LineError(line, "municipality_code", "gemeentecode moet de vorm GMxxxx hebben")
        )
    elif municipality_id is None:
        errors.append(LineError(line, "municipality_code", f"onbekende gemeente {gm}"))
    group = values["diagnosis_group"]
    group_id = vocabulary.diagnosis_groups.get(group)
    if group_id is None:
        errors.append(
            LineError(
                line,
                "diagnosis_group",
                f"onbekende diagnosegroep {group[:40]!r}" if group else "diagnosegroep ontbreekt",
            )
        )
    dates = {c: _date(values[c], c, errors, line) for c in DATE_COLUMNS}
    reg, intake, start, exit_ = (dates[c] for c in DATE_COLUMNS)
    if reg is not None:
        if intake is not None and intake < reg:
            errors.append(LineError(line, "intake_date", "intakedatum ligt vóór aanmelddatum"))
        if start is not None and start < reg:
            errors.append(
                LineError(line, "treatment_start_date", "startdatum ligt vóór aanmelddatum")
            )
        if exit_ is not None and exit_ < reg:
            errors.append(LineError(line, "exit_date", "uitschrijfdatum ligt vóór aanmelddatum"))
    if intake is not None and start is not None and start < intake:
        errors.append(LineError(line, "treatment_start_date", "startdatum ligt vóór intakedatum"))
    if intake is not None and exit_ is not None and exit_ < intake:
        errors.append(LineError(line, "exit_date", "uitschrijfdatum ligt vóór intakedatum"))
    preferred = values["preferred_provider"]
    if preferred not in ("0", "1"):
        errors.append(LineError(line, "preferred_provider", "gebruik 0 of 1"))
    if errors:
        return errors, None, reg is not None
    assert reg is not None and provider_id is not None
    assert municipality_id is not None and group_id is not None
    row = CleanRow(
        line=line,
        person_pseudonym=pseudonym,
        provider_id=provider_id,
        municipality_id=municipality_id,
        diagnosis_group_id=group_id,
        registration_date=reg,
        intake_date=intake,
        treatment_start_date=start,
        exit_date=exit_,
        preferred_provider=preferred == "1",
    )
    return errors, row, True


def _duplicate_error(line: int, first: int, unit: str) -> LineError:
    return LineError(
        line,
        "",
        "dubbele registratie: zelfde persoon, aanbieder, diagnosegroep en "
        f"aanmelddatum als {unit} {first}",
    )


def check_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    vocabulary: Vocabulary,
    *,
    period: date | None = None,
    allowed_provider_ids: set[int] | None = None,
    unit: str = "regel",
) -> CheckResult:
    """Check every row, one at a time; with `period` None the period is the month of the latest
    date. The reference for `check_frame`, and the path for files it does not take."""
    result = CheckResult(unit=unit)
    seen: dict[tuple[str, str, str, str], int] = {}
    latest: date | None = None
    for line, values in rows:
        if "__line__" in values:
            result.errors.append(LineError(line, "", values["__line__"]))
            continue
        if "__width__" in values:
            result.errors.append(
                LineError(line, "", "verkeerd aantal velden: " + values["__width__"])
            )
            continue
        errors, clean, reg_ok = _check_one(line, values, vocabulary, allowed_provider_ids)
        if reg_ok and values["person_pseudonym"] and values["diagnosis_group"]:
            key = (
                values["person_pseudonym"],
                values["provider_agb"],
                values["diagnosis_group"],
                values["registration_date"],
            )
            if key in seen:
                errors.append(_duplicate_error(line, seen[key], unit))
            else:
                seen[key] = line
        if errors or clean is None:
            result.errors.extend(errors)
            continue
        for d in (
            clean.registration_date,
            clean.intake_date,
            clean.treatment_start_date,
            clean.exit_date,
        ):
            if d is not None and (latest is None or d > latest):
                latest = d
        result.rows.append(clean)
    if period is None and latest is not None:
        period = latest.replace(day=1)
        result.period_inferred = True
    result.period = period
    if period is not None:
        _check_period(result, period)
    if not result.rows and not result.errors:
        raise FileProblem("Het bestand bevat alleen een kopregel en geen gegevensregels.")
    result.frame = rows_frame(result.rows)
    return result


def _check_period(result: CheckResult, period: date) -> None:
    end = period_end(period)
    late = []
    for row in result.rows:
        for column in DATE_COLUMNS:
            value = getattr(row, column)
            if value is not None and value > end:
                late.append(
                    LineError(
                        row.line,
                        column,
                        f"{LABELS[column]} {value.isoformat()} ligt na het einde van de periode "
                        f"{period:%Y-%m}",
                    )
                )
    if late:
        result.errors.extend(late)
        result.errors.sort(key=lambda e: e.line)


# The content hash of a provider's rows (`Submission.content_sha256`), the same from both
# checking paths: SHA-256 of the version tag, the period, then the rows in the order person key,
# diagnosis group, registration date, line: first every row's integers (pseudonym length in
# bytes, HASHED_IDS, the dates as days since 1970 or NO_DATE, preferred) as little-endian int64,
# then the pseudonyms' bytes. Built from numbers and one byte buffer, a national month hashes
# in a second (`columnar.by_provider_with_hashes`); a text line per row took ten.
CONTENT_HASH_VERSION = b"v2|"
HASHED_IDS = ("provider_id", "municipality_id", "diagnosis_group_id")
NO_DATE = -(2**62)
_EPOCH = date(1970, 1, 1).toordinal()


def _day(value: date | None) -> int:
    return NO_DATE if value is None else value.toordinal() - _EPOCH


def content_hash(rows: Iterable[CleanRow], period: date) -> str:
    """Two files with the same rows hash the same, whatever their line order."""
    ordered = sorted(
        rows,
        key=lambda r: (
            person_key(r.person_pseudonym),
            r.diagnosis_group_id,
            r.registration_date,
            r.line,
        ),
    )
    pseudonyms = [r.person_pseudonym.encode() for r in ordered]
    numbers = [
        (
            len(p),
            r.provider_id,
            r.municipality_id,
            r.diagnosis_group_id,
            *(_day(getattr(r, c)) for c in DATE_COLUMNS),
            int(r.preferred_provider),
        )
        for p, r in zip(pseudonyms, ordered, strict=True)
    ]
    digest = hashlib.sha256(CONTENT_HASH_VERSION + period.isoformat().encode())
    digest.update(struct.pack(f"<{9 * len(numbers)}q", *(v for n in numbers for v in n)))
    digest.update(b"".join(pseudonyms))
    return digest.hexdigest()


def person_key(pseudonym: str) -> int:
    """The integer person code stored with each registration, stable across files, months and
    processes, so the engine's unique counts need no lookup table.

    A pseudonym of the production form ``v1:<64 hex>`` is already a keyed hash (HMAC-SHA-256):
    its last 15 hex digits (60 bits) are the key. Any other pseudonym is hashed (BLAKE2b, 62
    bits, negative so the two kinds never meet). Two persons share a key with probability
    ~n²/2⁶¹ (2·10⁻⁶ for a national month of 2.4 M persons), far below any published figure."""
    if PSEUDONYM_RE.fullmatch(pseudonym):
        return int(pseudonym[-15:], 16)
    digest = hashlib.blake2b(pseudonym.encode(), digest_size=8).digest()
    return -1 - (int.from_bytes(digest, "big") >> 2)


CLEAN_SCHEMA: dict[str, Any] = {
    "line": pl.Int64,
    "person_pseudonym": pl.String,
    "provider_id": pl.Int64,
    "municipality_id": pl.Int64,
    "diagnosis_group_id": pl.Int64,
    "registration_date": pl.Date,
    "intake_date": pl.Date,
    "treatment_start_date": pl.Date,
    "exit_date": pl.Date,
    "preferred_provider": pl.Boolean,
}


def rows_frame(rows: list[CleanRow]) -> pl.DataFrame:
    return pl.DataFrame(
        {name: [getattr(r, name) for r in rows] for name in CLEAN_SCHEMA}, schema=CLEAN_SCHEMA
    )
