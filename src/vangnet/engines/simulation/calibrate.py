"""Calibration of a cell's network from its monthly waiting-list history, and the backtest.

Input (:class:`History`): per provider and month the registrations, intakes, treatment starts,
exits without treatment and the registrations waiting at the end of the month (for intake and
in all), plus the clients waiting at the end of the last month (the initial queue).

Estimates (each one stated, so a user knows what to doubt):

* **Arrivals**: the cell's registrations per day, log-linear in time (trend kept only when the
  slope is at least two standard errors from zero), times a calendar-month factor when the history
  covers at least 24 months (seasonality); spread over the providers by their share of the
  history's registrations.
* **Intake capacity** (slots per week): a provider's mean intakes per week over the months that
  began with clients waiting for intake (then the slots were the limit); with no such month, the
  mean over all months (a lower bound).
* **Treatment places**: the data has no treatment ends, so the treatment length is a default per
  diagnosis group (the caller's, changeable); places = treatment starts per day × that length,
  the steady-state throughput of the places (Little's law), at least 1.
* **Patience**: exits without treatment per waiting client-day (the exponential patience's rate,
  by maximum likelihood), pooled over the cell's providers; no exits: nobody leaves.
* **Initial queue**: the clients waiting at the end of the last month, with their registration
  and intake dates; the places start full when clients wait for treatment.

Backtest: calibrate on the first ``fit_months`` of a history, simulate the next
``test_months`` with the actual initial queue, and compare the simulated mean monthly waiting
count of the cell with what happened, beside the naive forecast (last observed value carried
forward): mean absolute error and mean absolute percentage error of both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from vangnet.engines.simulation.engine import (
    Clients,
    Network,
    SimulationInputError,
    simulate,
    summarise,
)

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

MIN_FIT_MONTHS = 6
SEASONAL_MONTHS = 24


@dataclass(frozen=True)
class History:
    """Monthly history of one cell; arrays are (providers, months) unless noted."""

    months: list[tuple[int, int]]
    month_days: F64  # (months,)
    arrivals: F64
    intakes: F64
    starts: F64
    exits_untreated: F64
    waiting: F64  # at the end of the month
    waiting_intake: F64  # of whom still waiting for intake
    cell_waiting: F64  # (months,) unique waiting persons of the cell at the end of the month
    # The clients waiting at the end of the last month: provider index, days since registration
    # and since intake (NaN: no intake yet), counted back from that day.
    init_provider: I64
    init_waited: F64
    init_since_intake: F64

    @property
    def n_providers(self) -> int:
        return int(self.arrivals.shape[0])

    @property
    def n_months(self) -> int:
        return len(self.months)

    def head(self, k: int) -> History:
        """The first k months, without an initial queue."""
        return History(
            months=self.months[:k],
            month_days=self.month_days[:k],
            arrivals=self.arrivals[:, :k],
            intakes=self.intakes[:, :k],
            starts=self.starts[:, :k],
            exits_untreated=self.exits_untreated[:, :k],
            waiting=self.waiting[:, :k],
            waiting_intake=self.waiting_intake[:, :k],
            cell_waiting=self.cell_waiting[:k],
            init_provider=np.zeros(0, np.int64),
            init_waited=np.zeros(0),
            init_since_intake=np.zeros(0),
        )


@dataclass(frozen=True)
class Calibration:
    """Estimated parameters of one cell and the network to simulate from the end of its history."""

    level_per_day: float  # cell arrivals per day in the last history month (fitted)
    trend_per_month: float  # relative change per month (0: no significant trend)
    seasonal: F64  # (12,) factor per calendar month, all 1 without seasonality
    provider_share: F64
    intake_per_week: F64
    servers: I64
    treatment_days: F64
    patience_days: float
    notes: list[str] = field(default_factory=list)  # Dutch, what the data did not show

    def arrival_rate(self, months: list[tuple[int, int]], first_offset: int) -> F64:
        """(providers, len(months)) registrations per day; first_offset = months after the
        last history month."""
        k = np.arange(first_offset, first_offset + len(months))
        season = np.array([self.seasonal[m - 1] for _, m in months])
        cell = self.level_per_day * (1 + self.trend_per_month) ** k * season
        return np.asarray(self.provider_share[:, None] * cell[None, :], np.float64)


def _fit_arrivals(h: History) -> tuple[float, float, F64, list[str]]:
    notes: list[str] = []
    rate = h.arrivals.sum(axis=0) / h.month_days
    t = np.arange(h.n_months, dtype=np.float64)
    seasonal = np.ones(12)
    y = np.log(np.maximum(rate, 1e-9))
    if h.n_months >= SEASONAL_MONTHS:
        cal = np.array([m - 1 for _, m in h.months])
        # Detrend with a straight line, then the mean residual per calendar month.
        slope0, icept0 = np.polyfit(t, y, 1)
        resid = y - (icept0 + slope0 * t)
        for c in range(12):
            if (cal == c).any():
                seasonal[c] = math.exp(float(resid[cal == c].mean()))
        seasonal /= float(np.exp(np.log(seasonal).mean()))
        y = y - np.log(seasonal[cal])
    else:
        notes.append(
            f"Geen seizoenspatroon geschat: daarvoor zijn {SEASONAL_MONTHS} maanden nodig, "
            f"er zijn er {h.n_months}."
        )
    slope, icept = np.polyfit(t, y, 1)
    resid = y - (icept + slope * t)
    dof = max(h.n_months - 2, 1)
    se = math.sqrt(float((resid**2).sum()) / dof / float(((t - t.mean()) ** 2).sum()))
    if abs(slope) < 2 * se:
        slope = 0.0
        level = float(np.exp(y.mean()))
    else:
        level = float(np.exp(icept + slope * t[-1]))
    return level, math.expm1(float(slope)), seasonal, notes


def calibrate(h: History, *, treatment_days: float | F64) -> Calibration:
    """Estimate the cell's parameters (see the module docstring)."""
    if h.n_providers == 0 or h.arrivals.sum() == 0:
        raise SimulationInputError(
            "Geen wachtlijstgeschiedenis voor deze regio en diagnosegroep: er zijn geen "
            "aanmeldingen aangeleverd."
        )
    if h.n_months < MIN_FIT_MONTHS:
        raise SimulationInputError(
            f"Te weinig geschiedenis om te kalibreren: {h.n_months} maanden, er zijn er minstens "
            f"{MIN_FIT_MONTHS} nodig (aanmeldingen, intakes, starts en wachtenden per maand)."
        )
    level, trend, seasonal, notes = _fit_arrivals(h)
    share = h.arrivals.sum(axis=1) / h.arrivals.sum()
    weeks = h.month_days / 7.0
    intake = np.empty(h.n_providers)
    # A month "began with a queue" if clients waited for intake at the end of the month before.
    queued = np.zeros_like(h.waiting_intake, dtype=np.bool_)
    queued[:, 1:] = h.waiting_intake[:, :-1] > 0
    for p in range(h.n_providers):
        per_week = h.intakes[p] / weeks
        intake[p] = per_week[queued[p]].mean() if queued[p].any() else per_week.mean()
    tdays = np.broadcast_to(np.asarray(treatment_days, np.float64), (h.n_providers,)).copy()
    if np.any(tdays <= 0):
        raise SimulationInputError("De behandelduur moet groter dan nul zijn.")
    starts_per_day = h.starts.sum(axis=1) / h.month_days.sum()
    servers = np.maximum(np.rint(starts_per_day * tdays), 1).astype(np.int64)
    exposure = float((h.waiting * h.month_days[None, :]).sum())
    exits = float(h.exits_untreated.sum())
    if exits == 0 or exposure == 0:
        patience = math.inf
        notes.append(
            "Geen uitval zonder behandeling in de gegevens: niemand haakt af in het model."
        )
    else:
        patience = exposure / exits
    return Calibration(level, trend, seasonal, share, intake, servers, tdays, patience, notes)


