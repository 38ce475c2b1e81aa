"""Discrete-event simulation of the ggz waiting path, for scenario analyses of waiting lists.

A *station* is one provider's waiting path for one region × diagnosis group (a *cell*):

    registration -> wait for an intake slot -> intake -> wait for a treatment place -> treatment

Assumptions (each one a knob or a documented simplification):

* Time is in days. Registrations arrive as a Poisson process whose rate is constant within a
  month of the horizon (trend and seasonality enter through the monthly rates).
* Intake capacity is a number of slots per week, evenly spaced (the phase is random per
  replication); an unused slot is lost. ``intake_per_week = inf`` means no intake stage (the
  client waits for a treatment place straight away, as in a textbook M/M/c queue).
* Treatment places are ``servers`` parallel servers; treatment length is exponential with mean
  ``treatment_days`` (the data holds no treatment ends; the default per group is the caller's).
* Urgent clients are served first at both stages (non-preemptive priority); within a class the
  order is first come, first served.
* Patience is exponential with mean ``patience_days`` from registration: a client not in
  treatment by then leaves the list untreated (reneging). Memoryless, so the initial queue's
  remaining patience is drawn afresh at t = 0, as are the remaining treatment times of the
  places busy at t = 0.
* Registration pause (*aanmeldpauze*): a station's new registrations in [pause_start, pause_end)
  go to the other, unpaused providers of the cell, in proportion to their spare capacity; with
  none, the registration is not made (counted as ``not_registered``).
* Transfer desk: a share ``transfer_share`` of a station's new registrations (and of its initial
  queue) is moved to another provider of the cell, chosen in proportion to spare capacity
  (treatment capacity minus expected inflow, at least 1% of capacity). Routing does not look at
  the queues' current state: it is a static policy, which keeps the stations independent given
  their arrivals (so a replication is one pass per station).
* E-health: a share ``ehealth_share`` of a station's new non-urgent registrations goes to its
  cell's e-health station, an ordinary station without intake whose servers are the concurrent
  e-health places. Its clients count as waiting until their e-health starts.
* One client is one person: the model knows no double registrations, so its waiting counts are
  compared with the unique waiting counts of the data.
* Every random number comes from NumPy's PCG64 seeded by :class:`numpy.random.SeedSequence`;
  the same seed gives the same result on any machine and with any number of workers.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vangnet.engines.simulation import _kernels as K

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

INTAKE_NORM_DAYS = 28  # Treeknorm: aanmeldwachttijd at most 4 weeks
TREATMENT_NORM_DAYS = 70  # Treeknorm: behandelwachttijd at most 10 weeks


class SimulationInputError(ValueError):
    """Input the engine cannot simulate; the message is Dutch, for the coordinator."""


@dataclass(frozen=True)
class Network:
    """The stations of one simulation and the horizon (see the module docstring)."""

    month_days: F64  # length in days of each month of the horizon
    cell: I64  # per station
    arrival_rate: F64  # (stations, months): registrations per day
    urgent_share: F64
    intake_per_week: F64  # inf: no intake stage
    servers: I64  # treatment places
    treatment_days: F64  # mean treatment length
    patience_days: F64  # mean patience; inf: nobody leaves untreated
    ehealth: B  # the station is its cell's e-health server
    ehealth_share: F64
    transfer_share: F64
    pause_start: F64  # days from the start; inf: no pause
    pause_end: F64
    initial_busy: I64  # treatment places busy at t = 0
    init_station: I64  # the initial queue, one entry per waiting client
    init_registered: F64  # days (<= 0)
    init_intake: F64  # day of intake (<= 0), NaN: still waiting for intake

    @property
    def n_stations(self) -> int:
        return len(self.cell)

    @property
    def n_months(self) -> int:
        return len(self.month_days)

    def validate(self) -> None:
        n = self.n_stations
        for name in (
            "arrival_rate",
            "urgent_share",
            "intake_per_week",
            "servers",
            "treatment_days",
            "patience_days",
            "ehealth",
            "ehealth_share",
            "transfer_share",
            "pause_start",
            "pause_end",
            "initial_busy",
        ):
            if len(getattr(self, name)) != n:
                raise SimulationInputError(f"Interne fout: {name} heeft niet {n} waarden.")
        if self.arrival_rate.shape != (n, self.n_months):
            raise SimulationInputError("Interne fout: instroom per maand heeft de verkeerde vorm.")
        if self.n_months == 0 or np.any(self.month_days <= 0):
            raise SimulationInputError("De horizon moet minstens één maand zijn.")
        checks = [
            (
                np.any(~np.isfinite(self.arrival_rate)) or np.any(self.arrival_rate < 0),
                "De instroom kan niet negatief zijn.",
            ),
            (
                np.any(np.isnan(self.intake_per_week)) or np.any(self.intake_per_week < 0),
                "De intakecapaciteit kan niet negatief zijn.",
            ),
            (np.any(self.servers < 0), "Het aantal behandelplekken kan niet negatief zijn."),
            (np.any(~(self.treatment_days > 0)), "De behandelduur moet groter dan nul zijn."),
            (np.any(~(self.patience_days > 0)), "Het geduld moet groter dan nul zijn."),
            (
                np.any(self.initial_busy < 0) or np.any(self.initial_busy > self.servers),
                "Er zijn meer bezette behandelplekken dan plekken.",
            ),
        ]
        for share, label in (
            (self.urgent_share, "Het aandeel spoed"),
            (self.ehealth_share, "Het aandeel e-health"),
            (self.transfer_share, "Het aandeel via de transferbalie"),
        ):
            checks.append(
                (np.any(~((share >= 0) & (share <= 1))), f"{label} moet tussen 0% en 100% liggen.")
            )
        for bad, message in checks:
            if bad:
                raise SimulationInputError(message)
        if np.any(self.pause_end < self.pause_start):
            raise SimulationInputError("Een aanmeldpauze moet eindigen na de start.")
        if np.any(self.init_registered > 0) or np.any(
            (self.init_station < 0) | (self.init_station >= n)
        ):
            raise SimulationInputError("Interne fout: de beginwachtlijst klopt niet.")


@dataclass(frozen=True)
class Clients:
    """Every client of one replication and what happened to them (times in days)."""

    station: I64
    registered: F64
    urgent: B
    intake: F64  # NaN: no intake before the horizon
    start: F64  # NaN: no treatment start before the horizon
    left: F64  # NaN: did not leave untreated before the horizon
    not_registered: int  # registrations lost to a pause without alternative

    @property
    def wait_end(self) -> F64:
        """When the client stopped waiting (start of treatment or leaving), inf if never."""
        end = np.where(np.isnan(self.start), self.left, self.start)
        return np.where(np.isnan(end), np.inf, end)


def _weights(net: Network) -> F64:
    """Spare treatment capacity per station (clients per day), at least 1% of capacity."""
    capacity = net.servers / net.treatment_days
    intake = np.where(np.isinf(net.intake_per_week), np.inf, net.intake_per_week / 7.0)
    capacity = np.minimum(capacity, intake)
    load = net.arrival_rate.mean(axis=1)
    return np.asarray(np.maximum(capacity - load, 0.01 * capacity) + 1e-12, np.float64)


def _cell_members(net: Network) -> tuple[I64, I64, I64]:
    """Providers (not e-health stations) per cell as CSR, and each station's e-health station."""
    n_cells = int(net.cell.max()) + 1 if net.n_stations else 0
    providers = np.flatnonzero(~net.ehealth)
    order = providers[np.argsort(net.cell[providers], kind="stable")]
    counts = np.bincount(net.cell[order], minlength=n_cells)
    ptr = np.zeros(n_cells + 1, np.int64)
    np.cumsum(counts, out=ptr[1:])
    eh_of_cell = np.full(n_cells, -1, np.int64)
    for s in np.flatnonzero(net.ehealth):
        eh_of_cell[net.cell[s]] = s
    return ptr, order.astype(np.int64), eh_of_cell[net.cell]


