"""Build :class:`Registrations` from database-shaped data (string codes, ISO dates).

Codes are factorised into dense integer codes; the :class:`Codebook` keeps the labels so that
engine output (integer codes) can be translated back. Pass fixed vocabularies (e.g. all 342
municipalities, the 14 diagnosis groups) to get stable codes across calls; a value outside a
fixed vocabulary is an error, because silently dropping registrations would falsify counts.

Dates may be ``datetime.date``/``datetime.datetime`` objects, ISO ``YYYY-MM-DD`` strings, or
``None``/``""`` for missing (intake, treatment start and exit only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vangnet.engines.waitcount.model import MISSING, Registrations

COLUMNS = (
    "person",
    "provider",
    "municipality",
    "diagnosis_group",
    "registration_date",
    "intake_date",
    "treatment_start_date",
    "exit_date",
    "preferred_provider",
)
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Codebook:
    """Labels of the integer codes: ``providers[code]`` is the provider's label, etc."""

    persons: list[str]
    providers: list[str]
    municipalities: list[str]
    diagnosis_groups: list[str]

    def region_of_municipality(
        self, region_by_municipality: Mapping[str, str], regions: Sequence[str]
    ) -> npt.NDArray[np.int32]:
        """The engine's ``region_of_municipality`` array: index of each municipality's region in
        ``regions``, -1 when the municipality has no region (or one not in ``regions``)."""
        pos = {r: i for i, r in enumerate(regions)}
        return np.array(
            [pos.get(region_by_municipality.get(m, ""), -1) for m in self.municipalities],
            dtype=np.int32,
        )


def _factorise(
    values: Sequence[Any], vocabulary: Sequence[str] | None, name: str
) -> tuple[npt.NDArray[np.int64], list[str]]:
    if vocabulary is None:
        labels = sorted({str(v) for v in values})
    else:
        labels = [str(v) for v in vocabulary]
    pos = {v: i for i, v in enumerate(labels)}
    try:
        codes = np.fromiter((pos[str(v)] for v in values), dtype=np.int64, count=len(values))
    except KeyError as exc:
        raise ValueError(f"{name} {exc.args[0]!r} is not in the given vocabulary") from None
    return codes, labels


def _day(value: Any, name: str, *, required: bool) -> int:
    if value is None or value == "":
        if required:
            raise ValueError(f"{name} is required")
        return MISSING
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return (value - _EPOCH).days
    return (dt.date.fromisoformat(str(value)) - _EPOCH).days


def registrations_from_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    providers: Sequence[str] | None = None,
    municipalities: Sequence[str] | None = None,
    diagnosis_groups: Sequence[str] | None = None,
) -> tuple[Registrations, Codebook]:
    """From dicts with the keys in :data:`COLUMNS` (e.g. ``queryset.values(...)``)."""
    cols: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    for row in rows:
        for c in COLUMNS:
            cols[c].append(row.get(c))
    return _build(cols, providers, municipalities, diagnosis_groups)


def registrations_from_table(
    table: Any,
    *,
    providers: Sequence[str] | None = None,
    municipalities: Sequence[str] | None = None,
    diagnosis_groups: Sequence[str] | None = None,
) -> tuple[Registrations, Codebook]:
    """From a pyarrow Table or polars DataFrame with the columns in :data:`COLUMNS`. Date
    columns may be of date type (nulls = missing) or ISO strings."""
    import pyarrow as pa  # lazily: only this helper needs it

    if not isinstance(table, pa.Table):
        table = table.to_arrow()  # polars DataFrame (and anything else with to_arrow)
    cols: dict[str, Any] = {}
    for c in COLUMNS:
        col = table.column(c)
        if c.endswith("_date") and pa.types.is_date(col.type):
            # Fast path: date32 is already days since the epoch; nulls become MISSING.
            days = col.cast(pa.date32()).cast(pa.int32()).fill_null(MISSING)
            if c == "registration_date" and col.null_count:
                raise ValueError("registration_date is required")
            cols[c] = days.to_numpy()
        else:
            cols[c] = col.to_pylist()
    return _build(cols, providers, municipalities, diagnosis_groups)


def _build(
    cols: Mapping[str, Any],
    providers: Sequence[str] | None,
    municipalities: Sequence[str] | None,
    diagnosis_groups: Sequence[str] | None,
) -> tuple[Registrations, Codebook]:
    person, person_labels = _factorise(cols["person"], None, "person")
    provider, provider_labels = _factorise(cols["provider"], providers, "provider")
    municipality, mun_labels = _factorise(cols["municipality"], municipalities, "municipality")
    group, group_labels = _factorise(cols["diagnosis_group"], diagnosis_groups, "diagnosis_group")
    dates = {}
    for c in ("registration_date", "intake_date", "treatment_start_date", "exit_date"):
        v = cols[c]
        if isinstance(v, np.ndarray):
            dates[c] = v.astype(np.int32)
        else:
            req = c == "registration_date"
            dates[c] = np.array([_day(x, c, required=req) for x in v], dtype=np.int32)
    regs = Registrations(
        person=person,
        provider=provider.astype(np.int32),
        municipality=municipality.astype(np.int32),
        diagnosis_group=group.astype(np.int16),
        preferred=np.array([bool(x) for x in cols["preferred_provider"]], dtype=np.bool_),
        **dates,
    )
    return regs, Codebook(person_labels, provider_labels, mun_labels, group_labels)
