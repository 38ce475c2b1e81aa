"""Queueing theory the engine is held against: Erlang-C (M/M/c), Erlang-A (M/M/c+M) and
Cobham's non-preemptive priority formula for M/M/c with two classes.

Erlang-A is computed from its birth-death chain (state = clients present; birth rate λ, death
rate min(n, c)·μ + max(n − c, 0)·θ), truncated where the stationary mass is negligible: exact up
to rounding, and with θ = 0 it reproduces the Erlang-C closed form (a test checks that).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Theory:
    mean_wait: float  # E[W_q] over all arrivals (those who leave: until they leave)
    p_wait: float  # P(W_q > 0)
    abandonment: float  # P(leave untreated)


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> Theory:
    """M/M/c: P(wait) = C(c, a) and E[W_q] = C / (cμ − λ), a = λ/μ < c."""
    c, a = servers, arrival_rate / service_rate
    if a >= c:
        raise ValueError("Erlang-C needs λ < cμ")
    # Erlang-B by its stable recursion, then C = B / (1 − ρ(1 − B)).
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    p = b / (1 - rho * (1 - b))
    return Theory(p / (c * service_rate - arrival_rate), p, 0.0)


def erlang_a(
    servers: int, arrival_rate: float, service_rate: float, patience_mean: float
) -> Theory:
    """M/M/c+M (Palm/Erlang-A) via the birth-death chain, θ = 1 / patience_mean."""
    c, lam, mu = servers, arrival_rate, service_rate
    theta = 0.0 if math.isinf(patience_mean) else 1.0 / patience_mean
    if theta == 0.0:
        return erlang_c(c, lam, mu)
    # log-weights to stay finite: log π_n − log π_0 = Σ log(λ / death_k)
    n_max = c + 50
    while True:
        deaths = (
            np.minimum(np.arange(1, n_max + 1), c) * mu
            + np.maximum(np.arange(1, n_max + 1) - c, 0) * theta
        )
        logw = np.concatenate([[0.0], np.cumsum(np.log(lam / deaths))])
        if logw[-1] - logw.max() < -40:
            break
        n_max *= 2
    w = np.exp(logw - logw.max())
    pi = w / w.sum()
    n = np.arange(len(pi))
    queue = np.maximum(n - c, 0)
    eq = float((pi * queue).sum())
    return Theory(eq / lam, float(pi[c:].sum()), theta * eq / lam)


def priority_waits(
    servers: int, urgent_rate: float, normal_rate: float, service_rate: float
) -> tuple[float, float]:
    """Cobham: mean waits of urgent and normal clients in M/M/c with non-preemptive priority
    and one service rate: W_k = C(c, a) / (cμ) / ((1 − σ_{k−1})(1 − σ_k))."""
    total = erlang_c(servers, urgent_rate + normal_rate, service_rate)
    w0 = total.p_wait / (servers * service_rate)
    s1 = urgent_rate / (servers * service_rate)
    s2 = (urgent_rate + normal_rate) / (servers * service_rate)
    return w0 / (1 - s1), w0 / ((1 - s1) * (1 - s2))
