"""Writes of the scenarios app: calibrate a region × group, save a scenario, run it in steps.

A run never blocks a page: `scenario_step` computes a bounded number of replications and saves
them (the page's progress poll and `python -m vangnet scenarios work` call it), so a long run
shows progress and can be resumed. Replication i always uses child i of the scenario's seed, so
a step repeated after an interruption gives the same figures (idempotent), and a saved scenario
can be recomputed exactly from its inputs, seed and data version.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from typing import Any

import numpy as np
from django.db import transaction

from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError, NotFound
from vangnet.engines.followup import add_months
from vangnet.engines.simulation import (
    Network,
    SimulationInputError,
    run_replications,
    simulate,
    summarise,
)
from vangnet.engines.simulation import calibrate as cal_engine
from vangnet.engines.simulation.engine import parse_seed
from vangnet.waitlists import selectors as wl_selectors
from vangnet.waitlists.models import DiagnosisGroup

from . import access, history
from .models import Calibration, Scenario
from .workflow import Status, can_move

FIT_MONTHS = 12
TEST_MONTHS = 6
EHEALTH_WEEKS = 8  # mean length of an e-health trajectory (a knob in a later version)
NORM_SHARE = 0.5  # the norm is met when the median realised wait is within it (as waitlists)
MAX_HORIZON = 36
MAX_REPLICATIONS = 200
STEP_SECONDS = 1.0


# ------------------------------------------------------------------------------------------
# Calibration


def _region_name(kind: str, code: str) -> str:
    """The region's name (NotFound for an unknown region, as on the waiting-list pages)."""
    return wl_selectors.check_region(kind, code)


def calibration_compute(
    *,
    actor: Actor,
    region_kind: str,
    region_code: str,
    group_code: str,
    treatment_weeks: float | None = None,
) -> Calibration:
    """Calibrate the region × group on its current data (or return the stored calibration of the
    same data version and treatment length: idempotent)."""
    access.require(actor)
    name = _region_name(region_kind, region_code)
    group = DiagnosisGroup.objects.filter(code=group_code).first()
    if group is None:
        raise DomainError("Onbekende diagnosegroep.", field="group")
    weeks = (
        float(treatment_weeks)
        if treatment_weeks is not None
        else float(history.default_treatment_weeks(group.code))
    )
    if not (1 <= weeks <= 260):
        raise DomainError(
            "De behandelduur moet tussen 1 en 260 weken liggen.", field="treatment_weeks"
        )
    cell = history.load(region_kind, region_code, group)
    if cell is None:
        raise DomainError(
            f"Er is geen wachtlijstgeschiedenis voor {name} × {group.name}: geen enkele aanbieder "
            "heeft aanmeldingen voor deze regio en diagnosegroep aangeleverd.",
            field="region",
        )
    tdays = weeks * 7.0
    existing = Calibration.objects.filter(
        region_kind=region_kind,
        region_code=region_code,
        diagnosis_group=group,
        data_version=cell.data_version,
        treatment_days=tdays,
    ).first()
    if existing is not None:
        return existing
    try:
        cal = cal_engine.calibrate(cell.history, treatment_days=tdays)
    except SimulationInputError as exc:
        raise DomainError(str(exc), field="region") from exc
    bt = _backtest(region_kind, region_code, group, cell, tdays)
    from vangnet.directory.models import Organisation

    names = dict(Organisation.objects.filter(pk__in=cell.provider_ids).values_list("pk", "name"))
    h = cell.history
    params = {
        "providers": [{"id": pid, "name": names.get(pid, "?")} for pid in cell.provider_ids],
        "level_per_day": cal.level_per_day,
        "trend_per_month": cal.trend_per_month,
        "seasonal": [float(x) for x in cal.seasonal],
        "provider_share": [float(x) for x in cal.provider_share],
        "intake_per_week": [float(x) for x in cal.intake_per_week],
        "servers": [int(x) for x in cal.servers],
        "patience_days": None if math.isinf(cal.patience_days) else cal.patience_days,
        "init_provider": [int(x) for x in h.init_provider],
        "init_waited": [float(x) for x in h.init_waited],
        "init_since_intake": [None if math.isnan(x) else float(x) for x in h.init_since_intake],
        "history_months": [f"{y:04d}-{m:02d}" for y, m in h.months],
        "history_waiting": [float(x) for x in h.cell_waiting],
        "waiting_now": int(h.cell_waiting[-1]),
    }
    with transaction.atomic():
        calibration, _ = Calibration.objects.get_or_create(
            region_kind=region_kind,
            region_code=region_code,
            diagnosis_group=group,
            data_version=cell.data_version,
            treatment_days=tdays,
            defaults={
                "first_month": cell.first_month,
                "last_month": cell.last_month,
                "parameters": params,
                "backtest": bt,
                "notes": cal.notes,
            },
        )
        access_log_write(
            actor=actor,
            action=Action.READ,
            detail=f"scenario-kalibratie {region_code} {group.code}",
        )
    return calibration


