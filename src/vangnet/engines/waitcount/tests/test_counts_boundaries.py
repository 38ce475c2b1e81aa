"""Hand-made boundary cases with explicit expected numbers, for every implementation.

Peildatum of January 2024 is 2024-01-31. Municipalities 0 and 1 are region 0, municipality 2
region 1, municipality 3 in no region (see ``_data.ROM``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from vangnet.engines.waitcount import Registrations, waiting_counts
from vangnet.engines.waitcount.tests._data import COUNTERS, ROM, regs_of, row

JAN = [(2024, 1)]
ZERO = {
    "registrations_waiting": 0,
    "registrations_waiting_intake": 0,
    "registrations_waiting_treatment": 0,
    "persons_waiting": 0,
    "persons_multi_provider": 0,
    "persons_by_preference": 0,
    "over_norm_intake": 0,
    "over_norm_treatment": 0,
}


@pytest.fixture(params=list(COUNTERS))
def count(request: pytest.FixtureRequest) -> Any:
    impl = COUNTERS[request.param]

    def run(
        rows: list[dict[str, Any]], months: list[tuple[int, int]] = JAN, rom: Any = ROM
    ) -> list[dict[str, Any]]:
        return impl(regs_of(rows), np.asarray(rom, np.int32), months).to_rows()

    return run


def cell(year: int = 2024, month: int = 1, region: int = 0, group: int = 0, **counts: int) -> dict:
    return {
        "year": year,
        "month": month,
        "region": region,
        "diagnosis_group": group,
        **ZERO,
        **counts,
    }


def waiting_for_intake(n: int = 1, persons: int = 1, **kw: int) -> dict:
    return cell(
        registrations_waiting=n, registrations_waiting_intake=n, persons_waiting=persons, **kw
    )


def waiting_for_treatment(n: int = 1, persons: int = 1, **kw: int) -> dict:
    return cell(
        registrations_waiting=n, registrations_waiting_treatment=n, persons_waiting=persons, **kw
    )


def test_registration_on_peildatum_is_waiting(count: Any) -> None:
    assert count([row(reg="2024-01-31")]) == [waiting_for_intake()]


def test_registration_after_peildatum_is_not_waiting(count: Any) -> None:
    assert count([row(reg="2024-02-01")]) == []


def test_treatment_start_on_peildatum_is_not_waiting(count: Any) -> None:
    rows = [row(reg="2024-01-10", intake="2024-01-20", start="2024-01-31")]
    assert count(rows) == []


def test_treatment_start_after_peildatum_is_waiting(count: Any) -> None:
    rows = [row(reg="2024-01-10", intake="2024-01-20", start="2024-02-01")]
    assert count(rows) == [waiting_for_treatment()]


def test_exit_on_peildatum_is_not_waiting(count: Any) -> None:
    assert count([row(reg="2024-01-10", exit_="2024-01-31")]) == []


def test_exit_after_peildatum_is_waiting(count: Any) -> None:
    assert count([row(reg="2024-01-10", exit_="2024-02-01")]) == [waiting_for_intake()]


def test_intake_on_peildatum_waits_for_treatment(count: Any) -> None:
    assert count([row(reg="2024-01-10", intake="2024-01-31")]) == [waiting_for_treatment()]


def test_intake_after_peildatum_waits_for_intake(count: Any) -> None:
    assert count([row(reg="2024-01-10", intake="2024-02-01")]) == [waiting_for_intake()]


def test_intake_norm_28_days_is_not_over_29_is(count: Any) -> None:
    # 2024-01-31 - 2024-01-03 = 28 days; 2024-01-02 is 29 days before.
    assert count([row(reg="2024-01-03")]) == [waiting_for_intake()]
    assert count([row(reg="2024-01-02")]) == [waiting_for_intake(over_norm_intake=1)]


def test_treatment_norm_70_days_is_not_over_71_is(count: Any) -> None:
    # 2024-01-31 - 2023-11-22 = 70 days; 2023-11-21 is 71 days before.
    assert count([row(reg="2023-11-01", intake="2023-11-22")]) == [waiting_for_treatment()]
    assert count([row(reg="2023-11-01", intake="2023-11-21")]) == [
        waiting_for_treatment(over_norm_treatment=1)
    ]


def test_over_norm_intake_not_counted_once_waiting_for_treatment(count: Any) -> None:
    # Registered 91 days before the peildatum, intake 10 days before: only the treatment norm
    # applies (10 days since intake: not over).
    assert count([row(reg="2023-11-01", intake="2024-01-21")]) == [waiting_for_treatment()]


def test_person_at_two_providers_in_one_cell(count: Any) -> None:
    rows = [row(person=7, provider=1), row(person=7, provider=2)]
    assert count(rows) == [waiting_for_intake(n=2, persons=1, persons_multi_provider=1)]


def test_same_person_twice_at_one_provider_is_not_multi_provider(count: Any) -> None:
    rows = [row(person=7, provider=1), row(person=7, provider=1, reg="2024-01-20")]
    assert count(rows) == [waiting_for_intake(n=2, persons=1)]


def test_three_registrations_two_providers_count_once(count: Any) -> None:
    rows = [row(person=7, provider=1), row(person=7, provider=1), row(person=7, provider=2)]
    assert count(rows) == [waiting_for_intake(n=3, persons=1, persons_multi_provider=1)]


def test_person_moving_between_regions_counts_in_each_region(count: Any) -> None:
    rows = [
        row(person=3, provider=1, mun=0, reg="2024-01-05"),
        row(person=3, provider=2, mun=2, reg="2024-01-25"),
    ]
    assert count(rows) == [waiting_for_intake(), {**waiting_for_intake(), "region": 1}]


def test_two_municipalities_of_one_region_share_a_cell(count: Any) -> None:
    rows = [row(person=3, provider=1, mun=0), row(person=3, provider=2, mun=1)]
    assert count(rows) == [waiting_for_intake(n=2, persons=1, persons_multi_provider=1)]


def test_other_diagnosis_group_is_another_cell(count: Any) -> None:
    rows = [row(person=3, group=0), row(person=3, group=2)]
    assert count(rows) == [waiting_for_intake(), {**waiting_for_intake(), "diagnosis_group": 2}]


def test_preferred_provider_counts_persons_once(count: Any) -> None:
    rows = [
        row(person=1, provider=1, pref=True),
        row(person=1, provider=2, pref=False),  # person 1: one of two preferred -> counts
        row(person=2, provider=1, pref=True),
        row(person=2, provider=1, pref=True),  # person 2: both preferred -> counts once
        row(person=3, provider=1, pref=False),  # person 3: none preferred
        row(person=4, provider=2, pref=True),  # single registration, preferred
    ]
    assert count(rows) == [
        waiting_for_intake(n=6, persons=4, persons_multi_provider=1, persons_by_preference=3)
    ]


def test_preferred_registration_not_waiting_does_not_count(count: Any) -> None:
    rows = [
        row(person=1, provider=1, pref=False),
        row(person=1, provider=2, pref=True, exit_="2024-01-15"),
    ]
    assert count(rows) == [waiting_for_intake()]


def test_municipality_without_region_is_ignored(count: Any) -> None:
    assert count([row(mun=3)]) == []
    # ... also when the same person waits in a region: only that registration counts.
    assert count([row(person=1, provider=1, mun=3), row(person=1, provider=2, mun=0)]) == [
        waiting_for_intake()
    ]


def test_empty_input(count: Any) -> None:
    assert count([]) == []


def test_no_months(count: Any) -> None:
    assert count([row()], months=[]) == []


def test_months_without_data(count: Any) -> None:
    assert count([row(reg="2024-01-10", exit_="2024-02-15")], months=[(2023, 6), (2024, 5)]) == []


def test_all_municipalities_without_region(count: Any) -> None:
    assert count([row()], rom=[-1, -1, -1, -1]) == []


def test_waiting_run_over_months_with_norm_changes(count: Any) -> None:
    # Registered 2023-11-15, intake 2024-01-10, treatment 2024-04-02.
    # Nov 30: 15 days for intake. Dec 31: 46 days for intake (over). Jan 31: 21 days since
    # intake. Feb 29 (leap year): 50 days. Mar 31: 81 days (over). Apr 30: started.
    rows = [row(reg="2023-11-15", intake="2024-01-10", start="2024-04-02")]
    months = [(2023, m) for m in (10, 11, 12)] + [(2024, m) for m in (1, 2, 3, 4)]
    assert count(rows, months=months) == [
        {**waiting_for_intake(), "year": 2023, "month": 11},
        {**waiting_for_intake(over_norm_intake=1), "year": 2023, "month": 12},
        {**waiting_for_treatment(), "month": 1},
        {**waiting_for_treatment(), "month": 2},
        {**waiting_for_treatment(over_norm_treatment=1), "month": 3},
    ]


def test_months_unsorted_with_duplicates_and_gaps(count: Any) -> None:
    rows = [row(reg="2023-11-15")]  # waits for intake from November on, forever
    got = count(rows, months=[(2024, 3), (2023, 12), (2024, 3), (2023, 10)])
    assert [(c["year"], c["month"]) for c in got] == [(2023, 12), (2024, 3)]
    assert all(c["over_norm_intake"] == 1 for c in got)


def test_treatment_start_without_intake_waits_for_intake_until_start(count: Any) -> None:
    rows = [row(reg="2023-12-20", start="2024-02-10")]
    assert count(rows, months=[(2023, 12), (2024, 1), (2024, 2)]) == [
        {**waiting_for_intake(), "year": 2023, "month": 12},
        waiting_for_intake(over_norm_intake=1),
    ]


def test_cells_sorted_by_month_region_group(count: Any) -> None:
    rows = [
        row(person=1, mun=2, group=1, reg="2023-12-01"),
        row(person=2, mun=0, group=5, reg="2023-12-01"),
        row(person=3, mun=0, group=1, reg="2024-01-01"),
    ]
    got = count(rows, months=[(2023, 12), (2024, 1)])
    keys = [(c["year"], c["month"], c["region"], c["diagnosis_group"]) for c in got]
    assert keys == [
        (2023, 12, 0, 5),
        (2023, 12, 1, 1),
        (2024, 1, 0, 1),
        (2024, 1, 0, 5),
        (2024, 1, 1, 1),
    ]


def test_person_with_hundreds_of_registrations() -> None:
    # More than 255 waiting registrations of one person exercises the exact-count fallback.
    n = 300
    regs = regs_of([row(person=5, provider=i % 3) for i in range(n)] + [row(person=6)])
    table = waiting_counts(regs, region_of_municipality=ROM, months=JAN)
    assert table.to_rows() == [waiting_for_intake(n=n + 1, persons=2, persons_multi_provider=1)]


def test_sparse_person_codes_are_refactorised() -> None:
    regs = regs_of([row(person=10**15), row(person=10**15, provider=1), row(person=3)])
    table = waiting_counts(regs, region_of_municipality=ROM, months=JAN)
    assert table.to_rows() == [waiting_for_intake(n=3, persons=2, persons_multi_provider=1)]


def test_invalid_input_is_rejected() -> None:
    regs = regs_of([row(mun=4)])
    with pytest.raises(ValueError, match="municipality"):
        waiting_counts(regs, region_of_municipality=ROM, months=JAN)
    with pytest.raises(ValueError, match="length"):
        Registrations(**{**regs_of([row()]).__dict__, "person": np.array([1, 2])})
    with pytest.raises(ValueError, match="month"):
        waiting_counts(regs_of([row()]), region_of_municipality=ROM, months=[(2024, 13)])
