"""Validation of one monitor record, shared by the CSV import, the questionnaire and the API.

Input is the import's text form (multi-answer fields as codes joined by `;`, empty for no
answer) or, from a form, lists of codes. The result says per column what is wrong, in Dutch, so
the import can report "line, column, problem" and the form can put the message next to a field.
Identifying fragments in open texts are returned separately: the questionnaire warns about them,
the import refuses them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from vangnet.common.validators import contains_markup
from vangnet.reference import questionnaire as codes

from .identifying import Finding, find_identifying

OPEN_TEXT_MAX = 2000
CASE_REF_MAX = 40
TABLE_NUMBERS = range(1, 9)
_CASE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/\-]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Answers that exclude every other answer to the same question.
EXCLUSIVE: dict[str, str] = {
    "goal_types": "none",
    "systemic_problems": "none",
    "danger": "no",
    "helped_by": "not_applicable",
}
REQUIRED = ("case_ref", "registration_date", "table", "outcome")

Raw = Mapping[str, "str | Sequence[str] | int | None"]


@dataclass
class Cleaned:
    values: dict[str, object] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    findings: dict[str, list[Finding]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value).strip()


def _codes_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return [_text(v) for v in value if _text(v)]  # type: ignore[attr-defined]


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, int):
        return False
    return not _codes_list(value)


def _allowed(question: codes.Question) -> str:
    return ", ".join(question.codes)


def clean_record(raw: Raw, *, today: date, require_identity: bool = True) -> Cleaned:
    """Validate one record. `require_identity=False` skips case_ref/date/table (the form)."""
    out = Cleaned()
    columns = codes.CSV_COLUMNS if require_identity else codes.CSV_COLUMNS[3:]
    for column in columns:
        value = raw.get(column)
        if column in REQUIRED and _is_empty(value):
            out.errors.append((column, "is verplicht"))
            continue
        if column == "case_ref":
            _clean_case_ref(_text(value), out)
        elif column == "registration_date":
            _clean_date(_text(value), out, today=today)
        elif column == "table":
            _clean_table(_text(value), out)
        elif column in codes.MULTI_KEYS:
            _clean_multi(column, value, out)
        elif column in codes.SINGLE_KEYS:
            _clean_single(column, value, out)
        elif column in codes.OPEN_KEYS:
            _clean_open(column, _text(value), out)
    return out


def case_ref_problem(value: str) -> str | None:
    """Why `value` cannot be a record's code, or None when it can."""
    if len(value) > CASE_REF_MAX:
        return f"is te lang (maximaal {CASE_REF_MAX} tekens)"
    if not _CASE_REF.fullmatch(value):
        return "mag alleen letters, cijfers en . _ / - bevatten (geen spaties)"
    if any(f.kind in {"bsn", "date", "phone"} for f in find_identifying(value)):
        return "lijkt een BSN, datum of telefoonnummer; gebruik een code"
    return None


def _clean_case_ref(value: str, out: Cleaned) -> None:
    problem = case_ref_problem(value)
    if problem is None:
        out.values["case_ref"] = value
    else:
        out.errors.append(("case_ref", problem))


def _clean_date(value: str, out: Cleaned, *, today: date) -> None:
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        parsed = date.fromisoformat(value)
    except ValueError:
        out.errors.append(("registration_date", f"‘{value}’ is geen datum (gebruik JJJJ-MM-DD)"))
        return
    if parsed > today:
        out.errors.append(("registration_date", f"{value} ligt in de toekomst"))
        return
    out.values["registration_date"] = parsed


def _clean_table(value: str, out: Cleaned) -> None:
    if not re.fullmatch(r"\d{1,2}", value) or int(value) not in TABLE_NUMBERS:
        out.errors.append(("table", f"‘{value}’ is geen tafelnummer (1 tot en met 8)"))
        return
    out.values["table"] = int(value)


def _clean_single(column: str, value: object, out: Cleaned) -> None:
    question = codes.QUESTION_BY_KEY[column]
    given = _codes_list(value)
    if len(given) > 1:
        out.errors.append(
            (column, f"meerdere antwoorden ({'; '.join(given)}) bij een vraag met één antwoord")
        )
        return
    code = given[0] if given else ""
    if code and code not in question.codes:
        out.errors.append((column, f"onbekende code ‘{code}’ (toegestaan: {_allowed(question)})"))
        return
    out.values[column] = code


def _clean_multi(column: str, value: object, out: Cleaned) -> None:
    question = codes.QUESTION_BY_KEY[column]
    given = _codes_list(value)
    unknown = [c for c in given if c not in question.codes]
    if unknown:
        out.errors.append(
            (
                column,
                f"onbekende code{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(f'‘{c}’' for c in unknown)} (toegestaan: {_allowed(question)})",
            )
        )
        return
    exclusive = EXCLUSIVE.get(column)
    if exclusive and exclusive in given and len(set(given)) > 1:
        out.errors.append((column, f"‘{exclusive}’ kan niet samen met andere antwoorden"))
        return
    # Canonical order: the order of the questionnaire, each code once.
    out.values[column] = [c for c in question.codes if c in given]


def _clean_open(column: str, value: str, out: Cleaned) -> None:
    if len(value) > OPEN_TEXT_MAX:
        out.errors.append((column, f"is te lang (maximaal {OPEN_TEXT_MAX} tekens)"))
        return
    if contains_markup(value):
        out.errors.append((column, "bevat HTML of script; gebruik gewone tekst"))
        return
    findings = find_identifying(value)
    if findings:
        out.findings[column] = findings
    out.values[column] = value