def simulate(net: Network, seed: int | np.random.SeedSequence) -> Clients:
    """One replication of ``net`` (the engine's core; see the module docstring)."""
    net.validate()
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.Generator(np.random.PCG64(ss))
    n = net.n_stations
    edges = np.zeros(net.n_months + 1)
    np.cumsum(net.month_days, out=edges[1:])
    horizon = float(edges[-1])

    # New registrations: Poisson counts per station × month, uniform times within the month.
    counts = rng.poisson(net.arrival_rate * net.month_days[None, :])
    flat = counts.ravel()
    origin = np.repeat(np.repeat(np.arange(n, dtype=np.int64), net.n_months), flat)
    month = np.repeat(np.tile(np.arange(net.n_months), n), flat)
    total = len(origin)
    t_new = edges[month] + rng.random(total) * net.month_days[month]
    urgent_new = rng.random(total) < net.urgent_share[origin]
    ptr_c, members, eh_station = _cell_members(net)
    dest = K.route(
        origin,
        t_new,
        urgent_new,
        rng.random(total),
        rng.random(total),
        rng.random(total),
        net.cell,
        _weights(net),
        net.transfer_share,
        net.ehealth_share,
        eh_station,
        net.pause_start,
        net.pause_end,
        ptr_c,
        members,
    )
    lost = dest < 0
    not_registered = int(lost.sum())
    dest, t_new, urgent_new = dest[~lost], t_new[~lost], urgent_new[~lost]

    # The initial queue, moved by the transfer desk like new registrations (at t = 0); e-health
    # applies to new registrations only.
    k0 = len(net.init_station)
    no_pause = np.full(n, np.inf)
    init_dest = K.route(
        net.init_station,
        np.zeros(k0),
        np.ones(k0, np.bool_),
        rng.random(k0),
        rng.random(k0),
        np.ones(k0),
        net.cell,
        _weights(net),
        net.transfer_share,
        net.ehealth_share,
        eh_station,
        no_pause,
        no_pause,
        ptr_c,
        members,
    )
    moved = init_dest != net.init_station
    init_intake = np.where(moved, np.nan, net.init_intake)  # a moved client needs a new intake
    init_urgent = rng.random(k0) < net.urgent_share[net.init_station]

    station = np.concatenate([init_dest, dest])
    registered = np.concatenate([np.minimum(net.init_registered, -1e-9), t_new])
    urgent = np.concatenate([init_urgent, urgent_new])
    done_intake = np.concatenate([init_intake, np.full(len(dest), np.nan)])
    m = len(station)

    # Sort buckets: 0 for the initial queue (t < 0), 1 + month for new registrations.
    bucket = np.concatenate([np.zeros(k0, np.int64), month[~lost] + 1])
    order, ptr = K.order_by_station(station, bucket, registered, n, net.n_months + 1)
    station, registered, urgent = station[order], registered[order], urgent[order]
    done_intake = done_intake[order]
    # Drawn in station order (after the sort), which saves reordering two more arrays.
    patience = rng.exponential(1.0, m) * net.patience_days[station]
    # Memoryless: the initial queue's remaining patience starts at t = 0.
    deadline = np.maximum(registered, 0.0) + patience
    service = rng.exponential(1.0, m) * net.treatment_days[station]

    busy_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(net.initial_busy, out=busy_ptr[1:])
    busy_until = rng.exponential(1.0, int(busy_ptr[-1])) * np.repeat(
        net.treatment_days, net.initial_busy
    )
    with np.errstate(divide="ignore"):
        interval = np.where(np.isinf(net.intake_per_week), 0.0, 7.0 / net.intake_per_week).astype(
            np.float64
        )
    phase = rng.random(n)

    intake = np.full(m, np.nan)
    start = np.full(m, np.nan)
    left = np.full(m, np.nan)
    K.simulate_network(
        ptr,
        registered,
        urgent,
        deadline,
        done_intake,
        service,
        interval,
        phase,
        net.servers.astype(np.int64),
        busy_ptr,
        busy_until,
        horizon,
        intake,
        start,
        left,
    )
    return Clients(station, registered, urgent, intake, start, left, not_registered)


