"""The columnar check (Polars, for national files) gives exactly what the row-by-row check gives:
the same errors in the same order with the same line numbers, the same clean rows, the same
period and the same content hashes. Files are random mixes of good and broken lines."""

from __future__ import annotations

import io
import random
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vangnet.waitlists import columnar, importers
from vangnet.waitlists.importers import COLUMNS, Vocabulary

from .conftest import csv_bytes, row

VOCABULARY = Vocabulary(
    providers={"11111111": 1, "22222222": 2, "33333333": 3},
    municipalities={"GM0363": 10, "GM0479": 11, "GM0599": 12},
    diagnosis_groups={"angst": 5, "depressief": 6},
)

# Ways to break a line; each is a (column, value) the row-by-row check refuses or flags.
BREAKAGES = [
    ("person_pseudonym", ""),
    ("person_pseudonym", "111222333"),  # a valid BSN
    ("person_pseudonym", "12345678"),  # looks like one, is not: accepted
    ("person_pseudonym", "naam met spaties"),
    ("provider_agb", "1234"),
    ("provider_agb", "99999999"),
    ("municipality_code", "0363"),
    ("municipality_code", "GM9999"),
    ("diagnosis_group", "onbekend"),
    ("diagnosis_group", ""),
    ("registration_date", ""),
    ("registration_date", "01-03-2024"),
    ("registration_date", "2024-02-30"),
    ("registration_date", "1980-01-01"),
    ("intake_date", "2024-13-01"),
    ("intake_date", "2023-01-01"),  # before the registration
    ("treatment_start_date", "2024-01-02"),
    ("exit_date", "2023-06-01"),
    ("exit_date", "2024-01-27"),  # before a January intake (the 28th), after its registration
    ("treatment_start_date", "2024-01-27"),
    ("exit_date", "2024-04-15"),  # after the period
    ("preferred_provider", "ja"),
    ("preferred_provider", "2"),
]


def random_rows(rng: random.Random, n: int) -> list[dict[str, str]]:
    rows = []
    for _ in range(n):
        reg = date(2024, rng.randint(1, 3), rng.randint(1, 28))
        values = row(
            person_pseudonym=f"v1:p{rng.randint(0, n // 2)}",
            provider_agb=rng.choice(list(VOCABULARY.providers)),
            municipality_code=rng.choice(list(VOCABULARY.municipalities)),
            diagnosis_group=rng.choice(list(VOCABULARY.diagnosis_groups)),
            registration_date=reg.isoformat(),
            intake_date=reg.replace(day=28).isoformat() if rng.random() < 0.4 else "",
            preferred_provider=rng.choice("01"),
        )
        if rng.random() < 0.3:
            column, value = rng.choice(BREAKAGES)
            values[column] = value
        if rng.random() < 0.05 and rows:
            values = dict(rng.choice(rows))  # a duplicate of an earlier line
        rows.append(values)
    return rows


def both(data: bytes, name: str, period: date | None, allowed: set[int] | None = None):
    unit, rows = importers.read_rows(data, name=name)
    slow = importers.check_rows(
        rows, VOCABULARY, period=period, allowed_provider_ids=allowed, unit=unit
    )
    read = columnar.read_frame(data, name=name)
    assert read is not None, "the columnar reader must take this file"
    unit, frame = read
    fast = columnar.check_frame(
        frame, VOCABULARY, period=period, allowed_provider_ids=allowed, unit=unit
    )
    return slow, fast


def assert_same(slow, fast) -> None:
    assert fast.errors == slow.errors
    assert (fast.period, fast.period_inferred, fast.unit) == (
        slow.period,
        slow.period_inferred,
        slow.unit,
    )
    assert fast.frame.rows() == slow.frame.rows()
    if slow.period is not None:
        assert columnar.frame_content_hashes(fast.frame, slow.period) == {
            p: importers.content_hash([r for r in slow.rows if r.provider_id == p], slow.period)
            for p in {r.provider_id for r in slow.rows}
        }


