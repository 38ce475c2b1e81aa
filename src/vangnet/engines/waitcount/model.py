"""Columnar data model of the waiting-count engine: input registrations and result tables.

Assumptions (the engine relies on them, :class:`Registrations` checks them):

* One row per waiting-list registration (aanmelding). All columns are 1-D numpy arrays of
  equal length; they are converted to the dtypes below (a no-op when they already have them).
* Codes are dense small integers: ``person`` in ``0..n_persons-1`` (pseudonyms factorised by
  :mod:`vangnet.engines.waitcount.build`), ``provider`` >= 0, ``diagnosis_group`` in
  ``0..n_groups-1``, ``municipality`` an index into the ``region_of_municipality`` array that
  every engine function takes.
* Dates are ``int32`` days since 1970-01-01 (the numpy ``datetime64[D]`` epoch). A missing date
  is :data:`MISSING` (the largest int32), which behaves like "in the far future": a missing
  treatment start never lies on or before any peildatum. This keeps all comparisons branch-free.
* A peildatum is the last day of a calendar month; months are given as ``(year, month)`` tuples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

#: Sentinel for a missing date. It sorts after every real date, so "not on or before the
#: peildatum" is simply ``date > peildatum`` for present and missing dates alike.
MISSING: int = int(np.iinfo(np.int32).max)

#: Norms (Treeknormen ggz): intake within 4 weeks, treatment within 10 weeks after intake.
INTAKE_NORM_DAYS = 28
TREATMENT_NORM_DAYS = 70

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def _as(arr: Any, dtype: type[np.generic], name: str) -> npt.NDArray[Any]:
    out = np.ascontiguousarray(arr, dtype=dtype)
    if out.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {out.shape}")
    return out


@dataclass(frozen=True)
class Registrations:
    """Waiting-list registrations, one element per registration in every array."""

    person: npt.NDArray[np.int64]
    provider: npt.NDArray[np.int32]
    municipality: npt.NDArray[np.int32]
    diagnosis_group: npt.NDArray[np.int16]
    registration_date: npt.NDArray[np.int32]
    intake_date: npt.NDArray[np.int32]
    treatment_start_date: npt.NDArray[np.int32]
    exit_date: npt.NDArray[np.int32]
    preferred: npt.NDArray[np.bool_]

    # Class-level constant, not a dataclass field (it has no annotation).
    _DTYPES = {
        "person": np.int64,
        "provider": np.int32,
        "municipality": np.int32,
        "diagnosis_group": np.int16,
        "registration_date": np.int32,
        "intake_date": np.int32,
        "treatment_start_date": np.int32,
        "exit_date": np.int32,
        "preferred": np.bool_,
    }

    def __post_init__(self) -> None:
        n = None
        for f in fields(self):
            arr = _as(getattr(self, f.name), self._DTYPES[f.name], f.name)
            if n is None:
                n = len(arr)
            elif len(arr) != n:
                raise ValueError(f"column {f.name} has length {len(arr)}, expected {n}")
            # Frozen dataclass: normalised arrays are stored once, at construction.
            object.__setattr__(self, f.name, arr)
        if n:
            for name in ("person", "provider", "diagnosis_group"):
                if int(getattr(self, name).min()) < 0:
                    raise ValueError(f"{name} codes must be >= 0")
            if int(self.registration_date.max()) == MISSING:
                raise ValueError("registration_date may not be missing")

    def __len__(self) -> int:
        return len(self.person)

    def take(self, index: npt.ArrayLike) -> Registrations:
        """Subset (or reorder) the rows, e.g. with a boolean mask."""
        return Registrations(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @classmethod
    def empty(cls) -> Registrations:
        return cls(**{name: np.empty(0, dtype) for name, dtype in cls._DTYPES.items()})


def peildatum(year: int, month: int) -> int:
    """The last day of the month as int32 days since 1970-01-01."""
    first_next = np.datetime64(f"{year:04d}-{month:02d}", "M") + 1
    return int(first_next.astype("datetime64[D]").astype(np.int64)) - 1


def month_start(year: int, month: int) -> int:
    """The first day of the month as days since 1970-01-01."""
    return int(
        np.datetime64(f"{year:04d}-{month:02d}", "M").astype("datetime64[D]").astype(np.int64)
    )


def normalise_months(months: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, de-duplicated, validated ``(year, month)`` list."""
    out = sorted({(int(y), int(m)) for y, m in months})
    for y, m in out:
        if not 1 <= m <= 12 or not 1900 <= y <= 2200:
            raise ValueError(f"invalid month {(y, m)}")
    return out