def network(
    cal: Calibration,
    h: History,
    *,
    months: list[tuple[int, int]],
    month_days: F64,
) -> Network:
    """The cell's network from the end of its history over ``months`` (the initial queue is the
    history's; places start full where clients wait for treatment)."""
    n = h.n_providers
    waiting_treatment = np.zeros(n)
    if len(h.init_provider):
        waiting_treatment = np.bincount(
            h.init_provider[~np.isnan(h.init_since_intake)], minlength=n
        ).astype(np.float64)
    busy = np.where(waiting_treatment > 0, cal.servers, np.rint(cal.servers * 0.9)).astype(np.int64)
    return Network(
        month_days=np.asarray(month_days, np.float64),
        cell=np.zeros(n, np.int64),
        arrival_rate=cal.arrival_rate(months, 1),
        urgent_share=np.zeros(n),
        intake_per_week=cal.intake_per_week.astype(np.float64),
        servers=cal.servers,
        treatment_days=cal.treatment_days,
        patience_days=np.full(n, cal.patience_days),
        ehealth=np.zeros(n, np.bool_),
        ehealth_share=np.zeros(n),
        transfer_share=np.zeros(n),
        pause_start=np.full(n, np.inf),
        pause_end=np.full(n, np.inf),
        initial_busy=busy,
        init_station=h.init_provider.astype(np.int64),
        init_registered=-np.asarray(h.init_waited, np.float64),
        init_intake=-np.asarray(h.init_since_intake, np.float64),
    )


