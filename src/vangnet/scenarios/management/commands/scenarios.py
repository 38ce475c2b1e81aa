"""`python -m vangnet scenarios <subcommand>`: the simulation engine from the command line.

Subcommands:
  queue --servers C --arrival-rate L --service-rate M [--patience-mean P]
        --customers N --warmup W --replications R --seed S [--workers K]
      simulate a plain M/M/c (+M reneging) queue and print JSON: mean wait in queue, P(wait) and
      the abandonment share, each with its standard error over the replications, beside
      Erlang-C/A, so anyone can hold the engine against queueing theory.
  work [--scheduler ADDRESS]
      run every queued or unfinished saved scenario to the end (idempotent: finished scenarios
      are left alone, an interrupted one continues where it stopped with the same figures);
      with a Dask scheduler address (or VANGNET_DASK_SCHEDULER) the replications go there.
"""

from __future__ import annotations

import json
import math
from argparse import ArgumentParser
from functools import partial
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from vangnet.common.cli import quiet_broken_pipe
from vangnet.engines.simulation import SimulationInputError, mmc_network, run_replications
from vangnet.engines.simulation.engine import customers_replication, parse_seed
from vangnet.engines.simulation.theory import erlang_a


class Command(BaseCommand):
    help = "Scenarioanalyses van wachtlijsten: de simulatie vanaf de opdrachtregel."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        p = sub.add_parser("queue", help="simuleer een M/M/c-wachtrij (met afhakers)")
        p.add_argument("--servers", type=int, required=True)
        p.add_argument("--arrival-rate", type=float, required=True)
        p.add_argument("--service-rate", type=float, required=True)
        p.add_argument("--patience-mean", type=float, default=math.inf)
        p.add_argument("--customers", type=int, required=True)
        p.add_argument("--warmup", type=int, default=0)
        p.add_argument("--replications", type=int, default=10)
        p.add_argument("--seed", default="0")
        p.add_argument("--workers", type=int, default=None)

        p = sub.add_parser("work", help="reken alle scenario's in de wachtrij")
        p.add_argument("--scheduler", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "work":
            self._work(options["scheduler"])
            return
        try:
            result = queue(**{k: options[k] for k in QUEUE_ARGS})
        except SimulationInputError as exc:
            raise CommandError(str(exc)) from None
        with quiet_broken_pipe(self.stdout):
            self.stdout.write(json.dumps(result, indent=2))

    def _work(self, scheduler: str | None) -> None:
        from vangnet.scenarios.models import Scenario
        from vangnet.scenarios.services import scenario_run
        from vangnet.scenarios.workflow import Status

        ids = list(
            Scenario.objects.filter(status__in=[Status.QUEUED, Status.RUNNING])
            .order_by("created_at")
            .values_list("pk", flat=True)
        )
        for pk in ids:
            sc = scenario_run(scenario_id=pk, scheduler=scheduler)
            line = f"scenario {pk}: {sc.get_status_display()}"
            if sc.message:
                line += f" ({sc.message})"
            self.stdout.write(line)
        self.stdout.write(f"{len(ids)} scenario's gerekend.")


QUEUE_ARGS = (
    "servers",
    "arrival_rate",
    "service_rate",
    "patience_mean",
    "customers",
    "warmup",
    "replications",
    "seed",
    "workers",
)


def _mean_se(values: list[float]) -> dict[str, float]:
    a = np.asarray(values, np.float64)
    se = float(a.std(ddof=1) / math.sqrt(len(a))) if len(a) > 1 else math.nan
    return {"mean": float(a.mean()), "se": se}


def queue(
    *,
    servers: int,
    arrival_rate: float,
    service_rate: float,
    patience_mean: float,
    customers: int,
    warmup: int,
    replications: int,
    seed: object,
    workers: int | None,
) -> dict[str, Any]:
    if servers < 1:
        raise SimulationInputError("Het aantal servers moet minstens 1 zijn.")
    if not (arrival_rate > 0 and service_rate > 0 and patience_mean > 0):
        raise SimulationInputError(
            "Aankomst- en bedieningsintensiteit en het gemiddelde geduld moeten groter dan nul zijn."
        )
    if replications < 2:
        raise SimulationInputError("Er zijn minstens 2 replicaties nodig voor een standaardfout.")
    s = parse_seed(seed)
    net = mmc_network(
        servers=servers,
        arrival_rate=arrival_rate,
        service_rate=service_rate,
        patience_mean=patience_mean,
    )
    fn = partial(customers_replication, net=net, customers=customers, warmup=warmup)
    rep = run_replications(fn, seed=s, replications=replications, workers=workers)
    out: dict[str, Any] = {
        "model": {
            "servers": servers,
            "arrival_rate": arrival_rate,
            "service_rate": service_rate,
            "patience_mean": None if math.isinf(patience_mean) else patience_mean,
            "customers": customers,
            "warmup": warmup,
            "replications": replications,
            "seed": s,
        },
        "mean_wait": _mean_se([r.mean_wait for r in rep.results]),
        "p_wait": _mean_se([r.p_wait for r in rep.results]),
        "abandonment": _mean_se([r.abandonment for r in rep.results]),
        "computed_on": rep.where,
    }
    if rep.note:
        out["note"] = rep.note
    stable = not math.isinf(patience_mean) or arrival_rate < servers * service_rate
    if stable:
        th = erlang_a(servers, arrival_rate, service_rate, patience_mean)
        out["theory"] = {
            "formula": "Erlang-C" if math.isinf(patience_mean) else "Erlang-A",
            "mean_wait": th.mean_wait,
            "p_wait": th.p_wait,
            "abandonment": th.abandonment,
        }
    return out
