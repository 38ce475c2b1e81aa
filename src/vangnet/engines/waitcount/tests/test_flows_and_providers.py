"""Hand-made cases for flows, provider medians, hotspots and the largest breaches, checked
against explicit numbers and against the DuckDB oracle."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from vangnet.engines.waitcount import (
    Hotspot,
    ProviderWaitTable,
    flows,
    hotspots,
    largest_breaches,
    provider_waits,
)
from vangnet.engines.waitcount import oracle as sql
from vangnet.engines.waitcount.tests._data import ROM, assert_same_table, regs_of, row

JAN = [(2024, 1)]


def test_flows_quantiles_linear_and_norm_share() -> None:
    # Four intakes on 2024-01-31 with waits 10, 20, 30 and 40 days.
    intake = dt.date(2024, 1, 31)
    rows = [
        row(person=i, reg=str(intake - dt.timedelta(days=w)), intake=str(intake))
        for i, w in enumerate((40, 10, 30, 20))
    ]
    table = flows(regs_of(rows), region_of_municipality=ROM, months=JAN)
    [got] = table.to_rows()
    assert got["intakes"] == 4
    assert got["intake_wait_median"] == 25.0
    assert math.isclose(got["intake_wait_p80"], 34.0)  # h = 0.8 * 3 = 2.4: 30 + 0.4 * 10
    assert got["intake_within_norm_share"] == 0.5  # 10 and 20 <= 28
    assert got["treatment_starts"] == 0
    assert math.isnan(got["treatment_wait_median"])
    assert_same_table(
        table, sql.flows(regs_of(rows), region_of_municipality=ROM, months=JAN), exact=False
    )


def test_flows_treatment_wait_since_intake_or_registration() -> None:
    rows = [
        # 70 days since intake: within norm.
        row(person=1, reg="2023-10-01", intake="2023-11-01", start="2024-01-10"),
        # No intake: 71 days since registration, not within norm.
        row(person=2, reg="2023-10-31", start="2024-01-10"),
        # Intake in December, start in February: neither counts in January.
        row(person=3, reg="2023-12-01", intake="2023-12-05", start="2024-02-01"),
    ]
    table = flows(regs_of(rows), region_of_municipality=ROM, months=JAN)
    [got] = table.to_rows()
    assert got["intakes"] == 0
    assert got["treatment_starts"] == 2
    assert got["treatment_wait_median"] == 70.5
    assert got["treatment_within_norm_share"] == 0.5
    assert_same_table(
        table, sql.flows(regs_of(rows), region_of_municipality=ROM, months=JAN), exact=False
    )


def test_flows_month_boundaries_and_regions() -> None:
    rows = [
        row(person=1, mun=0, reg="2023-12-01", intake="2024-01-01"),  # first day: January
        row(person=2, mun=2, reg="2023-12-01", intake="2024-01-31"),  # last day, region 1
        row(person=3, mun=0, reg="2023-12-01", intake="2023-12-31"),  # December
        row(person=4, mun=3, reg="2023-12-01", intake="2024-01-15"),  # no region: ignored
    ]
    table = flows(regs_of(rows), region_of_municipality=ROM, months=JAN)
    assert [(r["region"], r["intakes"]) for r in table.to_rows()] == [(0, 1), (1, 1)]
    assert flows(regs_of([]), region_of_municipality=ROM, months=JAN).to_rows() == []


def test_provider_waits_medians_and_breaches() -> None:
    rows = [
        # Provider 1, group 0: for intake 20, 30, 40 days (median 30 > 28: breach).
        row(person=1, provider=1, reg="2024-01-11"),
        row(person=2, provider=1, reg="2024-01-01"),
        row(person=3, provider=1, reg="2023-12-22"),
        # ... and one for treatment, 70 days since intake (not a breach).
        row(person=4, provider=1, reg="2023-11-01", intake="2023-11-22"),
        # Provider 2: 28 days for intake (no breach), municipality without region still counts.
        row(person=5, provider=2, mun=3, reg="2024-01-03"),
    ]
    regs = regs_of(rows)
    table = provider_waits(regs, months=JAN)
    assert table.provider.tolist() == [1, 2]
    assert table.diagnosis_group.tolist() == [0, 0]
    assert table.waiting_intake.tolist() == [3, 1]
    assert table.waiting_treatment.tolist() == [1, 0]
    assert table.median_wait_intake.tolist() == [30.0, 28.0]
    assert table.median_wait_treatment[0] == 70.0
    assert np.isnan(table.median_wait_treatment[1])  # nobody waits for treatment there
    assert table.breach_intake.tolist() == [True, False]
    assert table.breach_treatment.tolist() == [False, False]
    assert_same_table(table, sql.provider_waits(regs, months=JAN), exact=False)


def _provider_table(months: list[tuple[int, int]], intake: list[bool]) -> ProviderWaitTable:
    n = len(months)
    i32 = np.zeros(n, np.int32)
    i64 = np.ones(n, np.int64)
    return ProviderWaitTable(
        year=np.array([y for y, _ in months], np.int32),
        month=np.array([m for _, m in months], np.int32),
        provider=i32 + 4,
        diagnosis_group=i32 + 2,
        waiting_intake=i64,
        waiting_treatment=i64,
        median_wait_intake=np.where(intake, 40.0, 10.0),
        median_wait_treatment=np.full(n, 80.0),
        breach_intake=np.array(intake),
        breach_treatment=np.ones(n, bool),
    )


def test_hotspots_runs_of_three_consecutive_months() -> None:
    months = [(2023, 10), (2023, 11), (2023, 12), (2024, 1), (2024, 2), (2024, 4), (2024, 5)]
    intake = [True, True, False, True, True, True, True]
    table = _provider_table(months, intake)
    expected = [
        # Intake runs are all 2 months long (December breaks one, the absent March another).
        # Treatment breaches every month present, but March is absent: Oct-Feb is 5 months.
        Hotspot(4, 2, "treatment", (2023, 10), (2024, 2), 5),
    ]
    assert hotspots(table) == expected
    assert sql.hotspots(table) == expected
    # With March present (and breached), January-March is an intake hotspot.
    table2 = _provider_table([*months[:5], (2024, 3)], [*intake[:5], True])
    expected2 = [
        Hotspot(4, 2, "intake", (2024, 1), (2024, 3), 3),
        Hotspot(4, 2, "treatment", (2023, 10), (2024, 3), 6),
    ]
    assert hotspots(table2) == expected2
    assert sql.hotspots(table2) == expected2
    assert hotspots(table2, min_months=7) == []


def test_largest_breaches_tie_lowest_provider_and_no_breach_no_row() -> None:
    rows = [
        # Region 0: providers 3 and 1 each with one registration over the intake norm.
        row(person=1, provider=3, mun=0, reg="2023-12-01"),
        row(person=2, provider=1, mun=1, reg="2023-12-01"),
        row(person=3, provider=1, mun=1, reg="2024-01-20"),  # not over
        # Region 1: provider 2 with two over norm (one intake, one treatment), provider 0 one.
        # (Person 5 on 2024-01-31: 122 days since intake.)
        row(person=4, provider=2, mun=2, reg="2023-12-01"),
        row(person=5, provider=2, mun=2, reg="2023-09-01", intake="2023-10-01"),
        row(person=6, provider=0, mun=2, reg="2023-12-01"),
        # No region: ignored.
        row(person=7, provider=5, mun=3, reg="2023-01-01"),
    ]
    regs = regs_of(rows)
    months = [(2023, 11), (2024, 1)]
    table = largest_breaches(regs, region_of_municipality=ROM, months=months)
    # November: only person 5 waits (60 days since intake, not over): no row.
    assert table.to_rows() == [
        {
            "year": 2024,
            "month": 1,
            "region": 0,
            "provider": 1,
            "over_norm": 1,
            "over_norm_intake": 1,
            "over_norm_treatment": 0,
            "registrations_waiting": 2,
        },
        {
            "year": 2024,
            "month": 1,
            "region": 1,
            "provider": 2,
            "over_norm": 2,
            "over_norm_intake": 1,
            "over_norm_treatment": 1,
            "registrations_waiting": 2,
        },
    ]
    assert_same_table(table, sql.largest_breaches(regs, region_of_municipality=ROM, months=months))
