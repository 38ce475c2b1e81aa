"""Independent check of an assignment's optimality certificate (plain numpy, no search).

Given the full problem (every compatible pair, also those the engine left out), an assignment
and integer prices ``p`` per location in scaled units (``K = n + 1``, see
:mod:`vangnet.engines.matching.engine`), the assignment is optimal iff

1. it is feasible: each candidate stays or goes to one of its own options, no location over
   capacity;
2. the prices are dual feasible: ``p >= 0``;
3. complementary slackness: each candidate's chosen option has the lowest priced cost
   ``u[i] = min(K * stay[i], min_j (K * cost[i, j] + 1 + p[j]))`` (every reduced cost >= 0 and
   the chosen ones 0), and every location with ``p[j] > 0`` is full.

Then the dual objective ``sum(u) - sum(capacity * p)`` equals the assignment's scaled cost; as
every feasible assignment costs at least the dual objective (weak duality), none is cheaper.
This function recomputes everything from the problem and trusts nothing from the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vangnet.engines.matching.engine import INT, Problem


@dataclass(frozen=True)
class CertificateCheck:
    ok: bool
    problems: list[str] = field(default_factory=list)
    objective: int | None = None  # real (unscaled) cost of the assignment, if feasible
    primal_scaled: int | None = None
    dual_scaled: int | None = None


def check_certificate(
    problem: Problem, location: np.ndarray, prices: np.ndarray
) -> CertificateCheck:
    n, m, k = problem.n_candidates, problem.n_locations, problem.scale
    location = np.asarray(location, dtype=INT)
    prices = np.asarray(prices, dtype=INT)
    problems: list[str] = []
    if location.shape != (n,):
        return CertificateCheck(False, ["toewijzing heeft niet één regel per kandidaat"])
    if prices.shape != (m,):
        return CertificateCheck(False, ["certificaat heeft niet één prijs per locatie"])
    if np.any((location < -1) | (location >= m)):
        return CertificateCheck(False, ["toewijzing verwijst naar een onbekende locatie"])

    owner = problem.owner()
    # The chosen edge of every transferred candidate, found by (candidate, location) key.
    keys = owner * m + problem.loc
    order = np.argsort(keys, kind="stable")
    moved = np.flatnonzero(location >= 0)
    want = moved * m + location[moved]
    if moved.size and keys.size == 0:
        return CertificateCheck(False, ["een kandidaat gaat naar een locatie die geen optie is"])
    at = np.searchsorted(keys[order], want)
    found = (at < keys.size) & (keys[order][np.minimum(at, max(keys.size - 1, 0))] == want)
    if not np.all(found):
        bad = moved[~found]
        return CertificateCheck(
            False, [f"kandidaat {int(bad[0])} gaat naar een locatie die geen optie is"]
        )
    chosen_edge = order[at]
    real = problem.stay.copy()
    real[moved] = problem.cost[chosen_edge]
    objective = int(real.sum())

    load = np.bincount(location[moved], minlength=m)
    over = np.flatnonzero(load > problem.capacity)
    if over.size:
        problems.append(f"locatie {int(over[0])} krijgt meer kandidaten dan haar capaciteit")
    if np.any(prices < 0):
        problems.append("een prijs in het certificaat is negatief")
    slack = np.flatnonzero((prices > 0) & (load < problem.capacity))
    if slack.size:
        problems.append(f"locatie {int(slack[0])} heeft een prijs maar nog plaats")

    scaled_cost = problem.cost * k + 1
    u = problem.stay * k
    np.minimum.at(u, owner, scaled_cost + prices[problem.loc])
    paid = problem.stay * k
    paid[moved] = scaled_cost[chosen_edge] + prices[location[moved]]
    worse = np.flatnonzero(paid != u)
    if worse.size:
        problems.append(
            f"kandidaat {int(worse[0])} heeft bij deze prijzen een goedkopere optie "
            f"(negatieve gereduceerde kosten)"
        )
    primal = int(problem.stay[location < 0].sum() * k + (scaled_cost[chosen_edge]).sum())
    dual = int(u.sum() - (problem.capacity * prices).sum())
    if not problems and primal != dual:
        problems.append("primale en duale waarde verschillen")
    return CertificateCheck(not problems, problems, objective, primal, dual)