def _backtest(
    kind: str, code: str, group: DiagnosisGroup, cell: history.CellHistory, tdays: float
) -> dict[str, Any]:
    """Calibrate on the first 12 months, simulate the next 6; with 12-17 months of history the
    fit period is shortened to leave 6 test months (at least 6 to fit), and the page says so."""
    h = cell.history
    fit_months = min(FIT_MONTHS, h.n_months - TEST_MONTHS)
    if fit_months < cal_engine.MIN_FIT_MONTHS:
        return {
            "message": (
                f"Geen terugtoets: daarvoor zijn minstens {cal_engine.MIN_FIT_MONTHS + TEST_MONTHS} "
                f"maanden geschiedenis nodig, er zijn er {h.n_months}."
            )
        }
    fit_end = add_months(cell.first_month, fit_months - 1)
    fit_cell = history.load(kind, code, group, upto=fit_end)
    if fit_cell is None:
        return {"message": "Geen terugtoets: geen gegevens in de kalibratieperiode."}
    try:
        bt = cal_engine.backtest(
            fit_cell.history,
            actual_months=h.months[fit_months : fit_months + TEST_MONTHS],
            actual_days=h.month_days[fit_months : fit_months + TEST_MONTHS],
            actual_waiting=h.cell_waiting[fit_months : fit_months + TEST_MONTHS],
            treatment_days=tdays,
            replications=10,
            seed=0,
        )
    except SimulationInputError as exc:
        return {"message": f"Geen terugtoets: {exc}"}
    return {
        "fit_months": fit_months,
        "months": [f"{y:04d}-{m:02d}" for y, m in bt.months],
        "actual": [float(x) for x in bt.actual],
        "simulated": [round(float(x), 1) for x in bt.simulated],
        "naive": [float(x) for x in bt.naive],
        # JSON has no NaN (PostgreSQL's jsonb refuses it): an undefined share is null.
        "mae": bt.mae,
        "mape": None if math.isnan(bt.mape) else bt.mape,
        "naive_mae": bt.naive_mae,
        "naive_mape": None if math.isnan(bt.naive_mape) else bt.naive_mape,
        "better_than_naive": bt.better_than_naive,
        "shortened": fit_months < FIT_MONTHS,
    }


# ------------------------------------------------------------------------------------------
# Knobs and the network they give


@dataclass(frozen=True)
class Knobs:
    """What a scenario changes relative to the calibrated baseline."""

    target_provider: int | None = None  # organisation id; default: the largest waiting list
    intake_delta_per_week: float = 0.0
    places_delta: int = 0
    treatment_length_pct: float = 0.0
    inflow_pct: float = 0.0
    transfer_share_pct: float = 0.0
    pause_from_month: int = 1  # 1 = the first month of the horizon
    pause_months: int = 0
    ehealth_share_pct: float = 0.0
    ehealth_places: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Knobs:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _check_knobs(k: Knobs, calibration: Calibration, horizon: int) -> None:
    p = calibration.parameters
    ids = [x["id"] for x in p["providers"]]
    problems: list[tuple[str, str]] = []
    if k.target_provider is not None and k.target_provider not in ids:
        problems.append(
            ("target_provider", "Deze aanbieder heeft geen gegevens in deze regio en groep.")
        )
    t = _target_index(k, calibration)
    if p["intake_per_week"][t] + k.intake_delta_per_week < 0:
        problems.append(
            (
                "intake_delta_per_week",
                f"De intakecapaciteit zou negatief worden (nu {p['intake_per_week'][t]:.1f} per week).",
            )
        )
    if p["servers"][t] + k.places_delta < 0:
        problems.append(
            (
                "places_delta",
                f"Het aantal behandelplekken zou negatief worden (nu {p['servers'][t]}).",
            )
        )
    if not -90 <= k.treatment_length_pct <= 300:
        problems.append(
            ("treatment_length_pct", "De behandelduur kan van −90% tot +300% veranderen.")
        )
    if not -100 <= k.inflow_pct <= 300:
        problems.append(("inflow_pct", "De instroom kan van −100% tot +300% veranderen."))
    for field, value, label in (
        ("transfer_share_pct", k.transfer_share_pct, "Het aandeel via de transferbalie"),
        ("ehealth_share_pct", k.ehealth_share_pct, "Het aandeel e-health"),
    ):
        if not 0 <= value <= 100:
            problems.append((field, f"{label} moet tussen 0% en 100% liggen."))
    if k.ehealth_places < 0:
        problems.append(("ehealth_places", "Het aantal e-healthplekken kan niet negatief zijn."))
    if k.ehealth_share_pct > 0 and k.ehealth_places == 0:
        problems.append(
            ("ehealth_places", "Geef e-health ook plekken, anders wacht iedereen daar.")
        )
    if k.pause_months < 0 or k.pause_months > horizon:
        problems.append(("pause_months", f"Een aanmeldpauze duurt 0 tot {horizon} maanden."))
    if not 1 <= k.pause_from_month <= horizon:
        problems.append(("pause_from_month", f"De pauze begint in maand 1 tot {horizon}."))
    if problems:
        field, _message = problems[0]
        raise DomainError(" ".join(m for _, m in problems), field=field)


