"""Figures that may lag their records by a bounded time, computed by one process at a time.

Pages that show aggregates over national data (the monitor report, the waiting-list
dashboard's completeness facts) keep the last answer in the shared cache (CACHES: one file cache
for all workers of a host in production) and compute it again when it is older than its maximum
age. While one process computes, the others keep giving the stored answer: otherwise every
worker that got such a request when the answer was due computed it at the same time, and all
other pages waited behind them (bench/web.py, issue 12)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

# A process that dies while computing holds the lock at most this long.
LOCK_SECONDS = 30
# How long a stored answer is kept: beyond its maximum age it is the answer given while the
# next one is computed.
KEEP_SECONDS = 3600


def recent(key: str, compute: Callable[[], T], *, max_age: float) -> T:
    """`compute()`'s answer as computed at most `max_age` seconds ago (plus, for the others,
    the time one process takes to compute it again); `max_age` 0: computed now."""
    if max_age <= 0:
        return compute()
    stored: tuple[float, T] | None = cache.get(key)
    busy = f"{key}:busy"
    if stored is not None:
        if time.time() - stored[0] < max_age:
            return stored[1]
        if not cache.add(busy, 1, LOCK_SECONDS):
            return stored[1]  # another process is computing: the stored answer meanwhile
    try:
        value = compute()
        cache.set(key, (time.time(), value), KEEP_SECONDS)
    finally:
        if stored is not None:
            cache.delete(busy)
    return value
