"""The counting rules as plain DuckDB SQL: the readable specification and the test oracle.

This is deliberately the obvious formulation (join every registration with every peildatum,
filter, group), not a fast one. The engine must give exactly the same cells.

Data are handed to DuckDB as Arrow tables built over the engine's numpy arrays without copying
the values (int32 days since 1970-01-01 are bit-for-bit Arrow ``date32``; the MISSING sentinel
becomes a NULL through a validity bitmap), so the SQL reads with real dates and ``IS NULL``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vangnet.engines.waitcount.model import (
    INTAKE_NORM_DAYS,
    MISSING,
    TREATMENT_NORM_DAYS,
    CountTable,
    FlowTable,
    Hotspot,
    ProviderWaitTable,
    Registrations,
    TopProviderTable,
    month_start,
    normalise_months,
    peildatum,
)

# The SQL below spells the norms out as 28 and 70 days for readability.
assert (INTAKE_NORM_DAYS, TREATMENT_NORM_DAYS) == (28, 70)

# A registration waits on a peildatum when it is registered on or before it and has neither
# started treatment nor left the list on or before it. One row per registration per peildatum.
WAITING_SQL = """
CREATE OR REPLACE TEMP VIEW waiting AS
SELECT
    p.year,
    p.month,
    p.peildatum,
    m.region,
    r.diagnosis_group,
    r.person,
    r.provider,
    r.preferred,
    (r.intake_date IS NULL OR r.intake_date > p.peildatum) AS waits_for_intake,
    p.peildatum - r.registration_date AS days_since_registration,
    p.peildatum - r.intake_date AS days_since_intake
FROM registrations AS r
JOIN peildata AS p
    ON r.registration_date <= p.peildatum
   AND (r.treatment_start_date IS NULL OR r.treatment_start_date > p.peildatum)
   AND (r.exit_date IS NULL OR r.exit_date > p.peildatum)
JOIN region_of_municipality AS m
    ON m.municipality = r.municipality
"""

COUNTS_SQL = """
WITH regional AS (
    SELECT * FROM waiting WHERE region >= 0          -- region -1: in no region, ignored
),
per_cell AS (
    SELECT
        year, month, region, diagnosis_group,
        count(*) AS registrations_waiting,
        count(*) FILTER (WHERE waits_for_intake) AS registrations_waiting_intake,
        count(*) FILTER (WHERE NOT waits_for_intake) AS registrations_waiting_treatment,
        count(*) FILTER (WHERE waits_for_intake AND days_since_registration > 28)
            AS over_norm_intake,
        count(*) FILTER (WHERE NOT waits_for_intake AND days_since_intake > 70)
            AS over_norm_treatment
    FROM regional
    GROUP BY year, month, region, diagnosis_group
),
per_person AS (
    SELECT
        year, month, region, diagnosis_group, person,
        count(DISTINCT provider) AS providers,
        bool_or(preferred) AS any_preferred
    FROM regional
    GROUP BY year, month, region, diagnosis_group, person
),
persons_per_cell AS (
    SELECT
        year, month, region, diagnosis_group,
        count(*) AS persons_waiting,
        count(*) FILTER (WHERE providers >= 2) AS persons_multi_provider,
        count(*) FILTER (WHERE any_preferred) AS persons_by_preference
    FROM per_person
    GROUP BY year, month, region, diagnosis_group
)
SELECT
    year, month, region, diagnosis_group,
    registrations_waiting, registrations_waiting_intake, registrations_waiting_treatment,
    persons_waiting, persons_multi_provider, persons_by_preference,
    over_norm_intake, over_norm_treatment
FROM per_cell
JOIN persons_per_cell USING (year, month, region, diagnosis_group)
ORDER BY year, month, region, diagnosis_group
"""

# Percentiles: quantile_cont = linear interpolation between closest ranks (numpy's default).
FLOWS_SQL = """
WITH regional AS (
    SELECT r.*, m.region
    FROM registrations AS r
    JOIN region_of_municipality AS m ON m.municipality = r.municipality
    WHERE m.region >= 0
),
intakes AS (
    SELECT p.year, p.month, r.region, r.diagnosis_group,
           r.intake_date - r.registration_date AS wait
    FROM regional AS r
    JOIN peildata AS p ON r.intake_date BETWEEN p.month_start AND p.peildatum
),
starts AS (
    SELECT p.year, p.month, r.region, r.diagnosis_group,
           r.treatment_start_date - coalesce(r.intake_date, r.registration_date) AS wait
    FROM regional AS r
    JOIN peildata AS p ON r.treatment_start_date BETWEEN p.month_start AND p.peildatum
),
i AS (
    SELECT year, month, region, diagnosis_group,
           count(*) AS intakes,
           quantile_cont(wait, 0.5) AS intake_wait_median,
           quantile_cont(wait, 0.8) AS intake_wait_p80,
           avg(CASE WHEN wait <= 28 THEN 1.0 ELSE 0.0 END) AS intake_within_norm_share
    FROM intakes
    GROUP BY year, month, region, diagnosis_group
),
t AS (
    SELECT year, month, region, diagnosis_group,
           count(*) AS treatment_starts,
           quantile_cont(wait, 0.5) AS treatment_wait_median,
           quantile_cont(wait, 0.8) AS treatment_wait_p80,
           avg(CASE WHEN wait <= 70 THEN 1.0 ELSE 0.0 END) AS treatment_within_norm_share
    FROM starts
    GROUP BY year, month, region, diagnosis_group
)
SELECT
    year, month, region, diagnosis_group,
    coalesce(intakes, 0) AS intakes,
    intake_wait_median, intake_wait_p80, intake_within_norm_share,
    coalesce(treatment_starts, 0) AS treatment_starts,
    treatment_wait_median, treatment_wait_p80, treatment_within_norm_share
