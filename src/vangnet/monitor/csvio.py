"""The monitor file format: CSV (and XLSX for export) in the columns of issue 5.

Import parsing reports every bad line with its line number (the header is line 1), the column
and what is wrong; nothing here writes to the database.

CSV injection: on export an open text that starts with = + - or @ (which a spreadsheet would
run as a formula) gets a leading apostrophe, and so does one that already starts with
apostrophes followed by such a character. The import removes exactly one such apostrophe, so
exporting and importing again gives back the same text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from vangnet.common.csvtext import csv_error_message
from vangnet.common.spreadsheet import escape_formula, unescape_formula
from vangnet.reference import questionnaire as codes

from .validation import Cleaned, clean_record

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass(frozen=True)
class LineError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"regel {self.line}" + (f", kolom {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ParsedLine:
    line: int
    cleaned: Cleaned


def parse(content: bytes, *, today: date) -> tuple[list[ParsedLine], list[LineError]]:
    """Parse and validate a whole file. Every problem is reported, not just the first."""
    if len(content) > MAX_BYTES:
        return [], [LineError(0, "", f"het bestand is groter dan {MAX_BYTES // 1024 // 1024} MB")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [LineError(0, "", "het bestand is geen UTF-8-tekst (sla op als CSV UTF-8)")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], [LineError(1, "", "het bestand is leeg")]
    except csv.Error as exc:
        return [], [LineError(1, "", f"kopregel onleesbaar: {csv_error_message(exc)}")]
    errors: list[LineError] = []
    missing = [c for c in codes.CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c not in codes.CSV_COLUMNS]
    doubled = sorted({c for c in header if header.count(c) > 1})
    if missing:
        errors.append(LineError(1, "", f"kolommen ontbreken: {', '.join(missing)}"))
    if unknown:
        errors.append(LineError(1, "", f"onbekende kolommen: {', '.join(unknown)}"))
    if doubled:
        errors.append(LineError(1, "", f"kolommen staan er dubbel in: {', '.join(doubled)}"))
    if errors:
        return [], errors

    parsed: list[ParsedLine] = []
    first_line_of: dict[str, int] = {}
    count = 0
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(LineError(line, "", csv_error_message(exc)))
            break
        if not fields or all(not f.strip() for f in fields):
            continue
        count += 1
        if count > MAX_ROWS:
            errors.append(LineError(line, "", f"meer dan {MAX_ROWS} regels; splits het bestand"))
            break
        if len(fields) != len(header):
            errors.append(
                LineError(line, "", f"verwacht {len(header)} kolommen, gevonden {len(fields)}")
            )
            continue
        raw = dict(zip(header, fields, strict=True))
        for column in codes.OPEN_KEYS:
            raw[column] = unescape_formula(raw[column])
        cleaned = clean_record(raw, today=today)
        errors.extend(LineError(line, col, msg) for col, msg in cleaned.errors)
        # An import cannot ask "save anyway?": identifying text refuses the line.
        for column, findings in cleaned.findings.items():
            errors.extend(LineError(line, column, f.message) for f in findings)
        ref = cleaned.values.get("case_ref")
        if isinstance(ref, str):
            if ref in first_line_of:
                errors.append(
                    LineError(
                        line, "case_ref", f"‘{ref}’ staat ook al op regel {first_line_of[ref]}"
                    )
                )
            else:
                first_line_of[ref] = line
        parsed.append(ParsedLine(line, cleaned))
    if not parsed and not errors:
        errors.append(LineError(2, "", "het bestand bevat geen registraties"))
    return parsed, errors


def to_cells(values: Mapping[str, object]) -> dict[str, str]:
    """One record's values as text cells: dates ISO, lists joined by `;`."""
    out: dict[str, str] = {}
    for column in codes.CSV_COLUMNS:
        value = values.get(column, "")
        if isinstance(value, list | tuple):
            out[column] = ";".join(str(v) for v in value)
        elif isinstance(value, date):
            out[column] = value.isoformat()
        elif value is None:
            out[column] = ""
        else:
            out[column] = str(value)
    return out


def write_csv(rows: Iterable[Mapping[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(codes.CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(_safe(to_cells(row)))
    return buffer.getvalue()


def write_xlsx(rows: Iterable[Mapping[str, object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("monitor")
    sheet.append(list(codes.CSV_COLUMNS))
    for row in rows:
        cells = _safe(to_cells(row))
        sheet.append([cells[c] for c in codes.CSV_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Text a spreadsheet would run as a formula, possibly behind apostrophes we added before.
def _safe(cells: dict[str, str]) -> dict[str, str]:
    return {k: (escape_formula(v) if k in codes.OPEN_KEYS else v) for k, v in cells.items()}
