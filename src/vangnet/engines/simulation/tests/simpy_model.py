"""The same M/M/c(+M) queue with two priority classes in SimPy: the independent simulator the
engine is held against (tests) and timed against (bench/simulation.py)."""

from __future__ import annotations

import math

import numpy as np
import simpy


def simpy_queue(
    *,
    servers: int,
    arrival_rate: float,
    service_rate: float,
    patience_mean: float,
    customers: int,
    warmup: int,
    seed: int,
    urgent_share: float = 0.0,
) -> tuple[float, float, float]:
    """Mean wait in queue, P(wait > 0), abandonment share over the customers after the warm-up."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    places = simpy.PriorityResource(env, capacity=servers)
    n = customers + warmup
    waits = np.zeros(n)
    left = np.zeros(n, np.bool_)

    def client(i: int, urgent: bool, patience: float, service: float):  # type: ignore[no-untyped-def]
        arrived = env.now
        with places.request(priority=0 if urgent else 1) as req:
            if math.isinf(patience):
                yield req
            else:
                yield req | env.timeout(patience)
            waits[i] = env.now - arrived
            if not req.triggered:
                left[i] = True
                return
            yield env.timeout(service)

    def source():  # type: ignore[no-untyped-def]
        for i in range(n):
            yield env.timeout(rng.exponential(1.0 / arrival_rate))
            patience = math.inf if math.isinf(patience_mean) else rng.exponential(patience_mean)
            env.process(
                client(i, rng.random() < urgent_share, patience, rng.exponential(1 / service_rate))
            )

    env.process(source())
    env.run()
    w = waits[warmup:]
    return float(w.mean()), float((w > 0).mean()), float(left[warmup:].mean())
