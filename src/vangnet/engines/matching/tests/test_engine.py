"""The matching engine against OR-Tools on random instances, its certificate, ties and rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vangnet.engines.matching import (
    Instance,
    Problem,
    ProblemError,
    check_certificate,
    greedy,
    solve,
)
from vangnet.engines.matching.baseline import solve_ortools
from vangnet.engines.matching.generate import national_instance

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw, max_candidates: int = 14, max_locations: int = 5) -> Problem:
    """Small dense-ish problems with many equal costs, so that ties and congestion come up."""
    n = draw(st.integers(0, max_candidates))
    m = draw(st.integers(1, max_locations))
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    stay = draw(st.lists(st.sampled_from([0, 5, 10, 20, 40, 41]), min_size=n, max_size=n))
    cand, loc, cost = [], [], []
    for i in range(n):
        for j in range(m):
            if draw(st.booleans()):
                cand.append(i)
                loc.append(j)
                cost.append(draw(st.sampled_from([0, 1, 5, 10, 20, 30, 40])))
    return Problem.from_pairs(
        capacity=np.array(capacity), stay=np.array(stay), candidate=np.array(cand, np.int64),
        location=np.array(loc, np.int64), cost=np.array(cost, np.int64),
    )  # fmt: skip


def assert_feasible(problem: Problem, location: np.ndarray) -> None:
    owner = problem.owner()
    options = set(zip(owner.tolist(), problem.loc.tolist(), strict=True))
    for i, j in enumerate(location.tolist()):
        assert j == -1 or (i, j) in options
    load = np.bincount(location[location >= 0], minlength=problem.n_locations)
    assert np.all(load <= problem.capacity)


@FAST
@given(problems())
def test_objective_equals_ortools_and_certificate_holds(problem: Problem) -> None:
    solution = solve(problem)
    peer_location, peer_objective = solve_ortools(problem)
    assert solution.objective == peer_objective
    assert_feasible(problem, solution.location)
    assert_feasible(problem, peer_location)
    check = check_certificate(problem, solution.location, solution.prices)
    assert check.ok, check.problems
    assert check.objective == solution.objective
    assert check.primal_scaled == check.dual_scaled


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_candidates=40, max_locations=8))
def test_congested_instances_equal_ortools(problem: Problem) -> None:
    """More candidates than places and many equal costs: long displacement chains and the
    tight-path shortcut of the search come up often."""
    solution = solve(problem)
    assert solution.objective == solve_ortools(problem)[1]
    assert check_certificate(problem, solution.location, solution.prices).ok


@FAST
@given(problems())
def test_fewest_transfers_among_optima(problem: Problem) -> None:
    """Among all optima the engine makes the fewest transfers: re-solving with every transfer
    one unit dearer (in costs scaled by n + 1) cannot find fewer transfers at the same cost."""
    solution = solve(problem)
    k = problem.scale
    scaled = Problem(problem.capacity, problem.ptr, problem.loc, problem.cost * k + 1,
                     problem.stay * k)  # fmt: skip
    _, peer = solve_ortools(scaled)
    assert peer == solution.objective * k + solution.transfers


@FAST
@given(problems(), st.data())
def test_certificate_rejects_tampering(problem: Problem, data: st.DataObject) -> None:
    solution = solve(problem)
    location, prices = solution.location.copy(), solution.prices.copy()
    how = data.draw(st.sampled_from(["price", "move", "negative"]))
    if how == "price":
        j = data.draw(st.integers(0, problem.n_locations - 1))
        prices[j] += data.draw(st.sampled_from([-3, -1, 1, 7, problem.scale * 10]))
        if prices[j] < 0:
            prices[j] = 1 if solution.prices[j] != 1 else 2
    elif how == "negative":
        j = data.draw(st.integers(0, problem.n_locations - 1))
        prices[j] = -1
    else:
        if problem.n_candidates == 0:
            return
        i = data.draw(st.integers(0, problem.n_candidates - 1))
        choices = [-1, *problem.loc[problem.ptr[i] : problem.ptr[i + 1]].tolist()]
        location[i] = data.draw(st.sampled_from(choices))
    check = check_certificate(problem, location, prices)
    changed = not (
        np.array_equal(location, solution.location) and np.array_equal(prices, solution.prices)
    )
    if not changed:
        assert check.ok
        return
    if check.ok:
        # A different assignment can only pass if it is an optimum as well (same scaled cost).
        assert check.primal_scaled == solution.objective * problem.scale + solution.transfers
    else:
        assert check.problems


def test_certificate_rejects_known_tampering() -> None:
    problem = Problem.from_pairs(
        capacity=np.array([1, 1]), stay=np.array([50, 50, 50]),
        candidate=np.array([0, 0, 1, 1, 2]), location=np.array([0, 1, 0, 1, 1]),
        cost=np.array([10, 20, 10, 30, 10]),
    )  # fmt: skip
    solution = solve(problem)
    assert solution.location.tolist() == [0, -1, 1] or solution.location.tolist() == [-1, 0, 1]
    assert check_certificate(problem, solution.location, solution.prices).ok
    # Overfull location.
    assert not check_certificate(problem, np.array([0, 0, 1]), solution.prices).ok
    # Not an option of the candidate (candidate 2 has only location 1).
    bad = check_certificate(problem, np.array([-1, 1, 0]), solution.prices)
    assert not bad.ok and "geen optie" in bad.problems[0]
    # Feasible but worse: nobody moves; the prices then show a cheaper option.
    worse = check_certificate(problem, np.array([-1, -1, -1]), solution.prices)
    assert not worse.ok
    # Prices of zero prove nothing when a location is contested.
    assert not check_certificate(problem, solution.location, np.zeros(2, np.int64)).ok
    # Wrong shapes.
    assert not check_certificate(problem, solution.location[:2], solution.prices).ok
    assert not check_certificate(problem, solution.location, solution.prices[:1]).ok


def test_ties_are_broken_deterministically_and_prefer_staying() -> None:
    # Three identical candidates, two identical locations of capacity 1: equal optima.
    problem = Problem.from_pairs(
        capacity=np.array([1, 1]), stay=np.array([30, 30, 30]),
        candidate=np.repeat(np.arange(3), 2), location=np.tile(np.arange(2), 3),
        cost=np.full(6, 10),
    )  # fmt: skip
    first = solve(problem)
    for _ in range(3):
        again = solve(problem)
        assert np.array_equal(again.location, first.location)
        assert np.array_equal(again.prices, first.prices)
    assert first.objective == 50 and first.transfers == 2
    # A transfer that costs exactly as much as staying is not made.
    even = Problem.from_pairs(
        capacity=np.array([5]), stay=np.array([10, 10]), candidate=np.array([0, 1]),
        location=np.array([0, 0]), cost=np.array([10, 11]),
    )  # fmt: skip
    solution = solve(even)
    assert solution.location.tolist() == [-1, -1] and solution.objective == 20
    assert check_certificate(even, solution.location, solution.prices).ok


def test_stay_when_no_transfer_helps_and_capacity_decides_who_moves() -> None:
    problem = Problem.from_pairs(
        capacity=np.array([1]), stay=np.array([100, 300, 0]),
        candidate=np.array([0, 1, 2]), location=np.array([0, 0, 0]), cost=np.array([50, 60, 0]),
    )  # fmt: skip
    solution = solve(problem)
    # Moving candidate 1 saves 240, candidate 0 only 50; candidate 2 gains nothing.
    assert solution.location.tolist() == [-1, 0, -1]
    assert solution.objective == 100 + 60 + 0


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**31))
def test_generated_instances_respect_group_radius_refusals(seed: int) -> None:
    instance = national_instance(seed, n_locations=25, n_candidates=250, width_km=60,
                                 height_km=40, refusal_rate=0.05)  # fmt: skip
    problem, _ = instance.problem()
    solution = solve(problem)
    assert check_certificate(problem, solution.location, solution.prices).ok
    assert solution.objective == solve_ortools(problem)[1]
    moved = np.flatnonzero(solution.location >= 0)
    assert moved.size > 0
    for i in moved.tolist():
        j = int(solution.location[i])
        assert instance.loc_groups[j] >> instance.cand_group[i] & 1
        km = np.hypot(
            instance.loc_x[j] - instance.cand_x[i], instance.loc_y[j] - instance.cand_y[i]
        )
        assert km <= instance.radius[i]
        refused = instance.refused_loc[instance.refused_ptr[i] : instance.refused_ptr[i + 1]]
        assert j not in refused.tolist()
    load = np.bincount(solution.location[moved], minlength=problem.n_locations)
    assert np.all(load <= instance.capacity)
    # The greedy yardstick is feasible and never better than the optimum.
    yard = greedy(problem, priority=instance.cand_wait)
    assert_feasible(problem, yard.location)
    assert yard.objective >= solution.objective


def test_greedy_serves_the_longest_wait_first() -> None:
    problem = Problem.from_pairs(
        capacity=np.array([1]), stay=np.array([100, 300]), candidate=np.array([0, 1]),
        location=np.array([0, 0]), cost=np.array([50, 60]),
    )  # fmt: skip
    yard = greedy(problem, priority=np.array([200, 100]))
    assert yard.location.tolist() == [0, -1]  # the longer wait first, though it saves less
    assert solve(problem).location.tolist() == [-1, 0]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"capacity": [-1]}, "negatieve capaciteit"),
        ({"cost": [-5]}, "negatief"),
        ({"location": [3]}, "bestaat"),
        ({"candidate": [7]}, "bestaat"),
        ({"candidate": [0, 0], "location": [0, 0], "cost": [1, 2]}, "twee keer"),
    ],
)
def test_bad_problems_are_refused_in_dutch(kwargs: dict, words: str) -> None:
    base = {"capacity": [1], "stay": [10], "candidate": [0], "location": [0], "cost": [5]}
    base.update(kwargs)
    with pytest.raises(ProblemError, match=words):
        Problem.from_pairs(**{k: np.array(v) for k, v in base.items()})


# --- Edge cases of the auction + finisher (issue 14 §3) ----------------------------------------


@FAST
@given(problems(max_candidates=30, max_locations=6))
def test_warm_and_cold_start_reach_the_same_optimum(problem: Problem) -> None:
    """The finisher alone (from zero prices) and after the auction: the same scaled optimum,
    both certified; the auction only changes how much work is left."""
    warm = solve(problem)
    cold = solve(problem, warm_start=False)
    assert (warm.objective, warm.transfers) == (cold.objective, cold.transfers)
    for solution in (warm, cold):
        assert check_certificate(problem, solution.location, solution.prices).ok


@FAST
@given(problems(max_candidates=20, max_locations=4), st.data())
def test_zero_capacity_locations_take_nobody(problem: Problem, data: st.DataObject) -> None:
    closed = data.draw(st.lists(st.booleans(), min_size=problem.n_locations,
                                max_size=problem.n_locations))  # fmt: skip
    capacity = np.where(closed, 0, problem.capacity)
    problem = Problem(capacity, problem.ptr, problem.loc, problem.cost, problem.stay)
    solution = solve(problem)
    assert not np.isin(solution.location, np.flatnonzero(capacity == 0)).any()
    assert solution.objective == solve_ortools(problem)[1]
    assert check_certificate(problem, solution.location, solution.prices).ok


def test_all_capacity_zero_everybody_stays() -> None:
    problem = Problem.from_pairs(
        capacity=np.array([0, 0]), stay=np.array([50, 60]), candidate=np.array([0, 0, 1]),
        location=np.array([0, 1, 1]), cost=np.array([0, 1, 2]),
    )  # fmt: skip
    solution = solve(problem)
    assert solution.location.tolist() == [-1, -1] and solution.objective == 110
    assert check_certificate(problem, solution.location, solution.prices).ok


@FAST
@given(problems(max_candidates=20, max_locations=5))
def test_everybody_stays_when_no_transfer_is_cheaper(problem: Problem) -> None:
    """Every transfer costs at least the stay: nobody moves and every price is 0."""
    dear = problem.stay[problem.owner()] + problem.cost
    problem = Problem(problem.capacity, problem.ptr, problem.loc, dear, problem.stay)
    solution = solve(problem)
    assert solution.transfers == 0 and np.all(solution.location == -1)
    assert solution.objective == int(problem.stay.sum())
    assert not solution.prices[problem.capacity > 0].any()
    assert check_certificate(problem, solution.location, solution.prices).ok


@FAST
@given(problems(max_candidates=40, max_locations=1))
def test_one_location(problem: Problem) -> None:
    solution = solve(problem)
    assert solution.objective == solve_ortools(problem)[1]
    assert check_certificate(problem, solution.location, solution.prices).ok


def test_no_compatible_pairs_everybody_stays() -> None:
    """A travel radius nobody can meet: no pairs at all (also no candidates at all)."""
    instance = national_instance(3, n_locations=10, n_candidates=40, width_km=500,
                                 height_km=500)  # fmt: skip
    far = Instance(**{**instance.__dict__, "radius": np.zeros(40)})
    problem, _ = far.problem()
    assert problem.loc.size == 0
    solution = solve(problem)
    assert solution.transfers == 0 and solution.objective == int(problem.stay.sum())
    assert check_certificate(problem, solution.location, solution.prices).ok
    empty = Problem.from_pairs(capacity=np.array([3]), stay=np.zeros(0, np.int64),
                               candidate=np.zeros(0, np.int64), location=np.zeros(0, np.int64),
                               cost=np.zeros(0, np.int64))  # fmt: skip
    assert solve(empty).objective == 0


@FAST
@given(st.integers(1, 30), st.integers(1, 4), st.integers(0, 5), st.integers(0, 50))
def test_all_equal_costs(n: int, m: int, cap: int, stay: int) -> None:
    """Everything ties: the optimum, the fewest transfers, and the same answer every time."""
    problem = Problem.from_pairs(
        capacity=np.full(m, cap), stay=np.full(n, stay), candidate=np.repeat(np.arange(n), m),
        location=np.tile(np.arange(m), n), cost=np.full(n * m, 10),
    )  # fmt: skip
    solution = solve(problem)
    moves = min(n, m * cap) if stay > 10 else 0
    assert solution.transfers == moves
    assert solution.objective == solve_ortools(problem)[1]
    assert check_certificate(problem, solution.location, solution.prices).ok
    again = solve(problem)
    assert np.array_equal(again.location, solution.location)
    assert np.array_equal(again.prices, solution.prices)


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**31))
def test_mid_size_instances_need_the_finisher_and_match_ortools(seed: int) -> None:
    """Big enough that the auction leaves overfull and underfull locations to repair."""
    instance = national_instance(seed, n_locations=60, n_candidates=2_000, width_km=120,
                                 height_km=80)  # fmt: skip
    problem, _ = instance.problem()
    solution = solve(problem)
    assert solution.searches > 0
    assert solution.objective == solve_ortools(problem)[1]
    assert check_certificate(problem, solution.location, solution.prices).ok


@FAST
@given(problems(max_candidates=30, max_locations=6), st.data())
def test_finisher_reaches_the_optimum_from_any_prices(
    problem: Problem, data: st.DataObject
) -> None:
    """Arbitrary start prices leave overfull locations and underfull priced ones at once, so
    every kind of search comes up: from an overfull location, from the sink, through it."""
    k = problem.scale
    size = problem.n_locations
    start = np.array(data.draw(st.lists(st.integers(0, 45 * k), min_size=size, max_size=size)))
    solution = solve(problem, start_prices=start)
    reference = solve(problem, warm_start=False)
    assert (solution.objective, solution.transfers) == (reference.objective, reference.transfers)
    assert check_certificate(problem, solution.location, solution.prices).ok


# --- The finisher's shortcuts (bound cache, shared columns, bounded heap) ----------------------


@FAST
@given(problems(max_candidates=30, max_locations=6))
def test_columns_are_the_transpose_of_the_rows(problem: Problem) -> None:
    from vangnet.engines.matching._finish import columns

    cnt, by_loc, rev_owner, rev_a, owner = columns(
        problem.n_locations, problem.ptr, problem.loc, problem.cost
    )
    assert np.array_equal(owner, problem.owner())
    for j in range(problem.n_locations):
        edges = by_loc[cnt[j] : cnt[j + 1]]
        assert edges.tolist() == np.flatnonzero(problem.loc == j).tolist()  # in edge order
        assert np.array_equal(rev_owner[cnt[j] : cnt[j + 1]], owner[edges])
        assert np.array_equal(rev_a[cnt[j] : cnt[j + 1]], problem.cost[edges])


@FAST
@given(st.lists(st.integers(0, 50), max_size=60), st.integers(1, 8))
def test_keep_highest_gives_the_room_th_highest(values: list[int], room: int) -> None:
    from vangnet.engines.matching._finish import _keep_highest

    q = np.empty(room, np.int64)
    c = 0
    for w in values:
        c = _keep_highest(q, c, room, np.int64(w))
    assert c == min(room, len(values))
    if len(values) >= room:
        assert q[0] == sorted(values, reverse=True)[room - 1]


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2**31), st.integers(0, 60))
def test_mid_size_from_perturbed_prices_matches_ortools(seed: int, spread: int) -> None:
    """The finisher's cached bounds on each occupant's cheapest other option are exercised
    hardest from prices far from the equilibrium (many searches over the same occupants, from
    overfull locations and from S, with prices rising and the uniform drop of S): the same
    optimum as OR-Tools, certified, whatever the start."""
    instance = national_instance(seed, n_locations=60, n_candidates=2_000, width_km=120,
                                 height_km=80)  # fmt: skip
    problem, _ = instance.problem()
    exact = solve(problem)
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, spread * 10 + 1, problem.n_locations) * problem.scale
    start = np.maximum(exact.prices + noise - spread * 5 * problem.scale, 0)
    solution = solve(problem, start_prices=start)
    assert (solution.objective, solution.transfers) == (exact.objective, exact.transfers)
    assert solution.objective == solve_ortools(problem)[1]
    assert check_certificate(problem, solution.location, solution.prices).ok
    # The lowest certificate does not depend on where the search started.
    assert np.array_equal(solution.prices, exact.prices)
