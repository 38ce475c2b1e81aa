"""Benchmark: waiting counts per month × veiligheidsregio × diagnosis group, national scale.

Times three implementations on the same in-memory numpy arrays, in the same run:

* ``engine``: ``vangnet.engines.waitcount.waiting_counts`` (numba, all cores at this size);
* ``polars``: ``vangnet.engines.waitcount.polars_impl`` (lazy query, all cores);
* ``duckdb``: ``vangnet.engines.waitcount.duckdb_impl``, the counts as a DuckDB user after speed
  writes them (month numbers instead of a range join with the peildata, ``unnest(range())``,
  one aggregation per cell × person; Arrow handover without copying, all cores). The plain SQL
  oracle (``oracle.py``, written for clarity) stays the specification the tests check against.

Each timing covers the whole computation from the input arrays to the result table (including
the engine's per-person sort and the Polars/DuckDB data handover). Every implementation gets one
untimed warm-up call first (numba loads its cached machine code or compiles; Polars and DuckDB
warm their caches/thread pools); the reported time is the median of the timed rounds, which
interleave the three so that load from other processes hits them alike. The three results must
be identical cell for cell, else the script fails.

Peak memory: each implementation runs in a fresh subprocess that regenerates the same data;
after the data exist, freed heap memory is returned to the OS (``malloc_trim``), the kernel's
peak-RSS counter is reset (``/proc/self/clear_refs``) and the increase of ``VmHWM`` over the RSS
at that moment is reported, for the first (cold) call and for the second (warm) call.
``tracemalloc`` would miss the native allocations of numba/Polars/DuckDB.

Synthetic data (seeded, see ``generate``): 3,000,000 registrations of 2,400,000 persons (1-3
each), 1,500 providers, all 342 municipalities in their 25 veiligheidsregio's, 14 diagnosis
groups, registrations 2022-2024, data extracted on 2025-01-01 (later dates are missing).

Usage: ``uv run python bench/waitcount.py`` (full, ~2-3 min on 2 cores) or ``--small``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import ctypes
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from vangnet.engines.waitcount import (  # noqa: E402 - after the sys.path tweak above
    MISSING,
    CountTable,
    Registrations,
    month_range,
    waiting_counts,
)

MONTHS = month_range((2023, 1), (2024, 12))
EPOCH = dt.date(1970, 1, 1)
FIRST_DAY = (dt.date(2022, 1, 1) - EPOCH).days
LAST_DAY = (dt.date(2024, 12, 31) - EPOCH).days  # data extraction: the day after


def data_file(name: str) -> Path:
    """Reference data: ``<repo>/../shared/data``, else the copy inside the regions app."""
    shared = REPO.parent / "shared" / "data" / name
    if shared.exists():
        return shared
    local = REPO / "src" / "vangnet" / "regions" / "data" / name
    if local.exists():
        return local
    raise FileNotFoundError(f"{name} not found in {shared.parent} or {local.parent}")


def reference_data() -> tuple[list[str], np.ndarray, list[str], list[str]]:
    """(municipality codes, region index per municipality, region codes, diagnosis groups)."""
    with data_file("gemeente_veiligheidsregio.csv").open(encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["gemeentecode_gm"])
    regions = sorted({r["veiligheidsregiocode"] for r in rows})
    pos = {v: i for i, v in enumerate(regions)}
    rom = np.array([pos[r["veiligheidsregiocode"]] for r in rows], dtype=np.int32)
    with data_file("hoofddiagnosegroepen.csv").open(encoding="utf-8") as f:
        groups = [r["code"] for r in csv.DictReader(f)]
    return [r["gemeentecode_gm"] for r in rows], rom, regions, groups


def generate(n_regs: int, n_persons: int, n_providers: int = 1500, seed: int = 2025) -> Any:
    """Seeded synthetic national waiting-list history (see the module docstring)."""
    rng = np.random.default_rng(seed)
    municipalities, rom, _regions, groups = reference_data()
    n_mun, n_groups = len(municipalities), len(groups)
    n_regions = int(rom.max()) + 1

    # Municipality sizes vary by two orders of magnitude; lognormal weights mimic that.
    mun_w = rng.lognormal(10.3, 0.9, n_mun)
    mun_w /= mun_w.sum()
    prov_mun = rng.choice(n_mun, n_providers, p=mun_w)
    prov_region = rom[prov_mun]
    prov_size = rng.lognormal(0, 1.0, n_providers)
    # Provider congestion: a few providers wait much longer (source of hotspots).
    prov_slow = rng.lognormal(0, 0.45, n_providers)

    # Persons with 1-3 registrations, exactly n_regs in total (3 : 2 : 1 extra split).
    n_extra = n_regs - n_persons
    if not 0 <= n_extra <= 2 * n_persons:
        raise ValueError("need n_persons <= n_regs <= 3 * n_persons")
    n3 = n_extra // 4
    n2 = n_extra - 2 * n3
    counts = np.ones(n_persons, np.int64)
    chosen = rng.permutation(n_persons)[: n2 + n3]
    counts[chosen[:n2]] = 2
    counts[chosen[n2:]] = 3
    person = np.repeat(np.arange(n_persons), counts)
    nth = np.arange(n_regs) - np.repeat(np.cumsum(counts) - counts, counts)
    first = nth == 0

    home = rng.choice(n_mun, n_persons, p=mun_w)
    municipality = home[person].astype(np.int32)
    moved = ~first & (rng.random(n_regs) < 0.05)  # moved house between registrations
    municipality[moved] = rng.choice(n_mun, int(moved.sum()), p=mun_w)

    group_w = rng.dirichlet(np.full(n_groups, 2.0))
    person_group = rng.choice(n_groups, n_persons, p=group_w)
    group = person_group[person].astype(np.int16)
    other = ~first & (rng.random(n_regs) < 0.2)
    group[other] = rng.choice(n_groups, int(other.sum()), p=group_w)

    # Provider: 85 % one in the client's own region (by size), else anywhere (by size).
    region = rom[municipality]
    provider = np.empty(n_regs, np.int32)
    anywhere = rng.random(n_regs) >= 0.85
    cum_all = np.cumsum(prov_size) / prov_size.sum()
    for r in range(n_regions):
        ids = np.flatnonzero(prov_region == r)
        sel = np.flatnonzero((region == r) & ~anywhere)
        if len(ids) == 0:
            anywhere[sel] = True
            continue
        cum = np.cumsum(prov_size[ids]) / prov_size[ids].sum()
        provider[sel] = ids[np.minimum(np.searchsorted(cum, rng.random(len(sel))), len(ids) - 1)]
    sel = np.flatnonzero(anywhere)
    provider[sel] = np.minimum(np.searchsorted(cum_all, rng.random(len(sel))), n_providers - 1)

    # Dates: first registration uniform over 2022-2024, later ones within a few months after.
    start = rng.integers(FIRST_DAY, LAST_DAY + 1, n_persons)
    registration = start[person] + nth * rng.integers(0, 90, n_regs)
    slow = prov_slow[provider]
    intake = registration + np.rint(rng.lognormal(np.log(24.0), 0.6, n_regs) * slow).astype(
        np.int64
    )
    treatment = intake + np.rint(rng.lognormal(np.log(38.0), 0.7, n_regs) * slow).astype(np.int64)
    exit_ = np.full(n_regs, MISSING, np.int64)
    fate = rng.random(n_regs)
    before_intake = fate < 0.08  # leaves the list before intake
    exit_[before_intake] = registration[before_intake] + rng.integers(5, 200, before_intake.sum())
    intake[before_intake] = MISSING
    treatment[before_intake] = MISSING
    after_intake = (fate >= 0.08) & (fate < 0.15)  # leaves after intake, no treatment
    exit_[after_intake] = intake[after_intake] + rng.integers(1, 150, after_intake.sum())
    treatment[after_intake] = MISSING
    treated = treatment != MISSING
    ends = treated & (rng.random(n_regs) < 0.5)  # end of the care episode, when known
    exit_[ends] = treatment[ends] + rng.integers(30, 400, ends.sum())
    # Once a person starts treatment somewhere, 70 % of their other open registrations are
    # closed within two months; the rest linger (the well-known stale registrations).
    t_first = np.minimum.reduceat(np.where(treated, treatment, MISSING), np.cumsum(counts) - counts)
    t_person = t_first[person]
    cleanup = (t_person < treatment) & (rng.random(n_regs) < 0.7)
    exit_[cleanup] = np.minimum(
        exit_[cleanup], t_person[cleanup] + rng.integers(0, 60, cleanup.sum())
    )
    # Censoring at extraction: dates after 2024-12-31 are not known yet.
    for arr in (intake, treatment, exit_):
        arr[arr > LAST_DAY] = MISSING
    preferred = rng.random(n_regs) < 0.15

    # Database-like row order (by registration date) and person pseudonym codes that carry no
    # order: the engine may not rely on rows being grouped by person.
    order = np.argsort(registration, kind="stable")
    code = rng.permutation(n_persons)
    regs = Registrations(
        person=code[person[order]],
        provider=provider[order],
        municipality=municipality[order],
        diagnosis_group=group[order],
        registration_date=registration[order].astype(np.int32),
        intake_date=intake[order].astype(np.int32),
        treatment_start_date=treatment[order].astype(np.int32),
        exit_date=exit_[order].astype(np.int32),
        preferred=preferred[order],
    )
    return regs, rom, {"municipalities": n_mun, "regions": n_regions, "diagnosis_groups": n_groups}


def run_engine(regs: Registrations, rom: np.ndarray) -> CountTable:
    return waiting_counts(regs, region_of_municipality=rom, months=MONTHS)


def run_polars(regs: Registrations, rom: np.ndarray) -> CountTable:
    from vangnet.engines.waitcount import polars_impl

    return polars_impl.waiting_counts(regs, region_of_municipality=rom, months=MONTHS)


def run_duckdb(regs: Registrations, rom: np.ndarray) -> CountTable:
    from vangnet.engines.waitcount import duckdb_impl

    return duckdb_impl.waiting_counts(regs, region_of_municipality=rom, months=MONTHS)


IMPLS: dict[str, Callable[[Registrations, np.ndarray], CountTable]] = {
    "engine": run_engine,
    "polars": run_polars,
    "duckdb": run_duckdb,
}


def _status(field: str) -> int:
    """A /proc/self/status memory field in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak() -> None:
    # Writing 5 resets VmHWM to the current RSS (Linux >= 4.0).
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _trim_heap() -> None:
    """Give freed heap memory back to the OS (glibc), so that memory an implementation reuses
    from earlier frees shows up in its RSS again instead of hiding in the baseline."""
    # Without glibc the measurement may understate a little; nothing else changes.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _measure_memory(name: str, n_regs: int, n_persons: int, queue: Any) -> None:
    import duckdb  # noqa: F401 - import all libraries before the baseline, like the parent
    import polars  # noqa: F401

    regs, rom, _ = generate(n_regs, n_persons)
    out = {}
    for phase in ("cold", "warm"):
        _trim_heap()
        _reset_peak()
        base = _status("VmRSS")
        IMPLS[name](regs, rom)
        out[phase] = round((_status("VmHWM") - base) / 2**20, 1)
    queue.put(out)