def _target_index(k: Knobs, calibration: Calibration) -> int:
    p = calibration.parameters
    ids = [x["id"] for x in p["providers"]]
    if k.target_provider in ids:
        return ids.index(k.target_provider)
    counts = np.bincount(np.asarray(p["init_provider"], np.int64), minlength=len(ids))
    return int(np.argmax(counts)) if counts.sum() else int(np.argmax(p["provider_share"]))


def horizon_months(calibration: Calibration, horizon: int) -> list[date]:
    return [add_months(calibration.last_month, i + 1) for i in range(horizon)]


def build_network(calibration: Calibration, knobs: Knobs, horizon: int) -> Network:
    """The calibrated baseline over the horizon, with the knobs turned."""
    p = calibration.parameters
    n = len(p["providers"])
    cal = cal_engine.Calibration(
        level_per_day=p["level_per_day"],
        trend_per_month=p["trend_per_month"],
        seasonal=np.asarray(p["seasonal"], np.float64),
        provider_share=np.asarray(p["provider_share"], np.float64),
        intake_per_week=np.asarray(p["intake_per_week"], np.float64),
        servers=np.asarray(p["servers"], np.int64),
        treatment_days=np.full(n, calibration.treatment_days),
        patience_days=math.inf if p["patience_days"] is None else p["patience_days"],
    )
    zeros = np.zeros((n, 1))
    h = cal_engine.History(
        months=[],
        month_days=np.zeros(0),
        arrivals=zeros,
        intakes=zeros,
        starts=zeros,
        exits_untreated=zeros,
        waiting=zeros,
        waiting_intake=zeros,
        cell_waiting=np.zeros(0),
        init_provider=np.asarray(p["init_provider"], np.int64),
        init_waited=np.asarray(p["init_waited"], np.float64),
        init_since_intake=np.array(
            [np.nan if x is None else x for x in p["init_since_intake"]], np.float64
        ),
    )
    months = horizon_months(calibration, horizon)
    days = np.array([(add_months(m, 1) - m).days for m in months], np.float64)
    net = cal_engine.network(cal, h, months=[(m.year, m.month) for m in months], month_days=days)

    t = _target_index(knobs, calibration)
    intake = net.intake_per_week.copy()
    intake[t] += knobs.intake_delta_per_week
    servers = net.servers.copy()
    servers[t] += knobs.places_delta
    busy = np.minimum(net.initial_busy, servers)
    pause_start = np.full(n, np.inf)
    pause_end = np.full(n, np.inf)
    if knobs.pause_months > 0:
        edges = np.concatenate([[0.0], np.cumsum(days)])
        a = knobs.pause_from_month - 1
        b = min(a + knobs.pause_months, horizon)
        pause_start[t], pause_end[t] = edges[a], edges[b]
    changes: dict[str, Any] = dict(
        arrival_rate=net.arrival_rate * (1 + knobs.inflow_pct / 100),
        intake_per_week=intake,
        servers=servers,
        initial_busy=busy,
        treatment_days=net.treatment_days * (1 + knobs.treatment_length_pct / 100),
        transfer_share=np.full(n, knobs.transfer_share_pct / 100),
        pause_start=pause_start,
        pause_end=pause_end,
        ehealth_share=np.full(n, knobs.ehealth_share_pct / 100),
    )
    net = Network(**{**net.__dict__, **changes})
    if knobs.ehealth_places > 0:
        net = _with_ehealth(net, knobs.ehealth_places)
    return net


