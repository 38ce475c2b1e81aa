"""The engine against queueing theory: statistical tests with fixed seeds (not timings).

Each figure is the mean over R independent replications; it must lie within 2 standard errors
(of that mean) of the formula. The seeds are fixed, so a pass is reproducible.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vangnet.engines.simulation import mmc_network, simulate_customers
from vangnet.engines.simulation.theory import erlang_a, erlang_c, priority_waits

R = 12


def _reps(net, customers, warmup, attr, seed=2026):
    children = np.random.SeedSequence(seed).spawn(R)
    return np.array(
        [
            getattr(simulate_customers(net, customers=customers, warmup=warmup, seed=s), attr)
            for s in children
        ]
    )


def _within_2se(values, expected):
    se = values.std(ddof=1) / math.sqrt(len(values))
    assert abs(values.mean() - expected) <= 2 * se, (values.mean(), expected, se)


@pytest.mark.parametrize(("c", "lam", "mu"), [(1, 0.7, 1.0), (5, 4.0, 1.0), (20, 18.0, 1.0)])
def test_mmc_mean_wait_matches_erlang_c(c, lam, mu):
    net = mmc_network(servers=c, arrival_rate=lam, service_rate=mu)
    theory = erlang_c(c, lam, mu)
    _within_2se(_reps(net, 40_000, 2_000, "mean_wait"), theory.mean_wait)
    _within_2se(_reps(net, 40_000, 2_000, "p_wait"), theory.p_wait)


@pytest.mark.parametrize(
    ("c", "lam", "mu", "patience"), [(20, 19.0, 1.0, 5.0), (10, 12.0, 1.0, 2.0), (3, 3.0, 1.0, 1.0)]
)
def test_reneging_matches_erlang_a(c, lam, mu, patience):
    net = mmc_network(servers=c, arrival_rate=lam, service_rate=mu, patience_mean=patience)
    theory = erlang_a(c, lam, mu, patience)
    _within_2se(_reps(net, 40_000, 2_000, "abandonment"), theory.abandonment)
    _within_2se(_reps(net, 40_000, 2_000, "mean_wait"), theory.mean_wait)


def test_urgent_clients_first_matches_cobham():
    """Non-preemptive priority: both classes' mean waits as Cobham's formula says."""
    c, lam, mu, share = 4, 3.4, 1.0, 0.3
    net = mmc_network(servers=c, arrival_rate=lam, service_rate=mu, urgent_share=share)
    urgent, normal = priority_waits(c, lam * share, lam * (1 - share), mu)
    _within_2se(_reps(net, 40_000, 2_000, "mean_wait_urgent"), urgent)
    _within_2se(_reps(net, 40_000, 2_000, "mean_wait_normal"), normal)


def test_a_biased_engine_would_fail():
    """The tolerance is tight enough to catch a 5% bias in the mean wait."""
    net = mmc_network(servers=5, arrival_rate=4.0, service_rate=1.0)
    values = _reps(net, 40_000, 2_000, "mean_wait")
    se = values.std(ddof=1) / math.sqrt(len(values))
    assert 0.05 * erlang_c(5, 4.0, 1.0).mean_wait > 2 * se


def test_erlang_a_chain_reduces_to_erlang_c_closed_form():
    """With patience near infinity the chain gives the Erlang-C formula (two independent forms)."""
    chain = erlang_a(7, 6.0, 1.0, 1e9)
    closed = erlang_c(7, 6.0, 1.0)
    assert chain.p_wait == pytest.approx(closed.p_wait, rel=1e-5)
    assert chain.mean_wait == pytest.approx(closed.mean_wait, rel=1e-5)
    # The textbook value: M/M/1 at rho 0.5 waits rho / (mu - lambda) = 1.
    assert erlang_c(1, 0.5, 1.0).mean_wait == pytest.approx(1.0)