def history_from_clients(
    net: Network, clients: Clients, months: list[tuple[int, int]], *, upto: int | None = None
) -> History:
    """The history a data warehouse would hold of a simulated network (tests, backtests):
    per station and month, with the initial queue at the end of month ``upto`` (default: last)."""
    n, k = net.n_stations, net.n_months
    arrays = {}
    for name in ("arrivals", "intakes", "starts", "exits_untreated", "waiting", "waiting_intake"):
        arrays[name] = np.zeros((n, k))
    for s in range(n):
        m = summarise(net, clients, [s])
        arrays["arrivals"][s] = _per_month(net, clients.registered[clients.station == s])
        arrays["intakes"][s] = m.intakes
        arrays["starts"][s] = m.starts
        arrays["exits_untreated"][s] = m.left
        arrays["waiting"][s] = m.waiting
        sel = clients.station == s
        edges = np.cumsum(net.month_days)
        intake_end = np.where(
            np.isnan(clients.intake[sel]), clients.wait_end[sel], clients.intake[sel]
        )
        reg = clients.registered[sel]
        arrays["waiting_intake"][s] = [((reg <= p) & (intake_end > p)).sum() for p in edges]
    last = (upto if upto is not None else k) - 1
    p = float(np.cumsum(net.month_days)[last])
    w = (clients.registered <= p) & (clients.wait_end > p)
    intake = clients.intake[w]
    since = np.where(np.isnan(intake) | (intake > p), np.nan, p - intake)
    return History(
        months=months,
        month_days=net.month_days.copy(),
        cell_waiting=arrays["waiting"].sum(axis=0),
        init_provider=clients.station[w].astype(np.int64),
        init_waited=p - clients.registered[w],
        init_since_intake=since,
        **arrays,
    )


def _per_month(net: Network, t: F64) -> F64:
    edges = np.zeros(net.n_months + 1)
    np.cumsum(net.month_days, out=edges[1:])
    idx = np.searchsorted(edges, t[t >= 0], side="right") - 1
    idx = idx[idx < net.n_months]
    return np.bincount(idx, minlength=net.n_months).astype(np.float64)


@dataclass(frozen=True)
class Backtest:
    months: list[tuple[int, int]]  # the test months
    actual: F64
    simulated: F64  # mean over the replications
    naive: F64
    mae: float
    mape: float
    naive_mae: float
    naive_mape: float

    @property
    def better_than_naive(self) -> bool:
        return self.mae < self.naive_mae


def backtest(
    fit: History,
    *,
    actual_months: list[tuple[int, int]],
    actual_days: F64,
    actual_waiting: F64,
    treatment_days: float | F64,
    replications: int = 10,
    seed: int = 0,
) -> Backtest:
    """Calibrate on ``fit`` (whose initial queue is the one at its end), simulate the months
    after it, and compare the cell's waiting counts with ``actual_waiting`` and with the naive
    forecast."""
    if len(actual_months) == 0:
        raise SimulationInputError("Geen maanden om de terugtoets mee te vergelijken.")
    cal = calibrate(fit, treatment_days=treatment_days)
    net = network(cal, fit, months=actual_months, month_days=actual_days)
    sims = np.array(
        [
            summarise(net, simulate(net, s)).waiting
            for s in np.random.SeedSequence(seed).spawn(replications)
        ]
    )
    simulated = sims.mean(axis=0)
    actual = np.asarray(actual_waiting, np.float64)
    naive = np.full(len(actual), fit.cell_waiting[-1])

    def mape(pred: F64) -> float:
        ok = actual > 0
        return float(np.mean(np.abs(pred[ok] - actual[ok]) / actual[ok])) if ok.any() else math.nan

    return Backtest(
        months=list(actual_months),
        actual=actual,
        simulated=simulated,
        naive=naive,
        mae=float(np.abs(simulated - actual).mean()),
        mape=mape(simulated),
        naive_mae=float(np.abs(naive - actual).mean()),
        naive_mape=mape(naive),
    )
