"""The fast DuckDB formulation (the benchmark's SQL peer) equals the engine cell for cell, on the
same boundary-heavy random datasets as the property tests, with the months made contiguous."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from vangnet.engines.waitcount import Registrations, duckdb_impl, month_range, waiting_counts
from vangnet.engines.waitcount.tests._data import assert_same_table, duckdb_connection
from vangnet.engines.waitcount.tests.test_properties import FAST, datasets

CON = duckdb_connection()


@settings(FAST, max_examples=60)  # bounded: `make test` stays fast
@given(datasets())
def test_fast_duckdb_counts_equal_the_engine(data: Any) -> None:
    regs, rom, months = data
    if not months:
        return
    months = month_range(min(months), max(months))
    assert_same_table(
        duckdb_impl.waiting_counts(regs, region_of_municipality=rom, months=months, con=CON),
        waiting_counts(regs, region_of_municipality=rom, months=months),
    )


def test_months_must_be_contiguous() -> None:
    with pytest.raises(ValueError, match="contiguous"):
        duckdb_impl.waiting_counts(
            Registrations.empty(), region_of_municipality=[0], months=[(2024, 1), (2024, 3)]
        )