def _with_ehealth(net: Network, places: int) -> Network:
    """Add the cell's e-health station (no intake, ``places`` concurrent clients)."""

    def add(a: np.ndarray, value: Any) -> np.ndarray:
        return np.concatenate([a, np.asarray([value], dtype=a.dtype)])

    return Network(
        month_days=net.month_days,
        cell=add(net.cell, 0),
        arrival_rate=np.vstack([net.arrival_rate, np.zeros((1, net.n_months))]),
        urgent_share=add(net.urgent_share, 0.0),
        intake_per_week=add(net.intake_per_week, np.inf),
        servers=add(net.servers, places),
        treatment_days=add(net.treatment_days, EHEALTH_WEEKS * 7.0),
        patience_days=add(net.patience_days, net.patience_days.max() if net.n_stations else np.inf),
        ehealth=add(net.ehealth, True),
        ehealth_share=add(net.ehealth_share, 0.0),
        transfer_share=add(net.transfer_share, 0.0),
        pause_start=add(net.pause_start, np.inf),
        pause_end=add(net.pause_end, np.inf),
        initial_busy=add(net.initial_busy, 0),
        init_station=net.init_station,
        init_registered=net.init_registered,
        init_intake=net.init_intake,
    )


# ------------------------------------------------------------------------------------------
# Scenarios


def scenario_create(
    *,
    actor: Actor,
    calibration: Calibration,
    name: str,
    knobs: Knobs,
    horizon_months: int = 18,
    replications: int = 20,
    seed: object = 1,
    is_baseline: bool = False,
) -> Scenario:
    """Save a scenario, queued to run. Nothing is saved when an input is out of range."""
    access.require(actor)
    name = name.strip()
    if not name:
        raise DomainError("Geef het scenario een naam.", field="name")
    if not 1 <= horizon_months <= MAX_HORIZON:
        raise DomainError(f"De horizon is 1 tot {MAX_HORIZON} maanden.", field="horizon_months")
    if not 2 <= replications <= MAX_REPLICATIONS:
        raise DomainError(
            f"Het aantal replicaties is 2 tot {MAX_REPLICATIONS}.", field="replications"
        )
    try:
        seed_value = parse_seed(seed)
    except SimulationInputError as exc:
        raise DomainError(str(exc), field="seed") from exc
    _check_knobs(knobs, calibration, horizon_months)
    return Scenario.objects.create(
        calibration=calibration,
        name=name[:120],
        is_baseline=is_baseline,
        knobs=knobs.to_json(),
        horizon_months=horizon_months,
        replications=replications,
        seed=seed_value,
        status=Status.QUEUED,
        created_by=actor.user,
    )


def _replication(seed: np.random.SeedSequence, net: Network) -> dict[str, Any]:
    m = summarise(net, simulate(net, seed))
    return {
        "waiting": m.waiting.tolist(),
        "over_norm": m.over_norm.tolist(),
        "intakes": m.intakes.tolist(),
        "intakes_within": m.intakes_within.tolist(),
        "starts": m.starts.tolist(),
        "starts_within": m.starts_within.tolist(),
        "left": m.left.tolist(),
        "median_wait": None if math.isnan(m.median_wait) else m.median_wait,
        "p80_wait": None if math.isnan(m.p80_wait) else m.p80_wait,
        "not_registered": m.not_registered,
    }