@pytest.mark.parametrize("seed", range(12))
def test_columnar_check_equals_row_by_row_check_on_csv(seed):
    rng = random.Random(seed)
    rows = random_rows(rng, rng.randint(1, 80))
    period = None if seed % 3 == 0 else date(2024, 3, 1)
    allowed = {1, 2} if seed % 4 == 1 else None
    slow, fast = both(csv_bytes(rows), "lijst.csv", period, allowed)
    assert_same(slow, fast)


@pytest.mark.parametrize("seed", range(4))
def test_columnar_check_equals_row_by_row_check_on_parquet(seed):
    rows = random_rows(random.Random(100 + seed), 40)
    table = pa.table({c: [r[c] for r in rows] for c in COLUMNS})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    slow, fast = both(buffer.getvalue(), "lijst.parquet", date(2024, 3, 1))
    assert_same(slow, fast)


def test_a_good_file_has_no_errors_and_every_row():
    rows = [r for r in random_rows(random.Random(7), 200) if r == row(**r)]
    slow, fast = both(csv_bytes(rows[:5]), "lijst.csv", date(2024, 3, 1))
    assert_same(slow, fast)


def test_layouts_the_columnar_reader_leaves_to_the_row_reader():
    good = csv_bytes([row()])
    header, line = good.decode().splitlines()
    for body in (
        f'{line}\n"{line}"\n',  # quotes
        f"{line}\n\n{line}\n",  # a blank line
        f"{line},extra\n",  # too many fields
        f"{line.rsplit(',', 1)[0]}\n",  # too few fields
    ):
        assert columnar.read_frame(f"{header}\n{body}".encode(), name="x.csv") is None
    assert columnar.read_frame(good.replace(b"\n", b"\r\n"), name="x.csv") is not None


def test_person_keys_are_stable_and_per_pseudonym():
    import polars as pl

    keys = columnar.person_keys(pl.Series(["v1:a", "v1:b", "v1:a"])).to_list()
    assert keys[0] == keys[2] != keys[1]
    assert keys[0] == columnar.person_key("v1:a")


def _hashes(rows: list[dict[str, str]]) -> dict[int, str]:
    _, fast = both(csv_bytes(rows), "lijst.csv", date(2024, 3, 1))
    assert fast.ok, fast.errors
    return columnar.frame_content_hashes(fast.frame, date(2024, 3, 1))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("person_pseudonym", "v1:anders"),
        ("municipality_code", "GM0599"),
        ("intake_date", "2024-03-29"),
        ("treatment_start_date", "2024-03-30"),
        ("exit_date", "2024-03-31"),
        ("preferred_provider", "flip"),
    ],
)
def test_content_hash_ignores_line_order_and_sees_every_field(column, value):
    """The unchanged-file check rests on this hash: the same rows in another order are
    unchanged, a change in any field of one row changes that provider's hash only."""
    rng = random.Random(3)
    rows = [
        row(
            person_pseudonym=f"v1:p{i // 3}",
            provider_agb=rng.choice(list(VOCABULARY.providers)),
            municipality_code=rng.choice(["GM0363", "GM0479"]),
            diagnosis_group=rng.choice(list(VOCABULARY.diagnosis_groups)),
            registration_date=date(2024, rng.randint(1, 3), rng.randint(1, 28)).isoformat(),
            preferred_provider=rng.choice("01"),
        )
        for i in range(60)
    ]
    base = _hashes(rows)
    shuffled = rows[:]
    random.Random(4).shuffle(shuffled)
    assert _hashes(shuffled) == base
    changed = [dict(r) for r in rows]
    target = changed[len(changed) // 2]
    if value == "flip":
        value = "1" if target["preferred_provider"] == "0" else "0"
    target[column] = value
    after = _hashes(changed)
    provider = VOCABULARY.providers[target["provider_agb"]]
    assert after[provider] != base[provider]
    assert {p: h for p, h in after.items() if p != provider} == {
        p: h for p, h in base.items() if p != provider
    }
