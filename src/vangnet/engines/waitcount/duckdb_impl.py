"""The waiting counts as a fast, idiomatic DuckDB query: the benchmark's SQL peer.

The oracle (`oracle.py`) is written for clarity: a range join of every registration with every
peildatum and two group-bys over the result. A DuckDB user after speed would instead:

* turn dates into month numbers once (``year * 12 + month``): a registration waits on the
  peildata of a contiguous run of months ``[month(registration), month(first end))``, waits for
  intake before ``month(intake)``, and is over the norm from ``month(registration + 29)``
  (intake) or ``month(intake + 71)`` (treatment) on: no date comparisons per peildatum;
* expand that run with ``unnest(range(lo, hi))`` instead of a join;
* aggregate once per cell × person (``min(provider) <> max(provider)`` instead of
  ``count(DISTINCT provider) >= 2``) and once more per cell.

Months must be contiguous (a ``month_range``); the result equals the engine's cell for cell
(tested in ``tests/test_duckdb_impl.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vangnet.engines.waitcount.model import CountTable, Registrations, normalise_months
from vangnet.engines.waitcount.oracle import registrations_arrow

COUNTS_SQL = """
WITH r AS (
    SELECT
        person, provider, preferred, diagnosis_group, m.region,
        year(registration_date) * 12 + month(registration_date) - $first AS reg_m,
        coalesce(year(intake_date) * 12 + month(intake_date) - $first, $n) AS intake_m,
        coalesce(year(least(treatment_start_date, exit_date)) * 12
                 + month(least(treatment_start_date, exit_date)) - $first, $n) AS end_m,
        year(registration_date + 29) * 12 + month(registration_date + 29) - $first AS over_i_m,
        coalesce(year(intake_date + 71) * 12 + month(intake_date + 71) - $first, $n) AS over_t_m
    FROM registrations
    JOIN region_of_municipality AS m USING (municipality)
    WHERE m.region >= 0
),
waiting AS (
    SELECT *, unnest(range(greatest(reg_m, 0), least(end_m, $n))) AS k
    FROM r
    WHERE reg_m < $n AND end_m > 0 AND reg_m < end_m
),
per_person AS (
    SELECT
        k, region, diagnosis_group,
        count(*) AS regs,
        count(*) FILTER (WHERE k < intake_m) AS regs_intake,
        count(*) FILTER (WHERE k < intake_m AND k >= over_i_m) AS over_intake,
        count(*) FILTER (WHERE k >= intake_m AND k >= over_t_m) AS over_treatment,
        min(provider) <> max(provider) AS multi,
        bool_or(preferred) AS preferred
    FROM waiting
    GROUP BY k, region, diagnosis_group, person
)
SELECT
    k, region, diagnosis_group,
    sum(regs)::BIGINT AS registrations_waiting,
    sum(regs_intake)::BIGINT AS registrations_waiting_intake,
    sum(regs - regs_intake)::BIGINT AS registrations_waiting_treatment,
    count(*) AS persons_waiting,
    count(*) FILTER (WHERE multi) AS persons_multi_provider,
    count(*) FILTER (WHERE preferred) AS persons_by_preference,
    sum(over_intake)::BIGINT AS over_norm_intake,
    sum(over_treatment)::BIGINT AS over_norm_treatment
FROM per_person
GROUP BY k, region, diagnosis_group
ORDER BY k, region, diagnosis_group
"""


def waiting_counts(
    regs: Registrations,
    *,
    region_of_municipality: npt.ArrayLike,
    months: Sequence[tuple[int, int]],
    con: duckdb.DuckDBPyConnection | None = None,
) -> CountTable:
    month_list = normalise_months(months)
    keys = [y * 12 + m for y, m in month_list]
    if keys != list(range(keys[0], keys[0] + len(keys))):
        raise ValueError("duckdb_impl needs contiguous months (month_range)")
    con = con or duckdb.connect()
    rom = np.asarray(region_of_municipality, dtype=np.int32)
    con.register("registrations", registrations_arrow(regs))
    con.register(
        "region_of_municipality",
        pa.table({"municipality": np.arange(len(rom), dtype=np.int32), "region": rom}),
    )
    # month(d) is 1-based: key(d) - first = year*12 + month - (first year*12 + first month).
    table = con.sql(COUNTS_SQL, params={"first": keys[0], "n": len(keys)}).to_arrow_table()
    k = table.column("k").to_numpy().astype(np.int64)
    years = np.array([y for y, _ in month_list], np.int32)
    mons = np.array([m for _, m in month_list], np.int32)
    return CountTable(
        year=years[k],
        month=mons[k],
        region=table.column("region").to_numpy().astype(np.int32),
        diagnosis_group=table.column("diagnosis_group").to_numpy().astype(np.int32),
        **{
            name: table.column(name).to_numpy().astype(np.int64)
            for name in (
                "registrations_waiting",
                "registrations_waiting_intake",
                "registrations_waiting_treatment",
                "persons_waiting",
                "persons_multi_provider",
                "persons_by_preference",
                "over_norm_intake",
                "over_norm_treatment",
            )
        },
    )