FROM i
FULL OUTER JOIN t USING (year, month, region, diagnosis_group)
ORDER BY year, month, region, diagnosis_group
"""

# Not regional: every registration counts for its provider, whatever the client's region.
PROVIDER_WAITS_SQL = """
WITH per_cell AS (
    SELECT
        year, month, provider, diagnosis_group,
        count(*) FILTER (WHERE waits_for_intake) AS waiting_intake,
        count(*) FILTER (WHERE NOT waits_for_intake) AS waiting_treatment,
        quantile_cont(days_since_registration, 0.5) FILTER (WHERE waits_for_intake)
            AS median_wait_intake,
        quantile_cont(days_since_intake, 0.5) FILTER (WHERE NOT waits_for_intake)
            AS median_wait_treatment
    FROM waiting
    GROUP BY year, month, provider, diagnosis_group
)
SELECT
    *,
    coalesce(median_wait_intake > 28, false) AS breach_intake,
    coalesce(median_wait_treatment > 70, false) AS breach_treatment
FROM per_cell
ORDER BY year, month, provider, diagnosis_group
"""

LARGEST_BREACHES_SQL = """
WITH per_provider AS (
    SELECT
        year, month, region, provider,
        count(*) FILTER (WHERE waits_for_intake AND days_since_registration > 28)
            AS over_norm_intake,
        count(*) FILTER (WHERE NOT waits_for_intake AND days_since_intake > 70)
            AS over_norm_treatment,
        count(*) AS registrations_waiting
    FROM waiting
    WHERE region >= 0
    GROUP BY year, month, region, provider
),
ranked AS (
    SELECT
        *,
        over_norm_intake + over_norm_treatment AS over_norm,
        row_number() OVER (
            PARTITION BY year, month, region
            ORDER BY over_norm_intake + over_norm_treatment DESC, provider
        ) AS rank
    FROM per_provider
)
SELECT year, month, region, provider, over_norm, over_norm_intake, over_norm_treatment,
       registrations_waiting
FROM ranked
WHERE rank = 1 AND over_norm > 0
ORDER BY year, month, region
"""

# Gaps and islands: within a provider × group × norm, breach months minus their rank are
# constant along a run of consecutive calendar months.
HOTSPOTS_SQL = """
WITH breaches AS (
    SELECT provider, diagnosis_group, 'intake' AS norm, year * 12 + month - 1 AS month_key
    FROM provider_waits WHERE breach_intake
    UNION ALL
    SELECT provider, diagnosis_group, 'treatment', year * 12 + month - 1
    FROM provider_waits WHERE breach_treatment
),
islands AS (
    SELECT *,
           month_key - row_number() OVER (
               PARTITION BY provider, diagnosis_group, norm ORDER BY month_key
           ) AS island
    FROM breaches
)
SELECT provider, diagnosis_group, norm,
       min(month_key) AS first_key, max(month_key) AS last_key, count(*) AS length