def mmc_network(
    *,
    servers: int,
    arrival_rate: float,
    service_rate: float,
    patience_mean: float = math.inf,
    urgent_share: float = 0.0,
) -> Network:
    """A single M/M/c(+M) queue, for the command line and the tests against queueing theory.
    The horizon is set by :func:`simulate_customers`."""
    one = np.ones(1)
    return Network(
        month_days=np.ones(1),
        cell=np.zeros(1, np.int64),
        arrival_rate=np.full((1, 1), float(arrival_rate)),
        urgent_share=one * urgent_share,
        intake_per_week=one * np.inf,
        servers=np.full(1, servers, np.int64),
        treatment_days=one / service_rate,
        patience_days=one * patience_mean,
        ehealth=np.zeros(1, np.bool_),
        ehealth_share=one * 0.0,
        transfer_share=one * 0.0,
        pause_start=one * np.inf,
        pause_end=one * np.inf,
        initial_busy=np.zeros(1, np.int64),
        init_station=np.zeros(0, np.int64),
        init_registered=np.zeros(0),
        init_intake=np.zeros(0),
    )


@dataclass(frozen=True)
class QueueStats:
    """Per-customer averages over the customers after the warm-up, one replication."""

    mean_wait: float  # time in queue, also of those who left (until they left)
    p_wait: float  # share that waited at all
    abandonment: float  # share that left untreated
    mean_wait_urgent: float
    mean_wait_normal: float