def month_range(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    """All months from ``start`` to ``end`` inclusive, e.g. ``month_range((2023, 1), (2024, 12))``."""
    a = start[0] * 12 + start[1] - 1
    b = end[0] * 12 + end[1] - 1
    return [(k // 12, k % 12 + 1) for k in range(a, b + 1)]


def date_to_days(value: str) -> int:
    """ISO date string ``YYYY-MM-DD`` to days since 1970-01-01."""
    return int(np.datetime64(value, "D").astype(np.int64))


def days_to_iso(days: int) -> str:
    return str(np.datetime64(int(days), "D"))


class _Table:
    """Shared helpers of the columnar result tables (frozen dataclasses of equal-length arrays)."""

    def columns(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(next(iter(self.columns().values())))

    def to_rows(self) -> list[dict[str, Any]]:
        """Plain Python rows (ints, floats, bools), e.g. for JSON or the Django ORM."""
        cols = {k: v.tolist() for k, v in self.columns().items()}
        names = list(cols)
        return [dict(zip(names, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]


@dataclass(frozen=True)
class CountTable(_Table):
    """Waiting counts per month × region × diagnosis group; only cells with waiting registrations,
    sorted by (year, month), region, diagnosis_group."""

    year: I32
    month: I32
    region: I32
    diagnosis_group: I32
    registrations_waiting: I64
    registrations_waiting_intake: I64
    registrations_waiting_treatment: I64
    persons_waiting: I64
    persons_multi_provider: I64
    persons_by_preference: I64
    over_norm_intake: I64
    over_norm_treatment: I64


@dataclass(frozen=True)
class FlowTable(_Table):
    """Intakes and treatment starts within each month per region × diagnosis group, with the
    realised waiting time (days) of those. Only cells with at least one intake or start; quantiles
    are NaN where the count is 0. Sorted by (year, month), region, diagnosis_group."""

    year: I32
    month: I32
    region: I32
    diagnosis_group: I32
    intakes: I64
    intake_wait_median: F64
    intake_wait_p80: F64
    intake_within_norm_share: F64
    treatment_starts: I64
    treatment_wait_median: F64
    treatment_wait_p80: F64
    treatment_within_norm_share: F64


@dataclass(frozen=True)
class ProviderWaitTable(_Table):
    """Per month × provider × diagnosis group: registrations waiting on the peildatum (all regions,
    also municipalities outside any region) and the median wait of those waiting for intake
    (peildatum - registration) and for treatment (peildatum - intake). Medians are NaN when no
    registration waits in that phase; the breach flags are then False. Sorted by (year, month),
    provider, diagnosis_group."""

    year: I32
    month: I32
    provider: I32
    diagnosis_group: I32
    waiting_intake: I64
    waiting_treatment: I64
    median_wait_intake: F64
    median_wait_treatment: F64
    breach_intake: npt.NDArray[np.bool_]
    breach_treatment: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TopProviderTable(_Table):
    """Per month × region the provider with the most waiting registrations over norm (intake +
    treatment) among its registrations in that region; ties go to the lowest provider code. Only
    regions/months where that number is > 0. Sorted by (year, month), region."""

    year: I32
    month: I32
    region: I32
    provider: I32
    over_norm: I64
    over_norm_intake: I64
    over_norm_treatment: I64
    registrations_waiting: I64


@dataclass(frozen=True)
class Hotspot:
    """A maximal run of consecutive calendar months in which a provider × diagnosis group breached
    a norm (its median wait above the norm)."""

    provider: int
    diagnosis_group: int
    norm: str  # "intake" or "treatment"
    start: tuple[int, int]
    end: tuple[int, int]
    length: int


def months_arrays(months: Sequence[tuple[int, int]]) -> tuple[I32, I32, I32]:
    """(years, months, peildata) arrays for an already normalised month list."""
    years = np.array([y for y, _ in months], dtype=np.int32)
    mons = np.array([m for _, m in months], dtype=np.int32)
    peil = np.array([peildatum(y, m) for y, m in months], dtype=np.int32)
    return years, mons, peil