FROM islands
GROUP BY provider, diagnosis_group, norm, island
HAVING count(*) >= $min_months
ORDER BY provider, diagnosis_group, norm, first_key
"""


def _date32(days: npt.NDArray[np.int32]) -> pa.Array:
    """int32 days -> Arrow date32 sharing the values buffer; MISSING -> NULL."""
    days = np.ascontiguousarray(days, dtype=np.int32)
    missing = days == MISSING
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little")) if missing.any() else None
    return pa.Array.from_buffers(pa.date32(), len(days), [validity, pa.py_buffer(days)])


def registrations_arrow(regs: Registrations) -> pa.Table:
    return pa.table(
        {
            "person": regs.person,
            "provider": regs.provider,
            "municipality": regs.municipality,
            "diagnosis_group": regs.diagnosis_group,
            "registration_date": _date32(regs.registration_date),
            "intake_date": _date32(regs.intake_date),
            "treatment_start_date": _date32(regs.treatment_start_date),
            "exit_date": _date32(regs.exit_date),
            "preferred": regs.preferred,
        }
    )


def _connect(
    regs: Registrations,
    region_of_municipality: npt.ArrayLike,
    months: Sequence[tuple[int, int]],
    con: duckdb.DuckDBPyConnection | None,
) -> duckdb.DuckDBPyConnection:
    con = con or duckdb.connect()
    rom = np.asarray(region_of_municipality, dtype=np.int32)
    month_list = normalise_months(months)
    con.register("registrations", registrations_arrow(regs))
    con.register(
        "region_of_municipality",
        pa.table({"municipality": np.arange(len(rom), dtype=np.int32), "region": rom}),
    )
    con.register(
        "peildata",
        pa.table(
            {
                "year": pa.array([y for y, _ in month_list], pa.int32()),
                "month": pa.array([m for _, m in month_list], pa.int32()),
                "month_start": _date32(
                    np.array([month_start(y, m) for y, m in month_list], np.int32)
                ),
                "peildatum": _date32(np.array([peildatum(y, m) for y, m in month_list], np.int32)),
            }
        ),
    )
    con.execute(WAITING_SQL)
    return con


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, **params: Any) -> dict[str, np.ndarray]:
    table = con.sql(sql, params=params or None).to_arrow_table()
    out = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_floating(col.type) or pa.types.is_decimal(col.type):
            out[name] = col.cast(pa.float64()).fill_null(float("nan")).to_numpy()
        else:
            out[name] = col.to_numpy()
    return out


def _typed(cols: dict[str, np.ndarray], cls: type[Any]) -> Any:
    dtypes = {"year": np.int32, "month": np.int32, "region": np.int32, "provider": np.int32}
    dtypes["diagnosis_group"] = np.int32
    conv = {}
    for name, arr in cols.items():
        if name in dtypes:
            conv[name] = arr.astype(dtypes[name])
        elif arr.dtype.kind in "iu":
            conv[name] = arr.astype(np.int64)
        else:
            conv[name] = arr
    return cls(**conv)


def waiting_counts(
    regs: Registrations,
    *,
    region_of_municipality: npt.ArrayLike,
    months: Sequence[tuple[int, int]],
    con: duckdb.DuckDBPyConnection | None = None,
) -> CountTable:
    con = _connect(regs, region_of_municipality, months, con)
    result: CountTable = _typed(_fetch(con, COUNTS_SQL), CountTable)
    return result


def flows(
    regs: Registrations,
    *,
    region_of_municipality: npt.ArrayLike,
    months: Sequence[tuple[int, int]],
    con: duckdb.DuckDBPyConnection | None = None,
) -> FlowTable:
    con = _connect(regs, region_of_municipality, months, con)
    result: FlowTable = _typed(_fetch(con, FLOWS_SQL), FlowTable)
    return result


def provider_waits(
    regs: Registrations,
    *,
    months: Sequence[tuple[int, int]],
    con: duckdb.DuckDBPyConnection | None = None,
) -> ProviderWaitTable:
    # Provider figures are not regional; every municipality is mapped to a dummy region 0.
    rom = np.zeros(int(regs.municipality.max()) + 1 if len(regs) else 0, np.int32)
    con = _connect(regs, rom, months, con)
    result: ProviderWaitTable = _typed(_fetch(con, PROVIDER_WAITS_SQL), ProviderWaitTable)
    return result


def largest_breaches(
    regs: Registrations,
    *,
    region_of_municipality: npt.ArrayLike,
    months: Sequence[tuple[int, int]],
    con: duckdb.DuckDBPyConnection | None = None,
) -> TopProviderTable:
    con = _connect(regs, region_of_municipality, months, con)
    result: TopProviderTable = _typed(_fetch(con, LARGEST_BREACHES_SQL), TopProviderTable)
    return result


def hotspots(
    table: ProviderWaitTable,
    *,
    min_months: int = 3,
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[Hotspot]:
    con = con or duckdb.connect()
    con.register("provider_waits", pa.table(table.columns()))
    cols = _fetch(con, HOTSPOTS_SQL, min_months=min_months)
    return [
        Hotspot(
            provider=int(p),
            diagnosis_group=int(g),
            norm=str(n),
            start=(int(a) // 12, int(a) % 12 + 1),
            end=(int(b) // 12, int(b) % 12 + 1),
            length=int(n_),
        )
        for p, g, n, a, b, n_ in zip(
            cols["provider"],
            cols["diagnosis_group"],
            cols["norm"],
            cols["first_key"],
            cols["last_key"],
            cols["length"],
            strict=True,
        )
    ]
