"""Replications in parallel: threads locally, a Dask cluster when configured, and the fallback
when the scheduler cannot be reached. The results are the same whichever way they are computed."""

from __future__ import annotations

from functools import partial

import pytest

from vangnet.engines.simulation import mmc_network, run_replications
from vangnet.engines.simulation.engine import customers_replication

NET = mmc_network(servers=3, arrival_rate=2.5, service_rate=1.0, patience_mean=4.0)
FN = partial(customers_replication, net=NET, customers=2_000, warmup=100)


def _waits(rep):
    return [r.mean_wait for r in rep.results]


def test_threads_give_the_same_results_as_one_worker(monkeypatch):
    monkeypatch.delenv("VANGNET_DASK_SCHEDULER", raising=False)
    one = run_replications(FN, seed=3, replications=6, workers=1)
    two = run_replications(FN, seed=3, replications=6, workers=2)
    assert one.where == "local:1" and two.where == "local:2"
    assert _waits(one) == _waits(two)
    assert len(set(_waits(one))) == 6  # independent replications


def test_dask_local_cluster_gives_the_same_results(monkeypatch):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        monkeypatch.setenv("VANGNET_DASK_SCHEDULER", cluster.scheduler_address)
        on_dask = run_replications(FN, seed=3, replications=4)
    assert on_dask.where.startswith("dask:")
    assert on_dask.note == ""
    assert _waits(on_dask) == _waits(run_replications(FN, seed=3, replications=4, scheduler=""))


def test_unreachable_scheduler_falls_back_to_local_cores_and_says_so(monkeypatch):
    monkeypatch.setenv("VANGNET_DASK_SCHEDULER", "tcp://127.0.0.1:9")
    rep = run_replications(FN, seed=3, replications=2, workers=1)
    assert rep.where == "local:1"
    assert "niet bereikbaar" in rep.note and "eigen processorkernen" in rep.note
    assert len(rep.results) == 2
