"""Benchmark: the waiting-list simulation engine against SimPy, and at national scale.

Writes ``bench/results/simulation.json`` with, in one run:

* ``jit``: compile time of the numba kernels in a fresh process with an empty cache (cold), and
  the time to load them from the cache in a second fresh process (warm): not hidden in the rest.
* ``mmc``: M/M/20 at ρ = 0.95 (λ = 19, μ = 1) with reneging (patience exponential, mean 5),
  200,000 arrivals: customers per second of the engine (``simulate_customers``: arrival, patience
  and service draws included; median of 5 runs after one warm-up) and of SimPy (the same model,
  ``vangnet.engines.simulation.tests.simpy_model``; median of 2 runs), their ratio, and the
  agreement with Erlang-A (mean ± SE over 10 engine replications, in standard errors).
* ``national``: 300 queues in 30 cells of 10 providers (servers 5-60, ρ 0.85-1.05, intake slots
  10% above inflow, patience mean 60 days, 10% of registrations through the transfer desk),
  24 months, about 3.3 million arrivals per replication: seconds per replication on one core
  (median of 3, routing and summary included) and wall time of N replications (default 200) on
  all cores through ``run_replications`` (threads; the kernels release the GIL). On a shared
  machine the wall time depends on the other load, so the CPU time of the process per
  replication is reported beside it, and the load average at the start.

Usage: ``uv run python bench/simulation.py [--national-replications N] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from vangnet.engines.simulation import (  # noqa: E402 - after the sys.path tweak above
    Network,
    mmc_network,
    run_replications,
    simulate,
    simulate_customers,
    summarise,
)
from vangnet.engines.simulation.tests.simpy_model import simpy_queue  # noqa: E402
from vangnet.engines.simulation.theory import erlang_a  # noqa: E402

MMC = dict(servers=20, arrival_rate=19.0, service_rate=1.0, patience_mean=5.0)
ARRIVALS = 200_000

_JIT_SNIPPET = """
import time, sys
t0 = time.perf_counter()
from vangnet.engines.simulation import mmc_network, simulate, simulate_customers
from vangnet.engines.simulation.tests._nets import cell_network
net = mmc_network(servers=2, arrival_rate=1.0, service_rate=1.0, patience_mean=3.0)
simulate_customers(net, customers=100, warmup=0, seed=1)
simulate(cell_network(initial=5), 1)
print(time.perf_counter() - t0)
"""


def jit_times() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(REPO / "src")}
        runs = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", _JIT_SNIPPET],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(float(out.stdout.strip().splitlines()[-1]))
    return {"cold_compile_s": round(runs[0], 3), "warm_cache_load_s": round(runs[1], 3)}


def mmc() -> dict[str, object]:
    net = mmc_network(**MMC)
    simulate_customers(net, customers=1_000, warmup=0, seed=0)  # load/compile
    engine = []
    for i in range(5):
        t0 = time.perf_counter()
        simulate_customers(net, customers=ARRIVALS, warmup=0, seed=i)
        engine.append(time.perf_counter() - t0)
    simpy = []
    for i in range(2):
        t0 = time.perf_counter()
        simpy_queue(**MMC, customers=ARRIVALS, warmup=0, seed=i)
        simpy.append(time.perf_counter() - t0)
    e, s = statistics.median(engine), statistics.median(simpy)

    reps = [
        simulate_customers(net, customers=ARRIVALS, warmup=2_000, seed=c)
        for c in np.random.SeedSequence(2026).spawn(10)
    ]
    theory = erlang_a(20, 19.0, 1.0, 5.0)
    agreement = {}
    for key in ("mean_wait", "p_wait", "abandonment"):
        v = np.array([getattr(r, key) for r in reps])
        se = float(v.std(ddof=1) / np.sqrt(len(v)))
        agreement[key] = {
            "engine_mean": float(v.mean()),
            "engine_se": se,
            "erlang_a": getattr(theory, key),
            "z": float((v.mean() - getattr(theory, key)) / se),
        }
    return {
        "model": {**MMC, "rho": 0.95, "arrivals": ARRIVALS},
        "engine_seconds_median": round(e, 4),
        "simpy_seconds_median": round(s, 3),
        "engine_customers_per_s": round(ARRIVALS / e),
        "simpy_customers_per_s": round(ARRIVALS / s),
        "ratio_engine_to_simpy": round(s / e, 1),
        "goal_100x": s / e >= 100,
        "stretch_150x": s / e >= 150,
        "erlang_a_agreement": agreement,
    }


def national_network(seed: int = 7) -> Network:
    rng = np.random.default_rng(seed)
    n, months = 300, 24
    days = np.full(months, 365.25 * 2 / months)
    servers = rng.integers(5, 61, n)
    rho = rng.uniform(0.85, 1.05, n)
    # Scale service times so the whole network gets ~3.3 million arrivals in 24 months.
    target = 3.3e6 / days.sum()
    mean_days = float((rho * servers).sum() / target)
    lam = rho * servers / mean_days
    return Network(
        month_days=days,
        cell=np.repeat(np.arange(30), 10).astype(np.int64),
        arrival_rate=np.repeat(lam[:, None], months, axis=1),
        urgent_share=np.full(n, 0.1),
        intake_per_week=lam * 7 * 1.1,
        servers=servers.astype(np.int64),
        treatment_days=np.full(n, mean_days),
        patience_days=np.full(n, 60.0),
        ehealth=np.zeros(n, np.bool_),
        ehealth_share=np.zeros(n),
        transfer_share=np.full(n, 0.1),
        pause_start=np.full(n, np.inf),
        pause_end=np.full(n, np.inf),
        initial_busy=(servers * 0.8).astype(np.int64),
        init_station=np.zeros(0, np.int64),
        init_registered=np.zeros(0),
        init_intake=np.zeros(0),
    )


def _national_rep(seed: np.random.SeedSequence, net: Network) -> int:
    clients = simulate(net, seed)
    summarise(net, clients)
    return len(clients.station)


def national(replications: int) -> dict[str, object]:
    net = national_network()
    _national_rep(np.random.SeedSequence(0), net)  # warm-up
    one = []
    cpu = []
    arrivals = []
    for i in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        arrivals.append(_national_rep(np.random.SeedSequence(i), net))
        one.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    t0 = time.perf_counter()
    rep = run_replications(partial(_national_rep, net=net), seed=1, replications=replications)
    wall = time.perf_counter() - t0
    per = statistics.median(one)
    return {
        "queues": net.n_stations,
        "cells": 30,
        "months": net.n_months,
        "arrivals_per_replication": int(statistics.mean(arrivals)),
        "seconds_per_replication_one_core": round(per, 3),
        "cpu_seconds_per_replication": round(statistics.median(cpu), 3),
        "goal_1_5s": per <= 1.5,
        "goal_1_5s_cpu": statistics.median(cpu) <= 1.5,
        "replications": replications,
        "replications_wall_seconds": round(wall, 1),
        "computed_on": rep.where,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--national-replications", type=int, default=200)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "simulation.json"))
    args = parser.parse_args()
    result = {
        "machine": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
        },
        "jit": jit_times(),
        "mmc": mmc(),
        "national": national(args.national_replications),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
