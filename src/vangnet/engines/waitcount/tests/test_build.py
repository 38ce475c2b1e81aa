"""Building Registrations from database-shaped rows and tables; purity of the engine."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import polars as pl
import pytest

from vangnet.engines.waitcount import (
    MISSING,
    date_to_days,
    registrations_from_rows,
    registrations_from_table,
    waiting_counts,
)

ROWS = [
    {
        "person": "p-b",
        "provider": "GGZ Noord",
        "municipality": "GM0014",
        "diagnosis_group": "angst",
        "registration_date": "2024-01-10",
        "intake_date": None,
        "treatment_start_date": "",
        "exit_date": None,
        "preferred_provider": True,
    },
    {
        "person": "p-a",
        "provider": "GGZ Oost",
        "municipality": "GM0034",
        "diagnosis_group": "depressief",
        "registration_date": dt.date(2023, 12, 1),
        "intake_date": dt.date(2024, 1, 5),
        "treatment_start_date": None,
        "exit_date": dt.datetime(2024, 3, 1, 12, 0),
        "preferred_provider": False,
    },
    {
        "person": "p-b",
        "provider": "GGZ Oost",
        "municipality": "GM0014",
        "diagnosis_group": "angst",
        "registration_date": "2024-01-20",
        "intake_date": None,
        "treatment_start_date": None,
        "exit_date": None,
        "preferred_provider": False,
    },
]
GROUPS = ["adhd_gedrag", "angst", "depressief"]
MUNICIPALITIES = ["GM0014", "GM0034", "GM0037"]


def test_from_rows_factorises_and_converts_dates() -> None:
    regs, book = registrations_from_rows(
        ROWS, municipalities=MUNICIPALITIES, diagnosis_groups=GROUPS
    )
    assert book.persons == ["p-a", "p-b"]
    assert regs.person.tolist() == [1, 0, 1]
    assert book.providers == ["GGZ Noord", "GGZ Oost"]
    assert regs.provider.tolist() == [0, 1, 1]
    assert regs.municipality.tolist() == [0, 1, 0]
    assert regs.diagnosis_group.tolist() == [1, 2, 1]
    assert regs.registration_date.tolist() == [
        date_to_days("2024-01-10"),
        date_to_days("2023-12-01"),
        date_to_days("2024-01-20"),
    ]
    assert regs.intake_date.tolist() == [MISSING, date_to_days("2024-01-05"), MISSING]
    assert regs.treatment_start_date.tolist() == [MISSING] * 3
    assert regs.exit_date.tolist() == [MISSING, date_to_days("2024-03-01"), MISSING]
    assert regs.preferred.tolist() == [True, False, False]


def test_region_array_and_end_to_end() -> None:
    regs, book = registrations_from_rows(ROWS, municipalities=MUNICIPALITIES)
    rom = book.region_of_municipality({"GM0014": "VR01", "GM0034": "VR25"}, ["VR01", "VR25"])
    assert rom.tolist() == [0, 1, -1]
    rows = waiting_counts(regs, region_of_municipality=rom, months=[(2024, 1)]).to_rows()
    assert [(r["region"], r["persons_waiting"], r["persons_multi_provider"]) for r in rows] == [
        (0, 1, 1),
        (1, 1, 0),
    ]


def test_unknown_code_in_fixed_vocabulary_is_an_error() -> None:
    with pytest.raises(ValueError, match="GM0034"):
        registrations_from_rows(ROWS, municipalities=["GM0014"])


def test_missing_registration_date_is_an_error() -> None:
    with pytest.raises(ValueError, match="registration_date"):
        registrations_from_rows([{**ROWS[0], "registration_date": None}])


def test_from_polars_and_arrow_equal_from_rows() -> None:
    expected, _ = registrations_from_rows(ROWS, diagnosis_groups=GROUPS)
    date_cols = ("registration_date", "intake_date", "treatment_start_date", "exit_date")

    def iso(v: object) -> str | None:
        return str(v)[:10] if v else None

    as_strings = [{**r, **{k: iso(r[k]) for k in date_cols}} for r in ROWS]
    as_dates = [
        {**r, **{k: None if r[k] is None else dt.date.fromisoformat(r[k]) for k in date_cols}}
        for r in as_strings
    ]
    frame = pl.DataFrame(as_dates)
    assert frame.schema["intake_date"] == pl.Date
    for table in (frame, frame.to_arrow(), pl.DataFrame(as_strings)):
        regs, _ = registrations_from_table(table, diagnosis_groups=GROUPS)
        for name, arr in expected.__dict__.items():
            assert np.array_equal(getattr(regs, name), arr), name


def test_engine_imports_neither_django_nor_other_vangnet_packages() -> None:
    code = (
        "import sys, vangnet.engines.waitcount as w, vangnet.engines.waitcount.build;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')"
        " or (m.startswith('vangnet.') and not m.startswith('vangnet.engines'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - fixed snippet
