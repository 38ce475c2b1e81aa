"""Small generated networks for the tests."""

from __future__ import annotations

import numpy as np

from vangnet.engines.simulation import Network


def cell_network(
    *,
    n_providers: int = 3,
    months: int = 6,
    rate: float = 2.0,
    servers: int = 40,
    treatment_days: float = 25.0,
    intake_per_week: float = 16.0,
    ehealth_servers: int = 0,
    initial: int = 0,
) -> Network:
    """One cell with ``n_providers`` providers (and an e-health station when asked)."""
    n = n_providers + (1 if ehealth_servers else 0)
    eh = np.zeros(n, np.bool_)
    if ehealth_servers:
        eh[-1] = True
    rates = np.full((n, months), rate)
    if ehealth_servers:
        rates[-1] = 0.0
    servers_a = np.full(n, servers, np.int64)
    if ehealth_servers:
        servers_a[-1] = ehealth_servers
    intake = np.full(n, intake_per_week)
    if ehealth_servers:
        intake[-1] = np.inf
    rng = np.random.default_rng(0)
    return Network(
        month_days=np.full(months, 30.0),
        cell=np.zeros(n, np.int64),
        arrival_rate=rates,
        urgent_share=np.full(n, 0.1),
        intake_per_week=intake,
        servers=servers_a,
        treatment_days=np.full(n, treatment_days),
        patience_days=np.full(n, 200.0),
        ehealth=eh,
        ehealth_share=np.zeros(n),
        transfer_share=np.zeros(n),
        pause_start=np.full(n, np.inf),
        pause_end=np.full(n, np.inf),
        initial_busy=np.where(eh, 0, servers // 2).astype(np.int64),
        init_station=rng.integers(0, n_providers, initial).astype(np.int64),
        init_registered=-rng.random(initial) * 60,
        init_intake=np.full(initial, np.nan),
    )
