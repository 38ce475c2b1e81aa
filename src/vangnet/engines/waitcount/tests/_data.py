"""Small helpers to write test registrations readably (ISO dates, None for missing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from vangnet.engines.waitcount import CountTable, Registrations, date_to_days, waiting_counts
from vangnet.engines.waitcount.model import MISSING

# Municipalities 0 and 1 are in region 0, municipality 2 in region 1, municipality 3 in none.
ROM = np.array([0, 0, 1, -1], dtype=np.int32)


def row(
    person: int = 0,
    provider: int = 0,
    mun: int = 0,
    group: int = 0,
    reg: str = "2024-01-10",
    intake: str | None = None,
    start: str | None = None,
    exit_: str | None = None,
    pref: bool = False,
) -> dict[str, Any]:
    return {
        "person": person,
        "provider": provider,
        "municipality": mun,
        "diagnosis_group": group,
        "registration_date": reg,
        "intake_date": intake,
        "treatment_start_date": start,
        "exit_date": exit_,
        "preferred": pref,
    }


def _days(values: list[str | None]) -> np.ndarray:
    return np.array([MISSING if v is None else date_to_days(v) for v in values], np.int32)


def regs_of(rows: list[dict[str, Any]]) -> Registrations:
    if not rows:
        return Registrations.empty()
    col = {k: [r[k] for r in rows] for k in rows[0]}
    return Registrations(
        person=np.array(col["person"]),
        provider=np.array(col["provider"]),
        municipality=np.array(col["municipality"]),
        diagnosis_group=np.array(col["diagnosis_group"]),
        registration_date=_days(col["registration_date"]),
        intake_date=_days(col["intake_date"]),
        treatment_start_date=_days(col["treatment_start_date"]),
        exit_date=_days(col["exit_date"]),
        preferred=np.array(col["preferred"], dtype=bool),
    )


def _engine(regs: Registrations, rom: np.ndarray, months: list[tuple[int, int]]) -> CountTable:
    return waiting_counts(regs, region_of_municipality=rom, months=months)


def _engine_2_threads(
    regs: Registrations, rom: np.ndarray, months: list[tuple[int, int]]
) -> CountTable:
    # Small inputs run on one thread by default; force the parallel path as well.
    return waiting_counts(regs, region_of_municipality=rom, months=months, n_threads=2)


_CON: list[Any] = []  # one DuckDB connection for all tests: connecting costs ~25 ms


def duckdb_connection() -> Any:
    import duckdb

    if not _CON:
        _CON.append(duckdb.connect())
    return _CON[0]


def _oracle(regs: Registrations, rom: np.ndarray, months: list[tuple[int, int]]) -> CountTable:
    from vangnet.engines.waitcount import oracle

    return oracle.waiting_counts(
        regs, region_of_municipality=rom, months=months, con=duckdb_connection()
    )


def _polars(regs: Registrations, rom: np.ndarray, months: list[tuple[int, int]]) -> CountTable:
    from vangnet.engines.waitcount import polars_impl

    return polars_impl.waiting_counts(regs, region_of_municipality=rom, months=months)


COUNTERS: dict[str, Callable[[Registrations, np.ndarray, list[tuple[int, int]]], CountTable]] = {
    "engine": _engine,
    "engine_2_threads": _engine_2_threads,
    "duckdb_oracle": _oracle,
    "polars": _polars,
}


def assert_same_table(a: Any, b: Any, *, exact: bool = True) -> None:
    """Same columns, same rows; floats compared with a tolerance unless ``exact``."""
    ca, cb = a.columns(), b.columns()
    assert list(ca) == list(cb)
    assert len(a) == len(b), (a.to_rows(), b.to_rows())
    for name in ca:
        x, y = ca[name], cb[name]
        if x.dtype.kind == "f" and not exact:
            assert np.allclose(x, y, equal_nan=True, rtol=1e-12, atol=1e-9), name
        else:
            assert np.array_equal(x, y), (name, a.to_rows(), b.to_rows())
        assert x.dtype == y.dtype, (name, x.dtype, y.dtype)
