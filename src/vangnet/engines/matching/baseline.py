"""The peer: the same problem as a min-cost flow for OR-Tools' ``SimpleMinCostFlow``.

Network: candidate nodes ``0..n-1`` (supply 1), location nodes ``n..n+m-1``, one sink ``n+m``
(demand ``n``). Arcs candidate -> location (capacity 1, the pair's cost), candidate -> sink
(capacity 1, the stay cost) and location -> sink (the location's capacity, cost 0). All arcs are
added with one vectorised call. Used by the property tests and ``bench/matching.py``.
"""

from __future__ import annotations

import numpy as np

from vangnet.engines.matching.engine import INT, Problem


def solve_ortools(problem: Problem) -> tuple[np.ndarray, int]:
    """(location per candidate or -1, objective); raises if OR-Tools reports no optimum."""
    from ortools.graph.python import min_cost_flow  # heavy import, only when used

    n, m = problem.n_candidates, problem.n_locations
    e = problem.loc.shape[0]
    sink = n + m
    cand = np.arange(n, dtype=INT)
    tails = np.concatenate([problem.owner(), cand, n + np.arange(m, dtype=INT)])
    heads = np.concatenate([n + problem.loc, np.full(n, sink, INT), np.full(m, sink, INT)])
    caps = np.concatenate([np.ones(e + n, INT), problem.capacity])
    costs = np.concatenate([problem.cost, problem.stay, np.zeros(m, INT)])
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.concatenate([np.ones(n, INT), np.zeros(m, INT), [-n]])
    flow.set_nodes_supplies(np.arange(n + m + 1, dtype=INT), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow: status {status}")
    used = np.flatnonzero(flow.flows(arcs[:e]) > 0)
    location = np.full(n, -1, INT)
    location[problem.owner()[used]] = problem.loc[used]
    return location, int(flow.optimal_cost())
