"""Discrete-event simulation of waiting lists (see :mod:`.engine` for the model and its
assumptions, :mod:`.theory` for the oracles, :mod:`.calibrate` for the data side)."""

from vangnet.engines.simulation.engine import (
    INTAKE_NORM_DAYS,
    TREATMENT_NORM_DAYS,
    Clients,
    Monthly,
    Network,
    QueueStats,
    SimulationInputError,
    mmc_network,
    simulate,
    simulate_customers,
    summarise,
    with_changes,
)
from vangnet.engines.simulation.parallel import Replicated, run_replications

__all__ = [
    "INTAKE_NORM_DAYS",
    "TREATMENT_NORM_DAYS",
    "Clients",
    "Monthly",
    "Network",
    "QueueStats",
    "Replicated",
    "SimulationInputError",
    "mmc_network",
    "run_replications",
    "simulate",
    "simulate_customers",
    "summarise",
    "with_changes",
]
