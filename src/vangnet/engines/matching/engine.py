"""Exact min-cost assignment of candidates to locations (or "stay"), with a certificate.

Input (:class:`Problem`): ``n`` candidates and ``m`` locations; each candidate's compatible
locations as a CSR (``ptr``, ``loc``, ``cost``), each candidate's cost of staying, and each
location's capacity. All costs are non-negative integers (tenths of a day in Vangnet).

Output (:class:`Solution`): per candidate a location index or ``-1`` (stay), the objective
(sum of the chosen costs) and the optimality certificate: one integer price per location.

Tie-breaking is part of the objective, so that the answer is one well-defined optimum: the engine
minimises the *scaled* cost ``K * cost + 1`` per transfer and ``K * stay`` per stay, with
``K = n + 1``. As at most ``n`` transfers add at most ``n < K``, an optimum of the scaled costs is
an optimum of the real costs that, among those, makes the fewest transfers; in particular a
candidate stays when a transfer does not strictly help. Remaining ties (equal cost, equal number
of transfers) are broken by a fixed scan order, so equal input gives equal output.

The certificate is the linear-programming dual: prices ``p[j] >= 0`` (in scaled units) such that,
with ``u[i] = min(K * stay[i], min_j (K * cost[i, j] + 1 + p[j]))``, every candidate's chosen
option costs exactly ``u[i]`` at these prices and every location with ``p[j] > 0`` is full. Then
``sum(u) - sum(capacity * p)`` (a lower bound on every feasible assignment, by weak duality)
equals the assignment's scaled cost, which proves it optimal.
:func:`vangnet.engines.matching.certificate.check_certificate` verifies exactly that.

How (the problem is a transportation problem with 1,500 capacitated sinks and 50,000 sources,
so everything works on location prices): one phase of a forward auction (:mod:`._auction`)
gives prices close to the equilibrium; each candidate then takes a cheapest option at those
prices, a few rounds lower the prices of locations that would keep room
(:func:`._finish.initial_choice`), and exact successive shortest paths over the locations
(:mod:`._finish`) repair the few overfull and underfull locations left. Only the finisher
decides correctness; the auction only decides how much work is left for it. Cold-start:
``solve(problem, warm_start=False)`` runs the finisher from zero prices (the tests use it as a
second, independent route to the optimum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vangnet.engines.matching import _auction, _finish, _kernels

INT = np.int64
AUCTION_EPS = 20  # auction step, in tenths of a day (cost units)
AUCTION_DROP = 10  # lowered from every auction price before the finisher (see solve)
DEFICIT_ROUNDS = 3  # price-lowering rounds before the finisher (see _finish.initial_choice)


class ProblemError(ValueError):
    """The arrays do not describe a valid problem (message in Dutch, for the coordinator)."""


@dataclass(frozen=True)
class Problem:
    """Candidates × locations in compressed rows: candidate ``i``'s options are the edges
    ``ptr[i]:ptr[i + 1]`` with location ``loc[e]`` and cost ``cost[e]``."""

    capacity: np.ndarray  # int64[m], >= 0
    ptr: np.ndarray  # int64[n + 1]
    loc: np.ndarray  # int64[E], 0 <= loc < m, strictly increasing within a candidate
    cost: np.ndarray  # int64[E], >= 0
    stay: np.ndarray  # int64[n], >= 0

    @property
    def n_candidates(self) -> int:
        return int(self.stay.shape[0])

    @property
    def n_locations(self) -> int:
        return int(self.capacity.shape[0])

    @property
    def scale(self) -> int:
        return self.n_candidates + 1

    def owner(self) -> np.ndarray:
        """Candidate index of every edge."""
        return np.repeat(np.arange(self.n_candidates, dtype=INT), np.diff(self.ptr))

    @classmethod
    def from_pairs(
        cls,
        *,
        capacity: np.ndarray,
        stay: np.ndarray,
        candidate: np.ndarray,
        location: np.ndarray,
        cost: np.ndarray,
    ) -> Problem:
        """Build from (candidate, location, cost) triples in any order; checks everything."""
        capacity = np.ascontiguousarray(capacity, dtype=INT)
        stay = np.ascontiguousarray(stay, dtype=INT)
        candidate = np.asarray(candidate, dtype=INT)
        location = np.asarray(location, dtype=INT)
        cost = np.asarray(cost, dtype=INT)
        n = stay.shape[0]
        if not (candidate.shape == location.shape == cost.shape):
            raise ProblemError("De lijsten kandidaat, locatie en kosten zijn niet even lang.")
        if candidate.size and (candidate.min() < 0 or candidate.max() >= n):
            raise ProblemError("Een paar verwijst naar een kandidaat die niet bestaat.")
        order = np.lexsort((location, candidate))
        ptr = np.zeros(n + 1, dtype=INT)
        np.cumsum(np.bincount(candidate, minlength=n), out=ptr[1:])
        problem = cls(capacity, ptr, location[order].copy(), cost[order].copy(), stay)
        problem.validate()
        return problem

    def validate(self) -> None:
        n, m = self.n_candidates, self.n_locations
        if self.ptr.shape != (n + 1,) or self.ptr[0] != 0 or np.any(np.diff(self.ptr) < 0):
            raise ProblemError("De indeling van de opties per kandidaat (ptr) klopt niet.")
        e = int(self.ptr[-1])
        if self.loc.shape != (e,) or self.cost.shape != (e,):
            raise ProblemError("Het aantal opties past niet bij de indeling per kandidaat.")
        if np.any(self.capacity < 0):
            raise ProblemError("Een locatie heeft een negatieve capaciteit.")
        if np.any(self.stay < 0) or np.any(self.cost < 0):
            raise ProblemError("Kosten mogen niet negatief zijn.")
        if e and (self.loc.min() < 0 or self.loc.max() >= m):
            raise ProblemError("Een optie verwijst naar een locatie die niet bestaat.")
        if e > 1:
            step = np.diff(self.loc)
            same_row = np.ones(e - 1, dtype=bool)
            starts = self.ptr[1:-1]
            starts = starts[(starts > 0) & (starts < e)]
            same_row[starts - 1] = False
            if np.any(step[same_row] <= 0):
                raise ProblemError(
                    "Een kandidaat heeft dezelfde locatie twee keer als optie, of de opties "
                    "staan niet op volgorde van locatie."
                )
        limit = (2**62) // max(1, 4 * self.scale)
        if (e and self.cost.max() >= limit) or (n and self.stay.max() >= limit):
            raise ProblemError("De kosten zijn te groot om exact te rekenen.")


@dataclass(frozen=True)
class Solution:
    location: np.ndarray  # int64[n]: location index, or -1 for stay
    cost: np.ndarray  # int64[n]: the chosen option's cost
    objective: int  # sum of ``cost``
    transfers: int
    prices: np.ndarray  # int64[m]: the certificate, in scaled units
    scale: int  # K: scaled cost = K * cost (+1 for a transfer)
    searches: int  # shortest-path searches (statistics)
    settled: int  # locations settled over all searches (statistics)


def solve(
    problem: Problem, *, warm_start: bool = True, start_prices: np.ndarray | None = None
) -> Solution:
    """The exact optimum (fewest transfers among optima) with its certificate.

    ``start_prices`` (scaled, >= 0, one per location; e.g. an earlier certificate) replace the
    auction's as the finisher's starting point; ``warm_start=False`` starts from zero prices.
    Either way the answer is the same optimum: only the work differs."""
    problem.validate()
    k = problem.scale
    # Options that cost at least as much as staying never help: staying is always possible,
    # so they are left out of the search (the certificate still covers them: see module doc).
    # Within a candidate, options by ascending cost (then location), so that a search can stop
    # scanning a candidate's options at the first one that is too expensive.
    ptr, loc, cost = _kernels.useful_by_cost_kernel(
        problem.ptr, problem.loc, problem.cost, problem.stay
    )
    stay = problem.stay * k
    scaled = cost * k + 1
    if start_prices is not None:
        hint_prices = np.maximum(np.asarray(start_prices, dtype=INT), 0)
        if hint_prices.shape != (problem.n_locations,):
            raise ProblemError("Er is niet precies één startprijs per locatie.")
        hint = np.full(problem.n_candidates, -1, INT)
    elif warm_start and scaled.size:
        # Near-equilibrium prices from one auction phase (see _auction, and the choice of
        # eps in docs/transfers-matching.md); the finisher makes them exact.
        # The auction runs on the unscaled costs in 32 bits where they fit: it is only a
        # heuristic (the tie-breaking +1 per transfer does not matter to it), and the bids
        # read the candidates' rows at random, so half the bytes is a third less time.
        narrow = np.int32 if max(int(cost.max()), int(problem.stay.max())) < 2**30 else INT
        unscaled_prices, hint, _bids = _auction.auction_kernel(
            problem.capacity, ptr, loc.astype(np.int32), cost.astype(narrow),
            problem.stay.astype(narrow), AUCTION_EPS, 2, AUCTION_EPS,
        )  # fmt: skip
        # Every price a little lower than the auction left it: the auction's prices sit up to
        # eps above an equilibrium, and a priced location with room (a deficit) costs the
        # finisher a search from S, while an overfull one costs a cheap local search that
        # ends at S. Lowering all prices by half a step turns most deficits into excess.
        hint_prices = np.maximum(unscaled_prices - AUCTION_DROP, 0) * k
    else:
        hint_prices = np.zeros(problem.n_locations, INT)
        hint = np.full(problem.n_candidates, -1, INT)
    prices = hint_prices.copy()
    # A location nobody can enter is full at any price; price it out of every search.
    prices[problem.capacity == 0] = int(stay.max(initial=0)) + 1
    cnt, by_loc, rev_owner, rev_a, owner = _finish.columns(problem.n_locations, ptr, loc, scaled)
    edge_of = _finish.initial_choice(
        problem.capacity, ptr, loc, scaled, stay, prices, hint, DEFICIT_ROUNDS, cnt, rev_owner,
        rev_a,
    )  # fmt: skip
    searches, settled = _finish.finish_kernel(
        problem.capacity, ptr, loc, scaled, stay, prices, edge_of, cnt, by_loc, rev_owner, rev_a,
        owner,
    )  # fmt: skip
    if searches < 0:  # pragma: no cover - the finisher always finds a path (see _finish)
        raise RuntimeError("matching finisher found no augmenting path")
    return _solution(problem, edge_of, loc, cost, prices, int(searches), int(settled))


def _solution(
    problem: Problem,
    edge_of: np.ndarray,
    loc: np.ndarray,
    cost: np.ndarray,
    prices: np.ndarray,
    searches: int,
    settled: int,
) -> Solution:
    moved = edge_of >= 0
    location = np.full(edge_of.shape[0], -1, INT)
    location[moved] = loc[edge_of[moved]]
    chosen = problem.stay.copy()
    chosen[moved] = cost[edge_of[moved]]
    return Solution(
        location=location.astype(INT),
        cost=chosen.astype(INT),
        objective=int(chosen.sum()),
        transfers=int(moved.sum()),
        prices=prices,
        scale=problem.scale,
        searches=searches,
        settled=settled,
    )


def greedy(problem: Problem, *, priority: np.ndarray) -> Solution:
    """The yardstick: candidates by descending ``priority`` (e.g. current wait; equal priority
    keeps the input order) each take the cheapest option with room left if it beats staying.
    Not optimal; its ``prices`` are all zero and prove nothing."""
    problem.validate()
    order = np.argsort(-np.asarray(priority, dtype=np.float64), kind="stable").astype(INT)
    edge_of = _kernels.greedy_kernel(
        problem.n_locations, problem.capacity, problem.ptr, problem.loc, problem.cost,
        problem.stay, order,
    )  # fmt: skip
    return _solution(
        problem, edge_of, problem.loc, problem.cost, np.zeros(problem.n_locations, INT), 0, 0
    )
