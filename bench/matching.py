"""Benchmark: the transfer matching engine on a seeded national instance (issue 14).

Instance (``vangnet.engines.matching.generate.national_instance``, seed 14): 1,500 locations in
a 300 × 200 km area, each serving 1-4 of 10 diagnosis groups, free capacity 5-40, expected wait
2-20 weeks; 50,000 candidates with a group, a current wait (exponential, mean 10 weeks), a
travel radius of 35-60 km and an expected further wait at home of 4-30 weeks; about 1.9 M
compatible pairs. Cost in tenths of a day: days beyond the norm (current wait + 7 days handover
+ the location's wait - 98) plus 0.1 day per km; staying costs the days beyond the norm at home.

Timed in one run (each the best of ``--repeat`` runs, default 3, as the machine is shared),
each from the same in-memory problem (the compatible pairs with their costs,
built once and not timed in the comparison):

* ``engine``: ``vangnet.engines.matching.solve`` - exact, with its certificate (numba; one
  untimed warm-up call on a small instance first loads or compiles the machine code);
* ``ortools``: OR-Tools ``SimpleMinCostFlow``, all arcs added with one vectorised call, build +
  solve + reading the flows; once with all pairs (``ortools``) and once with only the pairs that
  beat staying (``ortools_pruned``, the same arcs the engine searches: the peer at its best);
* ``greedy``: longest current wait first, each takes the cheapest option with room that beats
  staying (the yardstick for quality).

The script fails unless the engine's objective equals OR-Tools' and the certificate checks.
Reported: times, the ratio OR-Tools time / engine time (goal: at least 2), and how much less
excess waiting (days beyond the norm, travel not counted) the optimum leaves than greedy.

Usage: ``uv run python bench/matching.py`` (writes ``bench/results/matching.json``) or
``--small`` (5,000 candidates, 150 locations in 95 × 63 km; writes to the temp dir).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from vangnet.engines.matching import (  # noqa: E402 - after the sys.path tweak above
    Instance,
    Problem,
    Solution,
    check_certificate,
    greedy,
    solve,
)
from vangnet.engines.matching.baseline import solve_ortools  # noqa: E402
from vangnet.engines.matching.generate import national_instance  # noqa: E402


def excess_days(instance: Instance, location: np.ndarray) -> int:
    """Total days beyond the norm that an assignment leaves (travel not counted)."""
    p = instance.parameters
    home = np.maximum(0, instance.cand_wait + instance.home_wait - p.norm_days)
    moved = location >= 0
    away = np.maximum(
        0,
        instance.cand_wait + p.handover_days + instance.loc_wait[np.maximum(location, 0)]
        - p.norm_days,
    )  # fmt: skip
    return int(np.where(moved, away, home).sum())


def timed(fn: Any, repeat: int = 1) -> tuple[Any, float]:
    """The result and the best wall time of ``repeat`` runs (the machine is shared: the best
    run is the one least disturbed by the others)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return result, best


def pruned(problem: Problem) -> Problem:
    keep = problem.cost < problem.stay[problem.owner()]
    ptr = np.zeros_like(problem.ptr)
    np.cumsum(np.bincount(problem.owner()[keep], minlength=problem.n_candidates), out=ptr[1:])
    return Problem(problem.capacity, ptr, problem.loc[keep], problem.cost[keep], problem.stay)


