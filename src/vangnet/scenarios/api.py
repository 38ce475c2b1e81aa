"""Scenario analyses over the API: calibration (with backtest), saved scenarios, running them
and their results. Aggregates only; bad input answers as problem+json in Dutch."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vangnet.accounts.selectors import Actor, request_actor
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.waitlists.models import RegionKind

from . import selectors, services
from .models import Calibration, Scenario

router = Router(tags=["scenario's"])


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request)


class CalibrateIn(Schema):
    region: str = Field(..., description="Code van de veiligheidsregio, bijvoorbeeld VR13")
    group: str = Field(..., description="Code van de hoofddiagnosegroep, bijvoorbeeld eetstoornis")
    treatment_weeks: float | None = Field(
        None, description="Behandelduur in weken (leeg: standaard voor de groep)"
    )


class CalibrationOut(Schema):
    id: int
    region: str
    group: str
    data_version: str
    first_month: date
    last_month: date
    treatment_weeks: float
    parameters: dict[str, Any]
    backtest: dict[str, Any]
    notes: list[str]


def _cal_out(c: Calibration) -> dict[str, Any]:
    params = {k: v for k, v in c.parameters.items() if not k.startswith("init_")}
    return {
        "id": c.pk,
        "region": c.region_code,
        "group": c.diagnosis_group.code,
        "data_version": c.data_version,
        "first_month": c.first_month,
        "last_month": c.last_month,
        "treatment_weeks": round(c.treatment_days / 7, 2),
        "parameters": params,
        "backtest": c.backtest,
        "notes": c.notes,
    }


class KnobsIn(Schema):
    target_provider: int | None = Field(
        None, description="Organisatie-id; leeg: langste wachtlijst"
    )
    intake_delta_per_week: float = 0.0
    places_delta: int = 0
    treatment_length_pct: float = 0.0
    inflow_pct: float = 0.0
    transfer_share_pct: float = 0.0
    pause_from_month: int = 1
    pause_months: int = 0
    ehealth_share_pct: float = 0.0
    ehealth_places: int = 0


class ScenarioIn(Schema):
    calibration: int
    name: str
    knobs: KnobsIn | None = None
    horizon_months: int = 18
    replications: int = 20
    seed: int | str = Field(1, description="Geheel getal van 0 tot 2^63 − 1")


class ScenarioOut(Schema):
    id: int
    calibration: int
    name: str
    status: str
    progress_percent: int
    knobs: dict[str, Any]
    horizon_months: int
    replications: int
    seed: int
    data_version: str
    message: str
    result: dict[str, Any]


def _sc_out(s: Scenario) -> dict[str, Any]:
    return {
        "id": s.pk,
        "calibration": s.calibration_id,
        "name": s.name,
        "status": s.status,
        "progress_percent": s.progress_percent,
        "knobs": s.knobs,
        "horizon_months": s.horizon_months,
        "replications": s.replications,
        "seed": s.seed,
        "data_version": s.calibration.data_version,
        "message": s.message,
        "result": s.result,
    }


@router.post("/calibrations", response=CalibrationOut)
def calibrate(request: HttpRequest, body: CalibrateIn):
    cal = services.calibration_compute(
        actor=_actor(request),
        region_kind=RegionKind.SAFETY_REGION,
        region_code=body.region,
        group_code=body.group,
        treatment_weeks=body.treatment_weeks,
    )
    return _cal_out(cal)


@router.get("/calibrations/{pk}", response=CalibrationOut)
def calibration(request: HttpRequest, pk: int):
    return _cal_out(selectors.calibration(_actor(request), pk))


class ScenarioPageOut(PageOut):
    items: list[ScenarioOut]


@router.get(
    "", response=ScenarioPageOut, summary="Opgeslagen scenario's (nieuwste eerst; volg `next`)"
)
def scenario_list(request: HttpRequest, paging_query: Query[PageQuery]):
    page = api_page(selectors.scenarios(_actor(request)), paging_query, field="created_at")
    return {"items": [_sc_out(s) for s in page.rows], **paging(request, page)}


@router.post("", response={201: ScenarioOut})
def scenario_create(request: HttpRequest, body: ScenarioIn):
    actor = _actor(request)
    cal = selectors.calibration(actor, body.calibration)
    sc = services.scenario_create(
        actor=actor,
        calibration=cal,
        name=body.name,
        knobs=services.Knobs(**body.knobs.dict()) if body.knobs else services.Knobs(),
        horizon_months=body.horizon_months,
        replications=body.replications,
        seed=body.seed,
    )
    return Status(201, _sc_out(sc))


@router.get("/{pk}", response=ScenarioOut)
def scenario_detail(request: HttpRequest, pk: int):
    return _sc_out(selectors.scenario(_actor(request), pk))


@router.post("/{pk}/run", response=ScenarioOut)
def scenario_run(request: HttpRequest, pk: int, until_done: bool = False):
    """One step (about a second of replications), or the whole run with ``until_done``;
    repeating it on a finished scenario changes nothing."""
    sc = selectors.scenario(_actor(request), pk)
    if until_done:
        sc = services.scenario_run(scenario_id=sc.pk)
    else:
        sc = services.scenario_step(scenario_id=sc.pk)
    return _sc_out(sc)
