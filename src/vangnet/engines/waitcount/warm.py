"""Load (or compile) every numba kernel of the engine once, so no request pays for it.

numba caches compiled kernels next to their source (``cache=True``); a fresh install has an empty
cache and the first call compiles for several seconds. ``make serve`` runs this before it starts
the server, and it is cheap when the cache is warm (the kernels are only loaded).
"""

from __future__ import annotations

import time

import numpy as np

from vangnet.engines.waitcount.engine import flows, largest_breaches, provider_waits, waiting_counts
from vangnet.engines.waitcount.model import MISSING, Registrations, peildatum


def warm() -> float:
    """Run each engine function on a small generated month; returns the seconds it took."""
    started = time.perf_counter()
    rng = np.random.default_rng(0)
    n = 200
    end = peildatum(2024, 3)
    registration = (end - rng.integers(0, 200, n)).astype(np.int32)
    intake = np.where(rng.random(n) < 0.5, registration + 10, MISSING).astype(np.int32)
    regs = Registrations(
        person=rng.integers(0, 150, n).astype(np.int64),
        provider=rng.integers(0, 5, n).astype(np.int32),
        municipality=rng.integers(0, 4, n).astype(np.int32),
        diagnosis_group=rng.integers(0, 3, n).astype(np.int16),
        registration_date=registration,
        intake_date=intake,
        treatment_start_date=np.full(n, MISSING, dtype=np.int32),
        exit_date=np.full(n, MISSING, dtype=np.int32),
        preferred=rng.random(n) < 0.1,
    )
    rom = np.array([0, 0, 1, -1], dtype=np.int32)
    months = [(2024, 3)]
    waiting_counts(regs, region_of_municipality=rom, months=months)
    flows(regs, region_of_municipality=rom, months=months)
    provider_waits(regs, months=months)
    largest_breaches(regs, region_of_municipality=rom, months=months)
    return time.perf_counter() - started