def measure_memory(name: str, n_regs: int, n_persons: int) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measure_memory, args=(name, n_regs, n_persons, queue))
    proc.start()
    result: dict[str, float] = queue.get(timeout=600)
    proc.join()
    return result


def assert_identical(a: CountTable, b: CountTable, label: str) -> None:
    ca, cb = a.columns(), b.columns()
    if len(a) != len(b):
        raise AssertionError(f"{label}: {len(a)} cells vs {len(b)} cells")
    for name in ca:
        if not np.array_equal(ca[name], cb[name]):
            bad = np.flatnonzero(ca[name] != cb[name])[:5]
            raise AssertionError(f"{label}: column {name} differs at rows {bad.tolist()}")


def time_rounds(
    fns: dict[str, Callable[[], CountTable]], repeats: int, budget_s: float
) -> dict[str, list[float]]:
    """Interleaved rounds (each implementation once per round), so that load from other
    processes on a shared machine hits all of them alike; stops early after ``budget_s`` when
    at least three rounds are done."""
    runs: dict[str, list[float]] = {name: [] for name in fns}
    start = time.perf_counter()
    for _ in range(repeats):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - t)
        if time.perf_counter() - start > budget_s and len(runs["engine"]) >= 3:
            break
    return runs


def machine_info() -> dict[str, Any]:
    import duckdb
    import numba
    import polars
    import pyarrow

    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba_threading_layer": numba.threading_layer(),
        "numba_threads": numba.get_num_threads(),
        "polars": polars.__version__,
        "polars_threads": polars.thread_pool_size(),
        "duckdb": duckdb.__version__,
        "pyarrow": pyarrow.__version__,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="100k registrations smoke run")
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    parser.add_argument("--out", type=Path, default=None, help="JSON output path")
    args = parser.parse_args()
    n_regs, n_persons = (100_000, 80_000) if args.small else (3_000_000, 2_400_000)
    # Only the full run is a committed result; a smoke run writes to the temp directory.
    out_path = args.out or (
        Path(tempfile.gettempdir()) / "waitcount-small.json"
        if args.small
        else REPO / "bench" / "results" / "waitcount.json"
    )

    t0 = time.perf_counter()
    load_at_start = os.getloadavg()
    regs, rom, sizes = generate(n_regs, n_persons)
    gen_s = time.perf_counter() - t0
    print(f"generated {len(regs):,} registrations in {gen_s:.1f} s", flush=True)

    results: dict[str, CountTable] = {}
    warmup: dict[str, float] = {}
    for name, fn in IMPLS.items():
        t = time.perf_counter()
        results[name] = fn(regs, rom)  # warm-up (numba: load cache or compile)
        warmup[name] = time.perf_counter() - t
    fns = {name: (lambda fn=fn: fn(regs, rom)) for name, fn in IMPLS.items()}
    rounds = time_rounds(fns, args.repeats, budget_s=240.0)
    times: dict[str, dict[str, Any]] = {}
    for name, runs in rounds.items():
        times[name] = {
            "median_s": round(statistics.median(runs), 4),
            "min_s": round(min(runs), 4),
            "runs_s": [round(r, 4) for r in runs],
            "warmup_s": round(warmup[name], 3),
        }
        print(f"{name:7s} median {times[name]['median_s']:.3f} s  runs {times[name]['runs_s']}")
    assert_identical(results["engine"], results["polars"], "engine vs polars")
    assert_identical(results["engine"], results["duckdb"], "engine vs duckdb")
    print(f"identical: {len(results['engine']):,} cells", flush=True)
    info = machine_info()  # after the runs: numba's threading layer is only known then
    info["load_average_at_start"] = load_at_start
    info["load_average_after_timing"] = os.getloadavg()

    memory: dict[str, dict[str, float]] = {}
    if not args.no_memory:
        for name in IMPLS:
            memory[name] = measure_memory(name, n_regs, n_persons)
            print(
                f"{name:7s} peak RSS increase cold {memory[name]['cold']:.0f} MiB, "
                f"warm {memory[name]['warm']:.0f} MiB",
                flush=True,
            )

    engine_s = times["engine"]["median_s"]
    ratios = {
        "polars_over_engine": round(times["polars"]["median_s"] / engine_s, 2),
        "duckdb_over_engine": round(times["duckdb"]["median_s"] / engine_s, 2),
    }
    table = results["engine"]
    peak_engine = max(memory["engine"].values()) if memory else None
    goals = {
        "engine_3x_faster_than_polars": ratios["polars_over_engine"] >= 3,
        "engine_8x_faster_than_duckdb": ratios["duckdb_over_engine"] >= 8,
        "engine_peak_memory_under_1GB": None if peak_engine is None else peak_engine < 1000,
    }
    report = {
        "benchmark": "waiting counts per month x veiligheidsregio x diagnosis group",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "sizes": {
            "registrations": len(regs),
            "persons": int(np.unique(regs.person).size),
            "providers": int(np.unique(regs.provider).size),
            **sizes,
            "months": len(MONTHS),
            "output_cells": len(table),
            "registration_months_waiting": int(table.registrations_waiting.sum()),
            "share_intake_missing": round(float((regs.intake_date == MISSING).mean()), 3),
            "share_treatment_missing": round(
                float((regs.treatment_start_date == MISSING).mean()), 3
            ),
            "seed": 2025,
        },
        "method": {
            "timed": "whole computation from the same in-memory numpy arrays to the result "
            "table (engine incl. its per-person counting sort; polars incl. building the "
            "LazyFrame; duckdb incl. the zero-copy Arrow handover and connection)",
            "warmup": "one untimed call per implementation before timing (numba JIT with "
            "cache=True: the warm-up loads the cached machine code, or compiles on a first run)",
            "statistic": "median of the timed repeats, run in interleaved rounds (engine, "
            "polars, duckdb, engine, ...) so that load from other processes on the shared "
            "machine hits all three alike",
            "memory": "peak RSS increase (VmHWM after a reset via /proc/self/clear_refs minus "
            "VmRSS before the call, after malloc_trim) in a fresh subprocess holding the same "
            "data; cold = first call, incl. loading numba's cached kernels / library start-up; "
            "warm = the second call (may understate for allocators that keep freed memory, "
            "e.g. Polars' jemalloc). The goal is checked against the larger of the two.",
            "threads": "all implementations use all cores (numba prange, polars and duckdb "
            "thread pools)",
            "identical_results": True,
        },
        "generation_s": round(gen_s, 2),
        "times": times,
        "ratios": ratios,
        "peak_memory_mib": memory,
        "goals": goals,
        "goals_met": all(v is not False for v in goals.values()),
        "total_runtime_s": round(time.perf_counter() - t0, 1),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"ratios": ratios, "goals": goals}, indent=2))
    print(f"wrote {out_path} in {report['total_runtime_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
