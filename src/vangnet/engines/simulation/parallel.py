"""Replications in parallel: threads on the local cores (the kernels release the GIL), or a
Dask cluster when a scheduler address is given (``VANGNET_DASK_SCHEDULER``).

Replication i always gets child i of ``SeedSequence(seed)``, so results are the same whichever
way they are computed and however many workers there are.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

DASK_ENV = "VANGNET_DASK_SCHEDULER"
DASK_CONNECT_TIMEOUT = "5s"


@dataclass(frozen=True)
class Replicated:
    results: list[Any]
    where: str  # "local:N" or "dask:ADDRESS"
    note: str  # Dutch, empty when nothing to report (e.g. the Dask fallback)


def seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(replications)


def run_replications(
    fn: Callable[[np.random.SeedSequence], T],
    *,
    seed: int = 0,
    replications: int = 0,
    children: Sequence[np.random.SeedSequence] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Replicated:
    """``[fn(s) for s in seeds(seed, replications)]``, computed in parallel.

    ``scheduler`` (default: the environment variable) sends the work to that Dask scheduler;
    ``fn`` must then be picklable (a module-level function or a ``functools.partial`` of one).
    An unreachable scheduler is not an error: the work runs on the local cores and the note says
    so. ``children`` (instead of seed and replications) runs those seed sequences, e.g. the
    next part of a longer run.
    """
    if children is None:
        children = seeds(seed, replications)
    replications = len(children)
    address = scheduler if scheduler is not None else os.environ.get(DASK_ENV, "")
    note = ""
    if address:
        try:
            return Replicated(_on_dask(fn, children, address), f"dask:{address}", "")
        except (OSError, TimeoutError) as exc:
            note = (
                f"De Dask-scheduler {address} is niet bereikbaar ({type(exc).__name__}); "
                "de replicaties zijn op de eigen processorkernen gerekend."
            )
    n = workers or os.cpu_count() or 1
    n = max(1, min(n, replications))
    if n == 1:
        results = [fn(s) for s in children]
    else:
        with ThreadPoolExecutor(max_workers=n) as pool:
            results = list(pool.map(fn, children))
    return Replicated(results, f"local:{n}", note)


def _on_dask(
    fn: Callable[[np.random.SeedSequence], T],
    children: Sequence[np.random.SeedSequence],
    address: str,
) -> list[T]:
    from distributed import Client

    with Client(address, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False) as client:
        futures = client.map(fn, list(children), pure=False)
        return list(client.gather(futures))
