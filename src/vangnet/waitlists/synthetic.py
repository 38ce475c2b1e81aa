"""A generated national waiting-list month (CSV in the import format), deterministic from a seed.

Shared by `bench/import.py` (through `bench/national_month.py`) and the national data set
(`python -m vangnet demo --scale national`, `vangnet.ops.national`): ~1,500 providers
(AGB ``9xxxxxxx``) of skewed size in all 342 municipalities, persons on one to three lists,
registrations of the last year, intakes, treatment starts and exits within the month, every
line valid. Pseudonyms have the production form ``v1:<64 hex>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import polars as pl

GROUPS = [
    "adhd_gedrag",
    "pervasief",
    "kindertijd_overig",
    "cognitief",
    "alcohol",
    "middelen_overig",
    "psychotisch",
    "depressief",
    "bipolair",
    "persoonlijkheid",
    "somatoform",
    "eetstoornis",
    "angst",
    "overig",
]
GROUP_WEIGHTS = np.array([8, 5, 2, 2, 4, 3, 6, 20, 3, 12, 3, 3, 20, 9], dtype=float)
N_PROVIDERS = 1500
EPOCH = dt.date(1970, 1, 1)


def provider_agbs(n: int = N_PROVIDERS) -> list[str]:
    return [f"9{i:07d}" for i in range(n)]


def provider_municipalities(
    municipalities: list[str], n: int = N_PROVIDERS, seed: int = 1
) -> list[str]:
    rng = np.random.default_rng(seed)
    return [municipalities[i] for i in rng.integers(0, len(municipalities), n)]


def pseudonyms(persons: np.ndarray, seed: int) -> list[str]:
    salt = f"bench-{seed}:".encode()
    return ["v1:" + hashlib.sha256(salt + str(p).encode()).hexdigest() for p in persons.tolist()]


def generate(
    *,
    period: dt.date,
    rows: int,
    municipalities: list[str],
    seed: int = 1,
    persons: int | None = None,
    providers: int = N_PROVIDERS,
) -> pl.DataFrame:
    """`rows` valid registrations for the month starting at `period` (first of a month)."""
    rng = np.random.default_rng([seed, period.year, period.month])
    n = (
        int(rows * 1.02) + 1000
    )  # a few are dropped as duplicates of (person, provider, group, date)
    n_persons = persons or max(1, int(rows * 0.8))
    first = (period - EPOCH).days
    last = (dt.date(period.year + period.month // 12, period.month % 12 + 1, 1) - EPOCH).days - 1
    size = 1.0 / np.arange(1, providers + 1) ** 0.7
    provider = rng.choice(providers, n, p=size / size.sum())
    group = rng.choice(len(GROUPS), n, p=GROUP_WEIGHTS / GROUP_WEIGHTS.sum())
    person = rng.integers(0, n_persons, n)
    registration = last - rng.integers(0, 365, n)
    wait = rng.exponential(35, n).astype(np.int64)
    has_intake = rng.random(n) < 0.55
    intake = np.where(has_intake & (registration + wait <= last), registration + wait, -1)
    # Treatment starts and exits in the month itself (earlier ones left the list already).
    in_month = np.maximum(first, np.where(intake >= 0, intake, registration))
    span = last - in_month + 1
    start = np.where(
        (intake >= 0) & (rng.random(n) < 0.12), in_month + rng.integers(0, 10**6, n) % span, -1
    )
    exit_ = np.where(
        (start < 0) & (rng.random(n) < 0.04), in_month + rng.integers(0, 10**6, n) % span, -1
    )
    frame = pl.DataFrame(
        {
            "person": person,
            "provider": provider,
            "municipality": rng.integers(0, len(municipalities), n),
            "group": group,
            "registration": registration,
            "intake": intake,
            "start": start,
            "exit": exit_,
            "preferred": (rng.random(n) < 0.08).astype(np.int8),
        }
    )
    frame = frame.unique(
        ["person", "provider", "group", "registration"], keep="first", maintain_order=True
    )
    frame = frame.head(rows)
    unique_persons = frame["person"].unique().sort()
    names = pl.DataFrame(
        {"person": unique_persons, "person_pseudonym": pseudonyms(unique_persons.to_numpy(), seed)}
    )
    agbs = pl.Series(provider_agbs(providers))
    gms = pl.Series(municipalities)
    groups = pl.Series(GROUPS)

    def day(column: str) -> pl.Expr:
        value = pl.col(column)
        return (
            pl.when(value >= 0)
            .then(value.cast(pl.Int32).cast(pl.Date).cast(pl.String))
            .otherwise(pl.lit(None, dtype=pl.String))
        )

    return frame.join(names, on="person", how="left", maintain_order="left").select(
        "person_pseudonym",
        pl.col("provider").map_batches(lambda s: agbs.gather(s)).alias("provider_agb"),
        pl.col("municipality").map_batches(lambda s: gms.gather(s)).alias("municipality_code"),
        pl.col("group").map_batches(lambda s: groups.gather(s)).alias("diagnosis_group"),
        day("registration").alias("registration_date"),
        day("intake").alias("intake_date"),
        day("start").alias("treatment_start_date"),
        day("exit").alias("exit_date"),
        pl.col("preferred").cast(pl.String).alias("preferred_provider"),
    )


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Missing dates as empty unquoted fields (Polars quotes an empty string, which a provider's
    # export would not).
    frame.write_csv(path, line_terminator="\n", null_value="", quote_style="necessary")
    return path