def scenario_step(
    *, scenario_id: int, budget_seconds: float = STEP_SECONDS, scheduler: str | None = None
) -> Scenario:
    """Run the next replications of a queued or running scenario within about
    ``budget_seconds`` (at least one step of as many replications as there are workers)."""
    with transaction.atomic():
        try:
            sc = (
                Scenario.objects.select_for_update()
                .select_related("calibration")
                .get(pk=scenario_id)
            )
        except Scenario.DoesNotExist:
            raise NotFound("Dit scenario bestaat niet.") from None
        if sc.status in (Status.DONE, Status.FAILED):
            return sc
        net = build_network(sc.calibration, Knobs.from_json(sc.knobs), sc.horizon_months)
        children = np.random.SeedSequence(sc.seed).spawn(sc.replications)
        results = list(sc.replication_results)
        started = time.monotonic()
        note = ""
        try:
            while len(results) < sc.replications:
                chunk = children[len(results) : len(results) + 4]
                rep = run_replications(
                    partial(_replication, net=net),
                    children=chunk,
                    scheduler=scheduler,
                )
                note = note or rep.note
                results.extend(rep.results)
                if time.monotonic() - started > budget_seconds:
                    break
        except SimulationInputError as exc:
            sc.status = Status.FAILED
            sc.message = str(exc)[:300]
            sc.save(update_fields=["status", "message", "updated_at"])
            return sc
        sc.replication_results = results
        sc.done_replications = len(results)
        target = Status.DONE if len(results) >= sc.replications else Status.RUNNING
        if can_move(sc.status, target):
            sc.status = target
        if note:
            sc.message = note[:300]
        if sc.status == Status.DONE:
            sc.result = aggregate(sc, results)
        sc.save()
        return sc


def scenario_run(*, scenario_id: int, scheduler: str | None = None) -> Scenario:
    """Run a scenario to the end (command line, API)."""
    while True:
        sc = scenario_step(scenario_id=scenario_id, budget_seconds=60.0, scheduler=scheduler)
        if sc.status in (Status.DONE, Status.FAILED):
            return sc


def scenario_requeue(*, actor: Actor, scenario: Scenario) -> Scenario:
    access.require(actor)
    if not can_move(scenario.status, Status.QUEUED):
        raise DomainError("Alleen een mislukt scenario kan opnieuw in de wachtrij.")
    scenario.status = Status.QUEUED
    scenario.replication_results = []
    scenario.done_replications = 0
    scenario.message = ""
    scenario.save()
    return scenario


def aggregate(sc: Scenario, results: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of a finished scenario over its replications."""
    months = [f"{m:%Y-%m}" for m in horizon_months(sc.calibration, sc.horizon_months)]
    w = np.array([r["waiting"] for r in results], np.float64)
    over = np.array([r["over_norm"] for r in results], np.float64)
    ii = np.array([r["intakes"] for r in results]).sum(axis=0)
    iw = np.array([r["intakes_within"] for r in results]).sum(axis=0)
    ss = np.array([r["starts"] for r in results]).sum(axis=0)
    sw = np.array([r["starts_within"] for r in results]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_i = np.where(ii > 0, iw / ii, np.nan)
        share_t = np.where(ss > 0, sw / ss, np.nan)
        over_share = np.where(w.sum(axis=0) > 0, over.sum(axis=0) / w.sum(axis=0), 0.0)
    met = [
        bool((np.isnan(a) or a >= NORM_SHARE) and (np.isnan(b) or b >= NORM_SHARE))
        for a, b in zip(share_i, share_t, strict=True)
    ]
    norm_met = None
    for i in range(len(months)):
        if all(met[i:]):
            norm_met = months[i]
            break
    med = [r["median_wait"] for r in results if r["median_wait"] is not None]
    p80 = [r["p80_wait"] for r in results if r["p80_wait"] is not None]

    def share(x: np.ndarray) -> list[float | None]:
        return [None if np.isnan(v) else round(float(v), 4) for v in x]

    return {
        "months": months,
        "waiting_mean": [round(float(x), 1) for x in w.mean(axis=0)],
        "waiting_lo": [float(x) for x in np.percentile(w, 2.5, axis=0)],
        "waiting_hi": [float(x) for x in np.percentile(w, 97.5, axis=0)],
        "over_norm_share": [round(float(x), 4) for x in over_share],
        "intake_within_share": share(share_i),
        "treatment_within_share": share(share_t),
        "intake_within_total": round(float(iw.sum() / ii.sum()), 4) if ii.sum() else None,
        "treatment_within_total": round(float(sw.sum() / ss.sum()), 4) if ss.sum() else None,
        "median_wait_weeks": round(float(np.mean(med)) / 7, 1) if med else None,
        "p80_wait_weeks": round(float(np.mean(p80)) / 7, 1) if p80 else None,
        "norm_met_month": norm_met,
        "not_registered": float(np.mean([r["not_registered"] for r in results])),
    }
