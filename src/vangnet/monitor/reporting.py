"""Counting rules of the monitor report, on plain rows (no Django), with exact counts.

`json_report` is the report of `python -m vangnet monitor report --format json` and of the API:
exactly the keys of issue 5. Counting rules:
- a record belongs to a year by its registration date;
- `outcomes` lists every outcome code, zeros included;
- `offer_not_accepted` counts new offers where `patient_agreed` is `no` (seed 001: "vier patiënten
  niet akkoord gegaan met dat voorstel");
- `referrer_share` is per year the share of that year's registrations per referrer type, rounded
  to 3 decimals; a record without referrer type counts in the denominator only, so the shares of
  a year add up to less than 1 when referrer types are missing;
- `answers` counts cases (not answers): a case that gives a code counts once for it; codes nobody
  gave are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from vangnet.reference import questionnaire as codes

ANSWER_KEYS = (
    "stuck_reasons",
    "helped_by",
    "obstacles",
    "shortages",
    "dsm_groups",
    "age_cluster",
    "patient_involved",
)
TABLES = tuple(range(1, 9))


@dataclass(frozen=True)
class Row:
    """One monitor record as the report sees it."""

    registration_date: date
    table: int
    outcome: str
    referrer_type: str = ""
    patient_agreed: str = ""
    outcome_date: date | None = None
    answers: dict[str, object] = field(default_factory=dict, hash=False, compare=False)
    # The outcome follow-up after closure, by months after it (issue 16 §3).
    followups: dict[str, dict[str, object]] = field(default_factory=dict, hash=False, compare=False)

    @property
    def year(self) -> int:
        return self.registration_date.year

    def given(self, key: str) -> list[str]:
        """The codes this case gave for question `key` (one or none for single answers)."""
        if key == "outcome":
            return [self.outcome] if self.outcome else []
        if key == "referrer_type":
            return [self.referrer_type] if self.referrer_type else []
        if key == "patient_agreed":
            return [self.patient_agreed] if self.patient_agreed else []
        value = self.answers.get(key)
        if isinstance(value, str):
            return [value] if value else []
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return []


def select(
    rows: Iterable[Row], *, year_from: int, year_to: int, table: int | None = None
) -> list[Row]:
    return [
        r for r in rows if year_from <= r.year <= year_to and (table is None or r.table == table)
    ]


def years(year_from: int, year_to: int) -> list[int]:
    return list(range(year_from, year_to + 1))


def count_codes(rows: Sequence[Row], key: str) -> Counter[str]:
    counter: Counter[str] = Counter()
    for r in rows:
        counter.update(set(r.given(key)))
    return counter


def json_report(
    rows: Iterable[Row], *, year_from: int, year_to: int, table: int | None = None
) -> dict[str, object]:
    if year_from > year_to:
        raise ValueError("year_from after year_to")
    selected = select(rows, year_from=year_from, year_to=year_to, table=table)
    by_year = Counter(r.year for r in selected)
    outcomes = Counter(r.outcome for r in selected)
    referrer_share: dict[str, dict[str, float]] = {}
    for year in years(year_from, year_to):
        in_year = [r for r in selected if r.year == year]
        per_type = Counter(r.referrer_type for r in in_year)
        referrer_share[str(year)] = {
            code: (round(per_type[code] / len(in_year), 3) if in_year else 0.0)
            for code in codes.codes_of(codes.REFERRER_TYPES)
        }
    per_table = Counter(r.table for r in selected)
    answers: dict[str, dict[str, int]] = {}
    for key in ANSWER_KEYS:
        counted = count_codes(selected, key)
        question = codes.QUESTION_BY_KEY[key]
        answers[key] = {code: counted[code] for code in question.codes if counted[code]}
    return {
        "from": year_from,
        "to": year_to,
        "registered": len(selected),
        "by_year": {str(y): by_year[y] for y in years(year_from, year_to)},
        "outcomes": {code: outcomes[code] for code in codes.codes_of(codes.OUTCOMES)},
        "offer_not_accepted": sum(
            1 for r in selected if r.outcome == "new_offer" and r.patient_agreed == "no"
        ),
        "referrer_share": referrer_share,
        "per_table": {str(t): per_table[t] for t in TABLES},
        "answers": answers,
    }


# Lead time from registration to outcome, in buckets of months (30.4 days).
LEAD_TIME_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("Korter dan 1 maand", 0, 30),
    ("1 tot 3 maanden", 31, 91),
    ("3 tot 6 maanden", 92, 182),
    ("6 tot 12 maanden", 183, 365),
    ("12 maanden of langer", 366, None),
)


def lead_days(rows: Iterable[Row]) -> list[int]:
    return [
        (r.outcome_date - r.registration_date).days
        for r in rows
        if r.outcome_date is not None and r.outcome in codes.CLOSED_OUTCOMES
    ]


def lead_time_buckets(days: Sequence[int]) -> list[int]:
    return [
        sum(1 for d in days if d >= low and (high is None or d <= high))
        for _, low, high in LEAD_TIME_BUCKETS
    ]


def median_days(days: Sequence[int]) -> float | None:
    return float(median(days)) if days else None


def followup_counts(rows: Iterable[Row], key: str, options: Sequence[str]) -> list[list[int]]:
    """Per option (rows) and moment (3, 12 months: columns): how many cases gave it. `key` is
    "answer" (one per case) or "reasons" (several per case)."""
    from vangnet.reference import outcome_followup as vocab

    counts: Counter[tuple[str, int]] = Counter()
    for r in rows:
        for months in vocab.MONTHS:
            given = r.followups.get(str(months)) or {}
            value = given.get(key)
            values = value if isinstance(value, list) else [value] if value else []
            for code in set(values):
                counts[(str(code), months)] += 1
    return [[counts[(code, m)] for m in vocab.MONTHS] for code in options]