def simulate_customers(
    net: Network, *, customers: int, warmup: int, seed: int | np.random.SeedSequence
) -> QueueStats:
    """A fixed number of arrivals (warmup + customers) at one stationary station, no horizon."""
    if customers < 1 or warmup < 0:
        raise SimulationInputError(
            "Het aantal klanten moet positief zijn, de opwarming niet negatief."
        )
    net.validate()
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.Generator(np.random.PCG64(ss))
    m = customers + warmup
    lam = float(net.arrival_rate[0, 0])
    if not lam > 0:
        raise SimulationInputError("De aankomstintensiteit moet groter dan nul zijn.")
    arr = np.cumsum(rng.exponential(1.0 / lam, m))
    urgent = rng.random(m) < net.urgent_share[0]
    deadline = arr + rng.exponential(1.0, m) * net.patience_days[0]
    service = rng.exponential(1.0, m) * net.treatment_days[0]
    intake = np.full(m, np.nan)
    start = np.full(m, np.nan)
    left = np.full(m, np.nan)
    K.simulate_station(
        arr,
        urgent,
        deadline,
        np.full(m, np.nan),
        service,
        0.0,
        0.0,
        int(net.servers[0]),
        np.zeros(0),
        np.inf,
        intake,
        start,
        left,
    )
    end = np.where(np.isnan(start), left, start)[warmup:]
    wait = end - arr[warmup:]
    u = urgent[warmup:]
    return QueueStats(
        mean_wait=float(wait.mean()),
        p_wait=float((wait > 0).mean()),
        abandonment=float((~np.isnan(left[warmup:])).mean()),
        mean_wait_urgent=float(wait[u].mean()) if u.any() else math.nan,
        mean_wait_normal=float(wait[~u].mean()) if (~u).any() else math.nan,
    )


@dataclass(frozen=True)
class Monthly:
    """One replication summarised per month of the horizon (arrays of length n_months)."""

    waiting: F64  # clients waiting at the end of the month (intake or treatment)
    over_norm: F64  # of whom over the Treeknorm of their stage
    intakes: F64
    intakes_within: F64  # intake within 4 weeks of registration
    starts: F64
    starts_within: F64  # treatment start within 10 weeks of intake
    left: F64  # left the list untreated in the month
    median_wait: float  # registration -> treatment start, days, of the starts in the horizon
    p80_wait: float
    not_registered: int


def summarise(net: Network, clients: Clients, stations: npt.ArrayLike | None = None) -> Monthly:
    """Monthly figures of the clients of ``stations`` (default: all)."""
    edges = np.zeros(net.n_months + 1)
    np.cumsum(net.month_days, out=edges[1:])
    sel = (
        np.ones(len(clients.station), np.bool_)
        if stations is None
        else np.isin(clients.station, np.asarray(stations))
    )
    reg = clients.registered[sel]
    start = clients.start[sel]
    table = K.monthly(
        reg,
        clients.intake[sel],
        start,
        clients.left[sel],
        edges,
        float(INTAKE_NORM_DAYS),
        float(TREATMENT_NORM_DAYS),
    )
    has_start = ~np.isnan(start) & (start >= 0)
    waits = (start - reg)[has_start]
    return Monthly(
        waiting=table[:, 0],
        over_norm=table[:, 1],
        intakes=table[:, 2],
        intakes_within=table[:, 3],
        starts=table[:, 4],
        starts_within=table[:, 5],
        left=table[:, 6],
        median_wait=float(np.median(waits)) if len(waits) else math.nan,
        p80_wait=float(np.quantile(waits, 0.8)) if len(waits) else math.nan,
        not_registered=clients.not_registered,
    )


def with_changes(net: Network, **changes: object) -> Network:
    """A copy of ``net`` with some fields replaced (scenarios are small edits of a baseline)."""
    return dataclasses.replace(net, **changes)  # type: ignore[arg-type]


def parse_seed(value: object) -> int:
    """A seed is a whole number from 0 to 2**63 − 1 (written in digits); anything else is refused
    in Dutch, so a published result's seed is never silently reinterpreted."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 19 or int(text) >= 2**63:
        raise SimulationInputError(
            f"Onbekend seedformaat {text[:30]!r}: gebruik een geheel getal van 0 tot 2^63 − 1."
        )
    return int(text)


def customers_replication(
    seed: np.random.SeedSequence, net: Network, customers: int, warmup: int
) -> QueueStats:
    """:func:`simulate_customers` with the seed first, for :func:`.parallel.run_replications`."""
    return simulate_customers(net, customers=customers, warmup=warmup, seed=seed)
