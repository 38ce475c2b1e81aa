"""Property tests: on random small datasets the engine equals the DuckDB oracle and the Polars
implementation cell for cell (and flows, provider medians, hotspots, largest breaches equal
the oracle). Dates cluster around the peildata and the norm boundaries so that the edge cases
(on the peildatum, 28/29 and 70/71 days) come up often."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vangnet.engines.waitcount import (
    MISSING,
    Registrations,
    date_to_days,
    flows,
    hotspots,
    largest_breaches,
    peildatum,
    polars_impl,
    provider_waits,
    waiting_counts,
)
from vangnet.engines.waitcount import oracle as sql
from vangnet.engines.waitcount.tests._data import assert_same_table, duckdb_connection

MONTH_POOL = [(2023, m) for m in range(9, 13)] + [(2024, m) for m in range(1, 5)]
PEILDATA = [peildatum(y, m) for y, m in MONTH_POOL]
DAY0 = date_to_days("2023-09-01")

# Gaps in days: anything plausible, plus the boundaries around the norms, often.
gaps = st.one_of(st.integers(-3, 150), st.sampled_from([0, 1, 27, 28, 29, 30, 69, 70, 71, 72]))
# Registration dates: anywhere around the months, or exactly on/next to a peildatum.
reg_dates = st.one_of(
    st.integers(DAY0 - 120, DAY0 + 250),
    st.builds(lambda p, d: p + d, st.sampled_from(PEILDATA), st.sampled_from([-29, -28, 0, 1])),
)


@st.composite
def datasets(draw: st.DrawFn) -> tuple[Registrations, np.ndarray, list[tuple[int, int]]]:
    n = draw(st.integers(0, 30))
    n_persons = draw(st.integers(1, 8))
    n_mun = 5
    cols: dict[str, list[Any]] = {k: [] for k in Registrations._DTYPES}
    for _ in range(n):
        reg = draw(reg_dates)
        intake = draw(st.none() | gaps.map(lambda g, r=reg: r + g))
        start = draw(st.none() | gaps.map(lambda g, b=(reg if intake is None else intake): b + g))
        exit_ = draw(st.none() | gaps.map(lambda g, r=reg: r + g))
        cols["person"].append(draw(st.integers(0, n_persons - 1)))
        cols["provider"].append(draw(st.integers(0, 3)))
        cols["municipality"].append(draw(st.integers(0, n_mun - 1)))
        cols["diagnosis_group"].append(draw(st.integers(0, 2)))
        cols["registration_date"].append(reg)
        cols["intake_date"].append(MISSING if intake is None else intake)
        cols["treatment_start_date"].append(MISSING if start is None else start)
        cols["exit_date"].append(MISSING if exit_ is None else exit_)
        cols["preferred"].append(draw(st.booleans()))
    regs = Registrations(
        **{k: np.array(v, dtype=Registrations._DTYPES[k]) for k, v in cols.items()}
    )
    rom = np.array(draw(st.lists(st.integers(-1, 2), min_size=n_mun, max_size=n_mun)), np.int32)
    months = draw(st.lists(st.sampled_from(MONTH_POOL), max_size=6))
    return regs, rom, months


# One connection for all examples: connecting costs more than a small query.
CON = duckdb_connection()

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(datasets())
def test_counts_equal_oracle_and_polars(data: Any) -> None:
    regs, rom, months = data
    got = waiting_counts(regs, region_of_municipality=rom, months=months)
    assert_same_table(
        got, sql.waiting_counts(regs, region_of_municipality=rom, months=months, con=CON)
    )
    assert_same_table(
        got, polars_impl.waiting_counts(regs, region_of_municipality=rom, months=months)
    )
    # Small inputs run on one thread by default; the parallel path must agree.
    two = waiting_counts(regs, region_of_municipality=rom, months=months, n_threads=2)
    assert_same_table(got, two)
    # Sanity relations that hold by definition.
    assert np.all(got.registrations_waiting > 0)
    assert np.all(got.persons_waiting <= got.registrations_waiting)
    assert np.all(got.persons_multi_provider <= got.persons_waiting)
    assert np.all(got.persons_by_preference <= got.persons_waiting)
    assert np.all(got.over_norm_intake <= got.registrations_waiting_intake)
    assert np.all(got.over_norm_treatment <= got.registrations_waiting_treatment)


@settings(FAST, max_examples=60)
@given(datasets())
def test_flows_equal_oracle(data: Any) -> None:
    regs, rom, months = data
    assert_same_table(
        flows(regs, region_of_municipality=rom, months=months),
        sql.flows(regs, region_of_municipality=rom, months=months, con=CON),
        exact=False,
    )


@settings(FAST, max_examples=60)
@given(datasets())
def test_provider_figures_equal_oracle(data: Any) -> None:
    regs, rom, months = data
    table = provider_waits(regs, months=months)
    expected = sql.provider_waits(regs, months=months, con=CON)
    assert_same_table(table, expected, exact=False)
    assert hotspots(table, min_months=2) == sql.hotspots(expected, min_months=2, con=CON)
    assert_same_table(
        largest_breaches(regs, region_of_municipality=rom, months=months),
        sql.largest_breaches(regs, region_of_municipality=rom, months=months, con=CON),
    )


def test_medium_random_dataset_all_implementations_agree() -> None:
    # Thousands of persons so that every thread chunk has work and multi-registration persons
    # fall on both sides of the chunk boundaries.
    rng = np.random.default_rng(6)
    n = 20_000
    reg = rng.integers(DAY0 - 200, DAY0 + 400, n)
    intake = np.where(rng.random(n) < 0.8, reg + rng.integers(-2, 90, n), MISSING)
    base = np.where(intake == MISSING, reg, intake)
    start = np.where(rng.random(n) < 0.6, base + rng.integers(0, 150, n), MISSING)
    exit_ = np.where(rng.random(n) < 0.2, reg + rng.integers(0, 300, n), MISSING)
    regs = Registrations(
        person=rng.integers(0, 9_000, n),
        provider=rng.integers(0, 40, n),
        municipality=rng.integers(0, 30, n),
        diagnosis_group=rng.integers(0, 14, n),
        registration_date=reg,
        intake_date=intake,
        treatment_start_date=start,
        exit_date=exit_,
        preferred=rng.random(n) < 0.2,
    )
    rom = rng.integers(-1, 6, 30)
    months = MONTH_POOL + [(2024, 12), (2025, 1)]
    got = waiting_counts(regs, region_of_municipality=rom, months=months, n_threads=2)
    assert got.persons_multi_provider.sum() > 0
    assert_same_table(got, waiting_counts(regs, region_of_municipality=rom, months=months))
    assert_same_table(
        got, sql.waiting_counts(regs, region_of_municipality=rom, months=months, con=CON)
    )
    assert_same_table(
        got, polars_impl.waiting_counts(regs, region_of_municipality=rom, months=months)
    )
    assert_same_table(
        flows(regs, region_of_municipality=rom, months=months),
        sql.flows(regs, region_of_municipality=rom, months=months, con=CON),
        exact=False,
    )