def machine_info() -> dict[str, Any]:
    import numba
    import ortools

    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "ortools": ortools.__version__,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", action="store_true", help="small smoke run (temp dir)")
    parser.add_argument("--out", help="where to write the JSON report")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs each; best counts")
    args = parser.parse_args()
    t0 = time.perf_counter()
    if args.small:
        size = {"n_candidates": 5_000, "n_locations": 150, "width_km": 95.0, "height_km": 63.0}
        out_path = Path(args.out or Path(tempfile.gettempdir()) / "matching-small.json")
    else:
        size = {"n_candidates": 50_000, "n_locations": 1_500, "width_km": 300.0, "height_km": 200.0}
        out_path = Path(args.out or REPO / "bench" / "results" / "matching.json")

    load_at_start = os.getloadavg()
    instance, gen_s = timed(lambda: national_instance(14, **size))  # type: ignore[arg-type]
    (problem, _km), pairs_s = timed(instance.problem)
    print(f"{problem.loc.size:,} compatible pairs built in {pairs_s:.1f} s", flush=True)

    # Warm-up: load (or compile) the engine's machine code on a small instance.
    warm, _ = national_instance(1, n_candidates=300, n_locations=20).problem()
    solve(warm)
    greedy(warm, priority=np.zeros(warm.n_candidates))

    # Interleaved rounds (engine, OR-Tools, OR-Tools pruned), best of each: a burst of load
    # from the other users of the machine then hits both sides alike. CPU time is recorded too.
    small = pruned(problem)
    runs = {
        "engine": lambda: solve(problem),
        "ortools": lambda: solve_ortools(problem),
        "ortools_pruned": lambda: solve_ortools(small),
    }
    wall = {name: float("inf") for name in runs}
    cpu = {name: float("inf") for name in runs}
    results: dict[str, Any] = {}
    for _ in range(args.repeat):
        for name, run in runs.items():
            w0, c0 = time.perf_counter(), time.process_time()
            results[name] = run()
            wall[name] = min(wall[name], time.perf_counter() - w0)
            cpu[name] = min(cpu[name], time.process_time() - c0)
            print(f"{name}: {wall[name]:.2f} s wall, {cpu[name]:.2f} s cpu", flush=True)
    solution = results["engine"]
    assert isinstance(solution, Solution)
    engine_s, ortools_s, ortools_pruned_s = wall["engine"], wall["ortools"], wall["ortools_pruned"]
    or_location, or_objective = results["ortools"]
    or_pruned_objective = results["ortools_pruned"][1]
    check, check_s = timed(lambda: check_certificate(problem, solution.location, solution.prices))
    if not check.ok:
        raise SystemExit(f"certificate rejected: {check.problems}")
    yard, greedy_s = timed(lambda: greedy(problem, priority=instance.cand_wait))
    if not solution.objective == or_objective == or_pruned_objective:
        raise SystemExit(
            f"objectives differ: engine {solution.objective}, OR-Tools {or_objective} / "
            f"{or_pruned_objective}"
        )

    excess = {
        "engine": excess_days(instance, solution.location),
        "ortools": excess_days(instance, or_location),
        "greedy": excess_days(instance, yard.location),
        "nobody_moves": excess_days(instance, np.full(problem.n_candidates, -1)),
    }
    best_peer = min(ortools_s, ortools_pruned_s)
    report = {
        "benchmark": "matching",
        "machine": machine_info(),
        "load_average_at_start": load_at_start,
        "load_average_after_timing": os.getloadavg(),
        "instance": {
            **size,
            "seed": 14,
            "groups": len(instance.groups),
            "compatible_pairs": int(problem.loc.size),
            "pairs_beating_stay": int(small.loc.size),
            "total_capacity": int(instance.capacity.sum()),
        },
        "generation_s": round(gen_s, 2),
        "pairs_s": round(pairs_s, 2),
        "repeat_best_of": args.repeat,
        "cpu_s": {name: round(value, 3) for name, value in cpu.items()},
        "ratio_best_ortools_to_engine_cpu": round(
            min(cpu["ortools"], cpu["ortools_pruned"]) / cpu["engine"], 3
        ),
        "times_s": {
            "engine": round(engine_s, 3),
            "certificate_check": round(check_s, 3),
            "ortools": round(ortools_s, 3),
            "ortools_pruned": round(ortools_pruned_s, 3),
            "greedy": round(greedy_s, 3),
        },
        "ratio_ortools_to_engine": round(ortools_s / engine_s, 3),
        "ratio_best_ortools_to_engine": round(best_peer / engine_s, 3),
        # The goal read the other way round (at most 0.5): engine / best peer.
        "engine_to_best_peer_wall": round(engine_s / best_peer, 3),
        "engine_to_best_peer_cpu": round(
            cpu["engine"] / min(cpu["ortools"], cpu["ortools_pruned"]), 3
        ),
        "objective_tenths_of_a_day": {
            "engine": solution.objective,
            "ortools": or_objective,
            "greedy": yard.objective,
        },
        "transfers": {"engine": solution.transfers, "greedy": yard.transfers},
        "engine_searches": solution.searches,
        "engine_settled_locations": solution.settled,
        "excess_days": excess,
        "excess_saving_vs_greedy": round(1 - excess["engine"] / excess["greedy"], 4),
        "objective_saving_vs_greedy": round(1 - solution.objective / yard.objective, 4),
        "certificate_checked": check.ok,
        "goals": {"engine_at_most_half_of_ortools_time": best_peer / engine_s >= 2},
        "total_runtime_s": round(time.perf_counter() - t0, 1),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("times_s", "ratio_best_ortools_to_engine",
                                             "engine_to_best_peer_wall", "engine_to_best_peer_cpu",
                                             "excess_saving_vs_greedy", "goals")}, indent=2))  # fmt: skip
    print(f"wrote {out_path} in {report['total_runtime_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
