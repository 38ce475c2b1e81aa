"""The engine against SimPy on the same model (M/M/c + exponential patience + two priority
classes): within 2 combined standard errors, fixed seeds."""

from __future__ import annotations

import math

import numpy as np

from vangnet.engines.simulation import mmc_network, simulate_customers
from vangnet.engines.simulation.tests.simpy_model import simpy_queue

R = 10
MODEL = dict(servers=6, arrival_rate=6.3, service_rate=1.0, patience_mean=3.0, urgent_share=0.25)


def test_engine_agrees_with_simpy():
    net = mmc_network(**MODEL)
    ours = [
        simulate_customers(net, customers=20_000, warmup=500, seed=s)
        for s in np.random.SeedSequence(11).spawn(R)
    ]
    theirs = [simpy_queue(**MODEL, customers=4_000, warmup=500, seed=100 + i) for i in range(R)]
    for k, attr in enumerate(("mean_wait", "p_wait", "abandonment")):
        a = np.array([getattr(o, attr) for o in ours])
        b = np.array([t[k] for t in theirs])
        se = math.sqrt(a.var(ddof=1) / R + b.var(ddof=1) / R)
        assert abs(a.mean() - b.mean()) <= 2 * se, (attr, a.mean(), b.mean(), se)
